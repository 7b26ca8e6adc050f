package dev.schemachange.engine.db;

import java.sql.SQLException;
import java.util.function.IntToLongFunction;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one retry rule for statements that only waited for locks: a failed attempt changed nothing,
 * so it is run again after a pause, until the attempts or the deadline (a {@link System#nanoTime}
 * value, the slice's) run out; then the last error is thrown and the caller decides what exhaustion
 * means. Sleeping and the clock are injectable so tests need neither a server nor real time.
 */
public record Retry(
        int maxAttempts,
        IntToLongFunction backoff,
        boolean hasDeadline,
        long deadlineNanos,
        Predicate<SQLException> retryable,
        LongSupplier nanoTime,
        LongConsumer sleeper) {
    private static final Logger log = LoggerFactory.getLogger(Retry.class);

    /** Work for one attempt, numbered from 1 (some statements change with the attempt). */
    @FunctionalInterface
    public interface SqlWork<T> {
        T run(int attempt) throws SQLException;
    }

    /**
     * Retries the lock errors ({@link Sessions#isRetryable}) with the given pause before attempt
     * n+1.
     */
    public static Retry of(int maxAttempts, IntToLongFunction backoff) {
        return new Retry(
                maxAttempts,
                backoff,
                false,
                0,
                Sessions::isRetryable,
                System::nanoTime,
                Sessions::sleep);
    }

    /** initial, initial*2, … up to cap milliseconds. */
    public static IntToLongFunction exponential(long initialMillis, long capMillis) {
        return attempt -> Math.min(capMillis, initialMillis << Math.min(attempt - 1, 30));
    }

    /** step, 2*step, 3*step, … milliseconds. */
    public static IntToLongFunction linear(long stepMillis) {
        return attempt -> stepMillis * attempt;
    }

    /** No pause: for statements whose own lock wait is the pause. */
    public static IntToLongFunction none() {
        return attempt -> 0;
    }

    public Retry until(long deadlineNanos) {
        return new Retry(maxAttempts, backoff, true, deadlineNanos, retryable, nanoTime, sleeper);
    }

    public Retry retrying(Predicate<SQLException> which) {
        return new Retry(
                maxAttempts, backoff, hasDeadline, deadlineNanos, which, nanoTime, sleeper);
    }

    public Retry withTime(LongSupplier clock, LongConsumer sleep) {
        return new Retry(maxAttempts, backoff, hasDeadline, deadlineNanos, retryable, clock, sleep);
    }

    public <T> T run(String what, SqlWork<T> work) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return work.run(attempt);
            } catch (SQLException e) {
                long pause = backoff.applyAsLong(attempt);
                if (!retryable.test(e)
                        || attempt >= maxAttempts
                        || hasDeadline
                                && nanoTime.getAsLong() + pause * 1_000_000 - deadlineNanos > 0) {
                    throw e;
                }
                log.info(
                        "{} waited for locks (attempt {}/{}), retrying in {} ms: {}",
                        what,
                        attempt,
                        maxAttempts,
                        pause,
                        e.getMessage());
                if (pause > 0) {
                    sleeper.accept(pause);
                }
            }
        }
    }
}

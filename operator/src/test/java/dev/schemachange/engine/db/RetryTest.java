package dev.schemachange.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Retry without a server: a fake clock that sleeping advances, so nothing waits for real. */
class RetryTest {
    private long now;
    private final List<Long> sleeps = new ArrayList<>();

    private Retry retry(int attempts, java.util.function.IntToLongFunction backoff) {
        return Retry.of(attempts, backoff)
                .withTime(
                        () -> now,
                        ms -> {
                            sleeps.add(ms);
                            now += ms * 1_000_000;
                        });
    }

    private static SQLException lockWait() {
        return new SQLException("Lock wait timeout exceeded", "HY000", 1205);
    }

    @Test
    void retriesUntilTheWorkSucceeds() throws SQLException {
        List<Integer> seen = new ArrayList<>();
        String result =
                retry(5, Retry.linear(50))
                        .run(
                                "test",
                                attempt -> {
                                    seen.add(attempt);
                                    if (attempt < 3) {
                                        throw new SQLException("deadlock", "40001", 1213);
                                    }
                                    return "done";
                                });
        assertThat(result).isEqualTo("done");
        assertThat(seen).containsExactly(1, 2, 3);
        assertThat(sleeps).containsExactly(50L, 100L);
    }

    @Test
    void stopsAtTheLastAttemptWithTheLastError() {
        int[] calls = {0};
        assertThatThrownBy(
                        () ->
                                retry(4, Retry.linear(20))
                                        .run(
                                                "test",
                                                attempt -> {
                                                    calls[0]++;
                                                    throw new SQLException(
                                                            "attempt " + attempt, "HY000", 1205);
                                                }))
                .hasMessage("attempt 4");
        assertThat(calls[0]).isEqualTo(4);
        assertThat(sleeps).containsExactly(20L, 40L, 60L);
    }

    @Test
    void nonRetryableIsThrownAtOnce() {
        int[] calls = {0};
        assertThatThrownBy(
                        () ->
                                retry(10, Retry.linear(20))
                                        .run(
                                                "test",
                                                attempt -> {
                                                    calls[0]++;
                                                    throw new SQLException("syntax", "42000", 1064);
                                                }))
                .hasMessage("syntax");
        assertThat(calls[0]).isEqualTo(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void theDeadlineStopsBeforeTheAttemptsRunOut() {
        int[] calls = {0};
        // 500 ms: the pauses 200 + 400 would end past it, so the second failure is the last
        Retry r = retry(100, Retry.exponential(200, 5_000)).until(500 * 1_000_000L);
        assertThatThrownBy(
                        () ->
                                r.run(
                                        "test",
                                        attempt -> {
                                            calls[0]++;
                                            throw lockWait();
                                        }))
                .hasMessageContaining("Lock wait");
        assertThat(calls[0]).isEqualTo(2);
        assertThat(sleeps).containsExactly(200L);
    }

    @Test
    void backoffGrowsToItsCap() {
        assertThatThrownBy(
                        () ->
                                retry(8, Retry.exponential(200, 5_000))
                                        .run(
                                                "test",
                                                attempt -> {
                                                    throw lockWait();
                                                }))
                .isInstanceOf(SQLException.class);
        assertThat(sleeps).containsExactly(200L, 400L, 800L, 1_600L, 3_200L, 5_000L, 5_000L);
    }

    @Test
    void anotherPredicateDecidesWhatIsRetried() throws SQLException {
        int result =
                retry(3, Retry.none())
                        .retrying(e -> e.getErrorCode() == 2013)
                        .run(
                                "test",
                                attempt -> {
                                    if (attempt == 1) {
                                        throw new SQLException("lost", "08S01", 2013);
                                    }
                                    return attempt;
                                });
        assertThat(result).isEqualTo(2);
        assertThat(sleeps).isEmpty();
    }
}

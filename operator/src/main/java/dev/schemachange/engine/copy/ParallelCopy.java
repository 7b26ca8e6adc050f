package dev.schemachange.engine.copy;

import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.state.CopyRange;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.throttle.Throttler;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Several copiers, each over its own range of the key space with its own session, checkpoint,
 * watermark row and part of the journal (see {@link Watermark}): a range is copied exactly as one
 * copier copies the whole table, so a crash re-copies at most the chunk each copier had in flight.
 * This thread coordinates: it asks the one {@link Throttler} and holds every copier while it
 * answers a reason, and it publishes the totals in the state row.
 */
final class ParallelCopy {
    private static final Logger log = LoggerFactory.getLogger(ParallelCopy.class);
    private static final long TICK_MILLIS = 100;
    private static final long SAVE_NANOS = 1_000_000_000L;

    /** A copier for fewer rows than this is not worth its session. */
    static final int MIN_RANGE_ROWS = 1000;

    private final ConnectionFactory db;
    private final Plan plan;
    private final StateStore store;
    private final Clock clock;
    private final CrashPoints crash;
    private final IntFunction<Chunker> chunkers;
    private final boolean lockFree;
    private final Watermark watermark;

    /** Why the copiers were held when the call ended, or null. */
    private volatile String held;

    private final AtomicBoolean stop = new AtomicBoolean();
    private final Map<Integer, CopyRange> progress = new ConcurrentHashMap<>();

    /**
     * @param chunkers each range's own Chunker (its rate is its own), kept across calls
     * @param watermark the mark the triggers read, or null when they mirror every write
     */
    ParallelCopy(
            ConnectionFactory db,
            Plan plan,
            StateStore store,
            Clock clock,
            CrashPoints crash,
            IntFunction<Chunker> chunkers,
            boolean lockFree,
            Watermark watermark) {
        this.db = db;
        this.plan = plan;
        this.store = store;
        this.clock = clock;
        this.crash = crash;
        this.chunkers = chunkers;
        this.lockFree = lockFree;
        this.watermark = watermark;
    }

    /**
     * Divides what is left to copy after the state's cursor into up to {@code threads} ranges of
     * about equal row counts, by walking the chunk index ({@code LIMIT 1 OFFSET n}: one index scan
     * of the table in all, no locks), from the table's row estimate. Range 0 keeps the state's
     * progress. Fewer ranges come back when the table has too few rows for every copier ({@link
     * #MIN_RANGE_ROWS} each); an estimate too low leaves the last range the largest.
     */
    static List<CopyRange> split(Connection c, Chunker chunker, State state, int threads)
            throws SQLException {
        long left = Math.max(0, state.rowsEstimated() - state.rowsCopied());
        int each = (int) Math.max(MIN_RANGE_ROWS, Math.min(Integer.MAX_VALUE, left / threads));
        List<CopyRange> ranges = new ArrayList<>();
        List<String> after = state.cursor();
        List<String> max = state.maxKey();
        while (ranges.size() < threads - 1) {
            Chunker.Range r = chunker.next(c, after, max, each);
            if (r.last(max)) {
                break;
            }
            ranges.add(range(ranges.size(), after, r.upTo(), state));
            after = r.upTo();
        }
        ranges.add(range(ranges.size(), after, max, state));
        return ranges;
    }

    private static CopyRange range(int no, List<String> after, List<String> upTo, State state) {
        return no == 0
                ? new CopyRange(
                        0,
                        null,
                        upTo,
                        state.cursor(),
                        state.rowsCopied(),
                        state.copyMillis(),
                        state.chunkRows())
                : CopyRange.fresh(no, after, upTo);
    }

    /** Why the copiers were held by the Throttler when {@link #run} returned, or null. */
    String held() {
        return held;
    }

    /**
     * Runs one copier per range until every range is copied, the deadline passes or a copier fails;
     * a range already copied still settles its mark and journal (a crash may have come between its
     * last chunk's commit and its mark). Returns the state with the totals, saved.
     */
    State run(Connection c, State state, List<CopyRange> ranges, Throttler throttler, long deadline)
            throws SQLException {
        ranges.forEach(r -> progress.put(r.no(), r));
        long started = System.nanoTime();
        long heldNanos = 0;
        long savedAt = started;
        ExecutorService pool =
                Executors.newFixedThreadPool(
                        ranges.size(),
                        task -> {
                            Thread t = new Thread(task, "copier-" + plan.table());
                            t.setDaemon(true);
                            return t;
                        });
        try {
            List<Future<Void>> copiers = new ArrayList<>();
            Map<String, String> mdc = MDC.getCopyOfContextMap();
            for (CopyRange r : ranges) {
                copiers.add(
                        pool.submit(
                                () -> {
                                    if (mdc != null) {
                                        MDC.setContextMap(mdc); // the change's log fields
                                    }
                                    return copy(r, deadline);
                                }));
            }
            while (!copiers.stream().allMatch(Future::isDone)) {
                long tick = System.nanoTime();
                held = throttler.holdReason();
                if (copiers.stream().anyMatch(ParallelCopy::failed)) {
                    stop.set(true);
                }
                Sessions.sleep(TICK_MILLIS);
                if (held != null) {
                    heldNanos += System.nanoTime() - tick;
                }
                if (System.nanoTime() - savedAt > SAVE_NANOS) {
                    savedAt = System.nanoTime();
                    store.save(c, totals(state, started, heldNanos), clock.instant());
                }
            }
            for (Future<Void> f : copiers) {
                join(f);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
        }
        State next = totals(state, started, heldNanos);
        store.save(c, next, clock.instant());
        return next;
    }

    /** The state with the ranges' totals; its cursor is the max key once every range is done. */
    private State totals(State state, long started, long heldNanos) {
        List<CopyRange> all = progress.values().stream().sorted((a, b) -> a.no() - b.no()).toList();
        long rows = all.stream().mapToLong(CopyRange::rowsCopied).sum();
        CopyRange first = all.stream().filter(r -> !r.done()).findFirst().orElse(null);
        // the wall time the copiers worked, not the sum of theirs: rows per second is the rate
        // the table is copied at
        long millis = state.copyMillis() + (System.nanoTime() - started - heldNanos) / 1_000_000;
        int chunk = (int) all.stream().mapToInt(CopyRange::chunkRows).average().orElse(0);
        return state.withCopyTotals(
                first == null ? state.maxKey() : first.cursor(), rows, millis, chunk);
    }

    /** One copier: its own session, Copier and Journal over its range. */
    private Void copy(CopyRange start, long deadline) throws SQLException {
        try (Connection c = Sessions.open(db)) {
            Chunker chunker = chunkers.apply(start.no());
            Copier copier = new Copier(plan, chunker, store, clock, lockFree, watermark);
            Journal journal = watermark == null ? null : new Journal(plan, watermark, copier);
            CopyRange r = start;
            settle(c, journal, r, deadline);
            // unless held, a chunk per call at least, however long the settle took: the copy
            // always moves on
            boolean copied = false;
            while (!r.done() && !stop.get()) {
                boolean late = System.nanoTime() >= deadline;
                if (held != null) {
                    if (late) {
                        break;
                    }
                    Sessions.sleep(TICK_MILLIS);
                    continue;
                }
                if (late && copied) {
                    break;
                }
                CopyRange from = r;
                r =
                        Retry.of(10, Retry.linear(50))
                                .run(
                                        plan.schema() + "." + plan.table() + ": chunk copy",
                                        attempt ->
                                                copier.copyNext(
                                                        c, plan.schema(), plan.table(), from));
                progress.put(r.no(), r);
                copied = true;
                crash.reached("backfill:after-chunk");
                settle(c, journal, r, deadline);
            }
            return null;
        }
    }

    /**
     * As {@link Copying}'s settle, for one range: its mark up to its checkpoint, then its keys
     * below it, then the keys ahead of it that no open transaction holds ({@link Journal#prune}).
     */
    private void settle(Connection c, Journal journal, CopyRange r, long deadline)
            throws SQLException {
        if (journal == null) {
            return;
        }
        if (r.cursor() == null) { // range 0 before its first chunk: every key in it is ahead
            journal.prune(c, null, r.upTo());
            return;
        }
        if (!watermark.raise(c, r.no(), r.cursor(), deadline)) {
            log.debug("{}.{}: no watermark row for range {}", plan.schema(), plan.table(), r.no());
        }
        journal.catchUp(c, r.after(), r.cursor());
        journal.prune(c, r.cursor(), r.upTo());
    }

    private static boolean failed(Future<Void> f) {
        if (!f.isDone()) {
            return false;
        }
        try {
            f.get();
            return false;
        } catch (ExecutionException | InterruptedException e) {
            return true;
        }
    }

    private static void join(Future<Void> f) throws SQLException {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while copying", "08000", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof SQLException s) {
                throw s;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(cause);
        }
    }
}

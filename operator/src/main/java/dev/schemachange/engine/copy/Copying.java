package dev.schemachange.engine.copy;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.check.FreeSpace;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.state.CopyRange;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.throttle.Throttler;
import dev.schemachange.engine.workspace.Workspace;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backfilling and Verifying: the chunked copy from the original into every part, checkpointed with
 * its chunk, then the chunk-by-chunk comparison that repairs what differs. Each call works until
 * its deadline, a pause or the Throttler stops it, and returns the state to save.
 */
public final class Copying {
    private static final Logger log = LoggerFactory.getLogger(Copying.class);
    private final ConnectionFactory db;
    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final Clock clock;
    private final Workspace workspace;
    private Chunker copyChunker;

    /** Fewer rows than this make a chunk not worth its commit, whatever their size. */
    static final int MIN_CHUNK_ROWS = 100;

    /** The copy chunks' largest row count, from maxChunkRows and maxChunkBytes; 0: not yet read. */
    private int chunkRowsCap;

    /** Each parallel copier's Chunker, by range: a range's rate is its own. */
    private final Map<Integer, Chunker> rangeChunkers = new ConcurrentHashMap<>();

    private final CrashPoints crash;
    private final FreeSpace freeSpace;

    /** Why the last backfill waited, if the Throttler held it back. */
    private String throttled;

    /** The watermark's row was found missing (and reported once). */
    private boolean markLost;

    public Copying(
            ConnectionFactory db,
            SchemaChangeSpec spec,
            StateStore store,
            Clock clock,
            Workspace workspace,
            CrashPoints crash) {
        this(db, spec, store, clock, workspace, crash, FreeSpace.DISKS);
    }

    /**
     * @param freeSpace where the Throttler reads the data disk's free space
     */
    public Copying(
            ConnectionFactory db,
            SchemaChangeSpec spec,
            StateStore store,
            Clock clock,
            Workspace workspace,
            CrashPoints crash,
            FreeSpace freeSpace) {
        this.freeSpace = freeSpace;
        this.crash = crash;
        this.db = db;
        this.spec = spec;
        this.store = store;
        this.clock = clock;
        this.workspace = workspace;
    }

    /** The Throttler's reason when the last {@link #backfill} stopped for it; null otherwise. */
    public String throttled() {
        return throttled;
    }

    public State installTriggers(Connection c, Plan plan, State state) throws SQLException {
        Watermark watermark = new Watermark(plan);
        // from here on every write is mirrored or journaled; rows up to this key are the backfill's
        // job
        List<String> max =
                workspace.installTriggers(
                        c, plan, watermark.create(c) ? watermark : null, chunker(c, plan));
        State next = state.withCopyRange(null, max).withPhase(Phase.Backfilling, "copying rows");
        store.saveRanges(c, state.schema(), state.table(), List.of()); // an earlier run's
        store.save(c, next, clock.instant());
        return next;
    }

    public State backfill(Connection c, Plan plan, State state, Controls controls, long deadline)
            throws SQLException {
        throttled = null;
        Watermark watermark = new Watermark(plan);
        boolean marked = watermark.installed(c);
        List<CopyRange> ranges = store.ranges(c, state.schema(), state.table());
        if (ranges.isEmpty() && spec.backfill().threads() > 1 && !copyDone(state)) {
            ranges = split(c, plan, state);
        }
        if (!ranges.isEmpty()) {
            return backfillInParallel(c, plan, state, ranges, controls, deadline);
        }
        Copier copier =
                new Copier(
                        plan,
                        chunker(c, plan),
                        store,
                        clock,
                        plan.lockFreeCopy() && readCommittedLogs(c),
                        marked ? watermark : null);
        Journal journal = marked ? new Journal(plan, watermark, copier) : null;
        settle(c, watermark, journal, state.cursor(), deadline);
        try (Throttler throttler = new Throttler(c, db, spec.backfill().throttle(), freeSpace)) {
            throttler.measureBaseline(0); // the copier runs on this session, never while asking
            // a chunk per call at least, however long the settle took: the copy always moves on
            boolean copied = false;
            while (!copyDone(state)) {
                if (controls.paused() || (copied && System.nanoTime() > deadline)) {
                    return state;
                }
                if (!throttler.mayProceed(deadline)) {
                    throttled = throttler.reason();
                    return state;
                }
                state = copyWithRetry(c, copier, state);
                copied = true;
                crash.reached("backfill:after-chunk");
                settle(c, watermark, journal, state.cursor(), deadline);
            }
        }
        workspace.checkConflicts(c, plan);
        State next =
                state.withVerified(null, List.of()).withPhase(Phase.Verifying, "verifying rows");
        store.save(c, next, clock.instant());
        return next;
    }

    /**
     * Saves the ranges first, then divides the mark to match them (in one statement): a crash in
     * between leaves ranges over an undivided mark, which {@link #backfillInParallel} divides
     * again.
     */
    private List<CopyRange> split(Connection c, Plan plan, State state) throws SQLException {
        List<CopyRange> ranges =
                ParallelCopy.split(c, chunker(c, plan), state, spec.backfill().threads());
        Sessions.inTransaction(
                c,
                false,
                () -> {
                    store.saveRanges(c, state.schema(), state.table(), ranges);
                    return null;
                });
        log.info(
                "{}.{}: {} copiers over ranges ending at {}",
                spec.database().schema(),
                spec.table(),
                ranges.size(),
                ranges.stream().map(r -> StateStore.json(r.upTo())).toList());
        return ranges;
    }

    private State backfillInParallel(
            Connection c,
            Plan plan,
            State state,
            List<CopyRange> ranges,
            Controls controls,
            long deadline)
            throws SQLException {
        Watermark watermark = new Watermark(plan);
        boolean marked = watermark.installed(c);
        // a mark with one row and several ranges: the crash came between saving the ranges and
        // dividing the mark; no row at all means the triggers mirror everything, and stays so
        if (marked && ranges.size() > 1 && watermark.ranges(c) == 1) {
            watermark.split(c, ranges);
        }
        if (chunkRowsCap == 0) { // a resumed run: the ranges exist, nothing measured the cap yet
            chunkRowsCap = chunkRowsCap(c, plan);
        }
        String copiers = ranges.size() == 1 ? "1 copier" : ranges.size() + " copiers";
        state = state.withPhase(Phase.Backfilling, "copying rows (" + copiers + ")");
        if (controls.paused()) { // late or not, each copier copies a chunk (ParallelCopy#copy)
            return state;
        }
        ParallelCopy parallel =
                new ParallelCopy(
                        db,
                        plan,
                        store,
                        clock,
                        crash,
                        no -> rangeChunkers.computeIfAbsent(no, n -> rangeChunker(plan)),
                        plan.lockFreeCopy() && readCommittedLogs(c),
                        marked ? watermark : null);
        try (Throttler throttler = new Throttler(c, db, spec.backfill().throttle(), freeSpace)) {
            throttler.measureBaseline(ranges.size());
            state = parallel.run(c, state, ranges, throttler, deadline);
        }
        if (!copyDone(state)) {
            throttled = parallel.held();
            return state;
        }
        workspace.checkConflicts(c, plan);
        State next =
                state.withVerified(null, List.of()).withPhase(Phase.Verifying, "verifying rows");
        store.save(c, next, clock.instant());
        return next;
    }

    /**
     * Moves the watermark up to the checkpoint, then re-copies the keys journaled below it and
     * forgets those above it that no open transaction holds ({@link Journal#prune}). Also the first
     * step of every backfill call: a crash may have come between a chunk's commit and its mark.
     */
    private void settle(
            Connection c, Watermark watermark, Journal journal, List<String> cursor, long deadline)
            throws SQLException {
        if (journal == null) {
            return;
        }
        if (cursor == null) { // nothing copied yet: every journaled key is ahead
            journal.prune(c, null, null);
            return;
        }
        if (!watermark.raise(c, cursor, deadline) && !markLost) {
            markLost = true;
            log.warn(
                    "{}.{}: no backfill watermark (never opened, or a server restart emptied it); triggers "
                            + "mirror every write",
                    spec.database().schema(),
                    spec.table());
        }
        long keys = journal.catchUp(c, cursor);
        if (keys > 0) {
            log.debug(
                    "{}.{}: re-copied {} keys written above the watermark",
                    spec.database().schema(),
                    spec.table(),
                    keys);
        }
        journal.prune(c, cursor, null);
    }

    private State copyWithRetry(Connection c, Copier copier, State state) throws SQLException {
        return Retry.of(10, Retry.linear(50))
                .run(
                        spec.database().schema() + "." + spec.table() + ": chunk copy",
                        attempt -> copier.copyNext(c, state));
    }

    private static boolean copyDone(State s) {
        return s.maxKey() == null || s.maxKey().equals(s.cursor());
    }

    /**
     * READ COMMITTED writes need row-based binary logging (or none): statement logging refuses
     * them.
     */
    static boolean readCommittedLogs(Connection c) throws SQLException {
        List<String> row = Sessions.firstRow(c, "SELECT @@log_bin, @@binlog_format", List.of());
        return "0".equals(row.get(0)) || !"STATEMENT".equalsIgnoreCase(row.get(1));
    }

    private Chunker chunker(Connection c, Plan plan) throws SQLException {
        if (copyChunker == null) {
            if (chunkRowsCap == 0) {
                chunkRowsCap = chunkRowsCap(c, plan);
            }
            copyChunker = rangeChunker(plan);
        }
        return copyChunker;
    }

    /** A copier's Chunker (each parallel copier has its own), once the cap is measured. */
    private Chunker rangeChunker(Plan plan) {
        return new Chunker(plan, Durations.parse(spec.backfill().chunkTime()), chunkRowsCap, 0);
    }

    static long averageRowLength(Connection c, Plan plan) throws SQLException {
        return Sessions.longValue(
                c,
                "SELECT COALESCE(MAX(AVG_ROW_LENGTH), 0) FROM information_schema.TABLES "
                        + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                List.of(plan.schema(), plan.table()));
    }

    /** The cap {@link #chunkRowsCap(Connection, Plan)} computes, from the average row length. */
    static int chunkRowsCap(SchemaChangeSpec spec, Plan plan, long avg) {
        long perChunk = spec.backfill().maxChunkBytes() / (Math.max(1, avg) * plan.parts().size());
        return (int) Math.min(spec.backfill().maxChunkRows(), Math.max(MIN_CHUNK_ROWS, perChunk));
    }

    /**
     * {@code maxChunkRows}, lowered so that a chunk writes about {@code maxChunkBytes} at most: a
     * chunk is one transaction, and on a server with {@code sync_binlog=1} every application commit
     * queues behind its binary-log write and fsync, so its size, not its duration, is what the
     * application feels. Row-based logging writes each row whole, once per part; the table's
     * average row length stands for it (never below {@link #MIN_CHUNK_ROWS}).
     */
    private int chunkRowsCap(Connection c, Plan plan) throws SQLException {
        long avg = averageRowLength(c, plan);
        int cap = chunkRowsCap(spec, plan, avg);
        if (cap < spec.backfill().maxChunkRows()) {
            log.info(
                    "{}.{}: chunks of at most {} rows ({} bytes a row, maxChunkBytes {})",
                    plan.schema(),
                    plan.table(),
                    cap,
                    avg,
                    spec.backfill().maxChunkBytes());
        }
        return cap;
    }
}

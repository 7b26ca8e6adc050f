package dev.schemachange.engine.copy;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.workspace.Workspace;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Verifying: every part compared with the original chunk by chunk by {@link Checksum}, from the
 * verify cursor on, each chunk checkpointed; at the end the shadows are analyzed and the change
 * awaits its swap. Each call works until its deadline or a pause and returns the state to save.
 *
 * <p>A chunk is compared by one aggregate per side, which costs a scan and no transfer, so its
 * chunks may be larger than the copy's: they follow {@code chunkTime} like the copy's, up to {@link
 * #WIDER} times {@code maxChunkRows}. A repair stays within {@code maxChunkRows}.
 */
public final class Verifier {
    /** How many times the copy's largest chunk a verify chunk may span. */
    static final int WIDER = 20;

    private final ConnectionFactory db;
    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final Clock clock;
    private final Workspace workspace;
    private Chunker chunker;

    /** The checksum of the plan it was made for: it keeps the parts' digests. */
    private Checksum checksum;

    private String checksumFor;

    public Verifier(
            ConnectionFactory db,
            SchemaChangeSpec spec,
            StateStore store,
            Clock clock,
            Workspace workspace) {
        this.db = db;
        this.spec = spec;
        this.store = store;
        this.clock = clock;
        this.workspace = workspace;
    }

    public State verify(Connection c, Plan plan, State state, Controls controls, long deadline)
            throws SQLException {
        int threads = Math.max(1, spec.backfill().threads());
        if (threads == 1) {
            return verify(c, plan, state, controls, deadline, List.of());
        }
        List<Connection> others = new ArrayList<>();
        try {
            for (int i = 1; i < threads; i++) {
                others.add(Sessions.open(db));
            }
            return verify(c, plan, state, controls, deadline, others);
        } finally {
            for (Connection o : others) {
                o.close();
            }
        }
    }

    private State verify(
            Connection c,
            Plan plan,
            State state,
            Controls controls,
            long deadline,
            List<Connection> others)
            throws SQLException {
        Chunker chunks = chunker(plan);
        Checksum checksum = checksum(plan, chunks);
        Copier copier = new Copier(plan, chunks, store, clock, false);
        int pieceRows = spec.backfill().maxChunkRows();
        List<String> cursor = state.verifyCursor();
        boolean started = cursor != null;
        ExecutorService pool =
                others.isEmpty() ? null : Executors.newFixedThreadPool(others.size());
        try {
            while (true) {
                if (controls.paused() || System.nanoTime() > deadline) {
                    return state;
                }
                List<Chunker.Range> ranges = new ArrayList<>();
                List<String> from = started ? cursor : null;
                do {
                    Chunker.Range range = chunks.next(c, from, null);
                    ranges.add(range);
                    from = range.upTo();
                } while (from != null && ranges.size() <= others.size());
                long t0 = System.nanoTime();
                List<Future<List<Integer>>> running = new ArrayList<>();
                for (int i = 1; i < ranges.size(); i++) {
                    Connection session = others.get(i - 1);
                    Chunker.Range range = ranges.get(i);
                    running.add(
                            pool.submit(
                                    () ->
                                            compare(
                                                    session, plan, range, checksum, copier,
                                                    pieceRows)));
                }
                List<Integer> repaired =
                        compare(c, plan, ranges.get(0), checksum, copier, pieceRows);
                for (Future<List<Integer>> f : running) {
                    List<Integer> more = done(f);
                    for (int p = 0; p < repaired.size(); p++) {
                        repaired.set(p, repaired.get(p) + more.get(p));
                    }
                }
                chunks.observe(chunks.size(), (System.nanoTime() - t0) / 1_000_000);
                started = true;
                cursor = ranges.get(ranges.size() - 1).upTo();
                state = state.withVerified(cursor, repaired);
                if (cursor == null) {
                    break;
                }
                store.save(c, state, clock.instant());
            }
        } finally {
            if (pool != null) {
                pool.shutdownNow();
            }
        }
        workspace.checkConflicts(c, plan);
        for (Plan.Part part : plan.parts()) {
            Sessions.exec(c, analyzeSql(part));
        }
        State next = state.withPhase(Phase.AwaitingSwap, "verified; waiting for the swap");
        store.save(c, next, clock.instant());
        return next;
    }

    /** The shadow's index statistics, refreshed once verified, so the new table is planned well. */
    static String analyzeSql(Plan.Part part) {
        return "ANALYZE TABLE " + part.shadowTable();
    }

    /** One chunk of every part; returns the pieces repaired per part. */
    private static List<Integer> compare(
            Connection c,
            Plan plan,
            Chunker.Range range,
            Checksum checksum,
            Copier copier,
            int pieceRows)
            throws SQLException {
        List<Integer> repaired = new ArrayList<>();
        for (Plan.Part part : plan.parts()) {
            repaired.add(checksum.verifyChunk(c, range, part, copier, pieceRows));
        }
        return repaired;
    }

    /** A chunk compared in another session: its result, or its failure as if it were ours. */
    private static List<Integer> done(Future<List<Integer>> f) throws SQLException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    private Chunker chunker(Plan plan) {
        if (chunker == null) {
            int maxRows = spec.backfill().maxChunkRows();
            chunker =
                    new Chunker(
                            plan,
                            Durations.parse(spec.backfill().chunkTime()),
                            (int) Math.min(Integer.MAX_VALUE, (long) maxRows * WIDER),
                            0);
        }
        return chunker;
    }

    private Checksum checksum(Plan plan, Chunker chunks) {
        if (!plan.hash().equals(checksumFor)) {
            checksum = new Checksum(plan, chunks);
            checksumFor = plan.hash();
        }
        return checksum;
    }
}

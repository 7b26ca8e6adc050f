package dev.schemachange.engine.copy;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
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

    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final Clock clock;
    private final Workspace workspace;
    private Chunker chunker;

    /** The checksum of the plan it was made for: it keeps the parts' digests. */
    private Checksum checksum;

    private String checksumFor;

    public Verifier(SchemaChangeSpec spec, StateStore store, Clock clock, Workspace workspace) {
        this.spec = spec;
        this.store = store;
        this.clock = clock;
        this.workspace = workspace;
    }

    public State verify(Connection c, Plan plan, State state, Controls controls, long deadline)
            throws SQLException {
        Chunker chunks = chunker(plan);
        Checksum checksum = checksum(plan, chunks);
        Copier copier = new Copier(plan, chunks, store, clock, false);
        int pieceRows = spec.backfill().maxChunkRows();
        List<String> cursor = state.verifyCursor();
        boolean started = cursor != null;
        while (true) {
            if (controls.paused() || System.nanoTime() > deadline) {
                return state;
            }
            Chunker.Range range = chunks.next(c, started ? cursor : null, null);
            long t0 = System.nanoTime();
            List<Integer> repaired = new ArrayList<>();
            for (Plan.Part part : plan.parts()) {
                repaired.add(checksum.verifyChunk(c, range, part, copier, pieceRows));
            }
            chunks.observe(chunks.size(), (System.nanoTime() - t0) / 1_000_000);
            started = true;
            cursor = range.upTo();
            state = state.withVerified(cursor, repaired);
            if (range.upTo() == null) {
                break;
            }
            store.save(c, state, clock.instant());
        }
        workspace.checkConflicts(c, plan);
        for (Plan.Part part : plan.parts()) {
            Sessions.exec(c, "ANALYZE TABLE " + part.shadowTable());
        }
        State next = state.withPhase(Phase.AwaitingSwap, "verified; waiting for the swap");
        store.save(c, next, clock.instant());
        return next;
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

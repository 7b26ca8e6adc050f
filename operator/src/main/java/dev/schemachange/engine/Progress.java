package dev.schemachange.engine;

import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import java.time.Instant;
import java.util.List;

/**
 * A snapshot of one change as the engine sees it after a step; the operator maps it to the CR
 * status and the CLI prints it. {@code waitingFor} says why the change does not move on by itself
 * (approval, window, pause); callers branch on its {@link Wait.Reason}, never on its text, so
 * rewording a message changes no behaviour.
 */
public record Progress(
        Phase phase,
        String message,
        Wait waitingFor,
        Problem problem,
        String cursor,
        long rowsCopied,
        long rowsEstimated,
        double rowsPerSecond,
        Instant eta,
        int chunkRows,
        int chunksRepaired,
        Instant nextWindowStart,
        int swapAttempts,
        Instant swappedAt,
        long lockMillis,
        String oldTable,
        List<String> notes,
        List<PartProgress> parts,
        RollbackLoss rollbackLoss) {

    public Progress {
        notes = notes == null ? List.of() : List.copyOf(notes);
        parts = parts == null ? List.of() : List.copyOf(parts);
    }

    /** A snapshot of a change whose rollback (if any) loses no row. */
    public Progress(
            Phase phase,
            String message,
            Wait waitingFor,
            Problem problem,
            String cursor,
            long rowsCopied,
            long rowsEstimated,
            double rowsPerSecond,
            Instant eta,
            int chunkRows,
            int chunksRepaired,
            Instant nextWindowStart,
            int swapAttempts,
            Instant swappedAt,
            long lockMillis,
            String oldTable,
            List<String> notes,
            List<PartProgress> parts) {
        this(
                phase,
                message,
                waitingFor,
                problem,
                cursor,
                rowsCopied,
                rowsEstimated,
                rowsPerSecond,
                eta,
                chunkRows,
                chunksRepaired,
                nextWindowStart,
                swapAttempts,
                swappedAt,
                lockMillis,
                oldTable,
                notes,
                parts,
                null);
    }

    /**
     * Rows written after the swap that did not fit the old table and were not carried back (a
     * widened column's value out of the old range): a rollback now loses them. Null while it loses
     * none.
     *
     * @param rows how many
     * @param firstKey the first such row's key, as text
     * @param firstColumns the old names of its columns that did not fit
     * @param firstAt when it was written
     * @param described the first rows named, for messages
     */
    public record RollbackLoss(
            long rows, String firstKey, String firstColumns, Instant firstAt, String described) {}

    /** Whether a rollback now would lose rows written since the swap. */
    public boolean rollbackLossy() {
        return rollbackLoss != null;
    }

    /** A snapshot without counts: before a state row exists, or when there is nothing to count. */
    public static Progress bare(Phase phase, String message, Problem problem, List<String> notes) {
        return new Progress(
                phase, message, null, problem, null, 0, 0, 0, null, 0, 0, null, 0, null, 0, null,
                notes, List.of());
    }

    /**
     * One table of a split: every source row is copied to each part in the same pass, so they share
     * the row count; verification repairs them one by one.
     */
    public record PartProgress(String table, long rowsCopied, int chunksRepaired) {}

    /**
     * The Throttler holds the copy back: a wait that ends by itself, unlike approval or a window.
     */
    public boolean throttled() {
        return waitingFor != null && waitingFor.is(Wait.Reason.THROTTLED);
    }

    /** The wait's reason, or null when the change does not wait. */
    public Wait.Reason waitReason() {
        return waitingFor == null ? null : waitingFor.reason();
    }

    /**
     * Whether a loop advancing the change (the CLI, tests) should stop here: at {@code until}, at
     * an end, at a problem, or at a wait only a decision or time ends — not while throttled, which
     * ends by itself.
     */
    public boolean stopsAt(Phase until) {
        return phase.isTerminal()
                || phase == until
                || (waitingFor != null && !throttled())
                || problem != null;
    }

    public double percent() {
        if (phase != null && !phase.isBefore(Phase.Verifying) && phase != Phase.Failed) {
            return 100.0;
        }
        if (rowsEstimated <= 0) {
            return 0.0;
        }
        return Math.min(100.0, Math.round(1000.0 * rowsCopied / rowsEstimated) / 10.0);
    }
}

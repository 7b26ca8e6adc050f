package dev.schemachange.testing;

import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import java.time.Instant;
import java.util.List;

/**
 * Builds a {@link Progress} for tests that script the engine: names what a test sets instead of 17
 * positional arguments, everything else zero or null as a fresh change reports it.
 */
public final class ProgressBuilder {
    private final Phase phase;
    private String message;
    private Wait waitingFor;
    private Problem problem;
    private String cursor;
    private long rowsCopied;
    private long rowsEstimated;
    private double rowsPerSecond;
    private Instant eta;
    private int chunkRows;
    private int chunksRepaired;
    private Instant nextWindowStart;
    private int swapAttempts;
    private Instant swappedAt;
    private long lockMillis;
    private String oldTable;
    private List<String> notes = List.of();
    private List<Progress.PartProgress> parts = List.of();
    private Progress.RollbackLoss rollbackLoss;

    private ProgressBuilder(Phase phase) {
        this.phase = phase;
    }

    public static ProgressBuilder at(Phase phase) {
        return new ProgressBuilder(phase);
    }

    public ProgressBuilder message(String message) {
        this.message = message;
        return this;
    }

    /** Waits for {@code reason}; the detail is only shown, so tests may word it as they like. */
    public ProgressBuilder waiting(Wait.Reason reason, String detail) {
        this.waitingFor = Wait.of(reason, detail);
        return this;
    }

    /** The wait as given, null for none. */
    public ProgressBuilder waiting(Wait wait) {
        this.waitingFor = wait;
        return this;
    }

    public ProgressBuilder problem(Problem problem) {
        this.problem = problem;
        return this;
    }

    public ProgressBuilder cursor(String cursor) {
        this.cursor = cursor;
        return this;
    }

    public ProgressBuilder rows(long copied, long estimated) {
        this.rowsCopied = copied;
        this.rowsEstimated = estimated;
        return this;
    }

    public ProgressBuilder rowsPerSecond(double rowsPerSecond) {
        this.rowsPerSecond = rowsPerSecond;
        return this;
    }

    public ProgressBuilder eta(Instant eta) {
        this.eta = eta;
        return this;
    }

    public ProgressBuilder chunkRows(int chunkRows) {
        this.chunkRows = chunkRows;
        return this;
    }

    public ProgressBuilder chunksRepaired(int chunksRepaired) {
        this.chunksRepaired = chunksRepaired;
        return this;
    }

    public ProgressBuilder nextWindowStart(Instant nextWindowStart) {
        this.nextWindowStart = nextWindowStart;
        return this;
    }

    public ProgressBuilder swapped(int attempts, Instant at, long lockMillis) {
        this.swapAttempts = attempts;
        this.swappedAt = at;
        this.lockMillis = lockMillis;
        return this;
    }

    public ProgressBuilder oldTable(String oldTable) {
        this.oldTable = oldTable;
        return this;
    }

    public ProgressBuilder notes(String... notes) {
        this.notes = List.of(notes);
        return this;
    }

    public ProgressBuilder rollbackLoss(Progress.RollbackLoss loss) {
        this.rollbackLoss = loss;
        return this;
    }

    public ProgressBuilder parts(Progress.PartProgress... parts) {
        this.parts = List.of(parts);
        return this;
    }

    public Progress build() {
        return new Progress(
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
                rollbackLoss);
    }
}

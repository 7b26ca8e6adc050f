package dev.schemachange.engine.state;

import dev.schemachange.api.Phase;
import java.time.Instant;
import java.util.List;

/** One row of {@code <workSchema>.schemachange_state}: the durable truth about a change. */
public record State(
        String schema,
        String table,
        String owner,
        String specHash,
        Phase phase,
        List<String> cursor,
        List<String> maxKey,
        long rowsCopied,
        long rowsEstimated,
        long copyMillis,
        int chunkRows,
        List<String> verifyCursor,
        int chunksRepaired,
        int swapAttempts,
        long lockMillis,
        Instant swappedAt,
        String oldTable,
        String message,
        Instant startedAt,
        List<Integer> partRepairs) {

    public State {
        partRepairs = partRepairs == null ? List.of() : List.copyOf(partRepairs);
    }

    public static State start(
            String schema,
            String table,
            String owner,
            String specHash,
            long rowsEstimated,
            Instant now) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                Phase.Preparing,
                null,
                null,
                0,
                rowsEstimated,
                0,
                0,
                null,
                0,
                0,
                0,
                null,
                null,
                "preparing the shadow table",
                now,
                List.of());
    }

    public State withPhase(Phase p, String msg) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                p,
                cursor,
                maxKey,
                rowsCopied,
                rowsEstimated,
                copyMillis,
                chunkRows,
                verifyCursor,
                chunksRepaired,
                swapAttempts,
                lockMillis,
                swappedAt,
                oldTable,
                msg,
                startedAt,
                partRepairs);
    }

    public State withCopyRange(List<String> newCursor, List<String> newMax) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                phase,
                newCursor,
                newMax,
                rowsCopied,
                rowsEstimated,
                copyMillis,
                chunkRows,
                verifyCursor,
                chunksRepaired,
                swapAttempts,
                lockMillis,
                swappedAt,
                oldTable,
                message,
                startedAt,
                partRepairs);
    }

    public State withCopied(List<String> newCursor, long rows, long millis, int chunk) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                phase,
                newCursor,
                maxKey,
                rowsCopied + rows,
                rowsEstimated,
                copyMillis + millis,
                chunk,
                verifyCursor,
                chunksRepaired,
                swapAttempts,
                lockMillis,
                swappedAt,
                oldTable,
                message,
                startedAt,
                partRepairs);
    }

    /**
     * The parallel copiers' totals: {@code cursor} shows where the copy stands (the lowest
     * unfinished range's checkpoint), {@code millis} the wall time the copiers worked.
     */
    public State withCopyTotals(List<String> newCursor, long rows, long millis, int chunk) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                phase,
                newCursor,
                maxKey,
                rows,
                rowsEstimated,
                millis,
                chunk,
                verifyCursor,
                chunksRepaired,
                swapAttempts,
                lockMillis,
                swappedAt,
                oldTable,
                message,
                startedAt,
                partRepairs);
    }

    /**
     * @param repaired per part, the chunks just re-copied (added to the counts so far); empty for
     *     none
     */
    public State withVerified(List<String> newVerifyCursor, List<Integer> repaired) {
        List<Integer> parts = new java.util.ArrayList<>(partRepairs);
        int total = 0;
        for (int i = 0; i < repaired.size(); i++) {
            total += repaired.get(i);
            if (i < parts.size()) {
                parts.set(i, parts.get(i) + repaired.get(i));
            } else {
                parts.add(repaired.get(i));
            }
        }
        return new State(
                schema,
                table,
                owner,
                specHash,
                phase,
                cursor,
                maxKey,
                rowsCopied,
                rowsEstimated,
                copyMillis,
                chunkRows,
                newVerifyCursor,
                chunksRepaired + total,
                swapAttempts,
                lockMillis,
                swappedAt,
                oldTable,
                message,
                startedAt,
                parts);
    }

    public State withSwap(int attempts, long lockMs, Instant at, String old) {
        return new State(
                schema,
                table,
                owner,
                specHash,
                phase,
                cursor,
                maxKey,
                rowsCopied,
                rowsEstimated,
                copyMillis,
                chunkRows,
                verifyCursor,
                chunksRepaired,
                attempts,
                lockMs,
                at,
                old,
                message,
                startedAt,
                partRepairs);
    }

    public double rowsPerSecond() {
        return copyMillis <= 0 ? 0 : rowsCopied * 1000.0 / copyMillis;
    }
}

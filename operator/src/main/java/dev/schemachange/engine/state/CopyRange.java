package dev.schemachange.engine.state;

import java.util.List;

/**
 * One parallel copier's share of the copy range: keys in {@code (after, upTo]} ({@code after} null
 * for the first), copied up to {@code cursor} (its checkpoint, committed with each chunk; {@code
 * after} before the first chunk), with its own counters.
 */
public record CopyRange(
        int no,
        List<String> after,
        List<String> upTo,
        List<String> cursor,
        long rowsCopied,
        long copyMillis,
        int chunkRows) {

    public CopyRange {
        after = after == null ? null : List.copyOf(after);
        upTo = List.copyOf(upTo);
        cursor = cursor == null ? null : List.copyOf(cursor);
    }

    /** A range nobody has copied from yet. */
    public static CopyRange fresh(int no, List<String> after, List<String> upTo) {
        return new CopyRange(no, after, upTo, after, 0, 0, 0);
    }

    public boolean done() {
        return upTo.equals(cursor);
    }

    public CopyRange withCopied(List<String> newCursor, long rows, long millis, int chunk) {
        return new CopyRange(
                no, after, upTo, newCursor, rowsCopied + rows, copyMillis + millis, chunk);
    }
}

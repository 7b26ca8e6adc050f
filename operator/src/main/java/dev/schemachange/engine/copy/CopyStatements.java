package dev.schemachange.engine.copy;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * The statements of the backfill and the verify for {@code osc plan}, built by the very methods
 * that run them ({@link Copier}, {@link Chunker}, {@link Watermark}, {@link Journal}, {@link
 * Checksum}): their text is what the engine logs, each chunk's bounds as {@code ?}.
 */
public final class CopyStatements {
    private final Plan plan;
    private final Chunker chunker;
    private final Copier copier;
    private final Watermark watermark;

    /** A chunk with both bounds: the shape of every chunk but the first (and the verify's last). */
    private final Chunker.Range range;

    public CopyStatements(Plan plan) {
        this.plan = plan;
        // size and rate do not enter the statements' text
        this.chunker = new Chunker(plan, Duration.ZERO, 1, 0);
        this.copier = new Copier(plan, chunker, null, null, false);
        this.watermark = new Watermark(plan);
        List<String> bound = Collections.nCopies(plan.key().size(), "?");
        this.range = new Chunker.Range(bound, bound);
    }

    /** Whether the backfill on this server reads without locks, as {@link Copying} decides it. */
    public static boolean lockFree(Connection c, Plan plan) throws SQLException {
        return plan.lockFreeCopy() && Copying.readCommittedLogs(c);
    }

    /**
     * Whether the triggers read a watermark on this server (the binary log format allows it; a
     * server that substitutes another engine for MEMORY goes without one, which {@code run} logs).
     */
    public static boolean watermarked(Connection c) throws SQLException {
        return Watermark.loggingAllows(c);
    }

    /**
     * The copy chunks' largest row count on this server, as {@link Copying} computes it from {@code
     * maxChunkRows}, {@code maxChunkBytes} and the table's average row length.
     */
    public static int chunkRowsCap(Connection c, Plan plan, SchemaChangeSpec spec)
            throws SQLException {
        return Copying.chunkRowsCap(spec, plan, Copying.averageRowLength(c, plan));
    }

    /**
     * Whether the verify's second checksum is CRC32C (MariaDB 10.8+) rather than 32 bits of MD5.
     */
    public static boolean crc32c(Connection c) {
        return Checksum.hasCrc32c(c);
    }

    /** Before the triggers: the watermark and journal tables, made afresh and empty. */
    public List<String> createWatermark() {
        List<String> out = new ArrayList<>(List.of(Watermark.dropStatement(plan)));
        out.addAll(watermark.createStatements());
        return out;
    }

    /** Under the triggers' WRITE lock: the copy range's end, and the mark opened at it. */
    public List<String> rangeEnd(boolean watermarked) {
        List<String> out = new ArrayList<>(List.of(chunker.maxKeySql()));
        if (watermarked) {
            out.add("DELETE FROM " + watermark.table());
            out.add(watermark.openSql());
        }
        return out;
    }

    /**
     * The copy of one chunk (of a locked chunk's piece): one INSERT IGNORE … SELECT per part,
     * bounds as placeholders; {@code version} is the server's VERSION(), which decides a locked
     * piece's NOWAIT clause.
     */
    public List<String> chunk(boolean lockFree, String version) {
        List<String> out = new ArrayList<>();
        for (Plan.Part part : plan.parts()) {
            out.add(
                    lockFree
                            ? copier.insertSelect(part, range, new ArrayList<>(), false)
                            : copier.lockedPiece(
                                    part, range, new ArrayList<>(), Copier.nowaitClause(version)));
        }
        return out;
    }

    /**
     * After a chunk (before it, too, when it is locked): the mark raised to the chunk's end, then
     * the keys journaled below it read for re-copying ({@code bounded}: a parallel copier's range
     * has a lower end).
     */
    public List<String> settle(boolean bounded) {
        Journal journal = new Journal(plan, watermark, copier);
        return List.of(
                watermark.raiseCheckSql(), watermark.raiseSql(true), journal.journaledSql(bounded));
    }

    /**
     * The verify of one chunk: per part, one consistent snapshot and the aggregate of each side.
     *
     * @param shadows each part's new table as the server builds it, by the part's shadow name
     */
    public List<String> verifyChunk(
            TableInfo source, Map<String, TableInfo> shadows, boolean crc32c) {
        Checksum checksum = new Checksum(plan, chunker);
        List<String> out = new ArrayList<>();
        for (Plan.Part part : plan.parts()) {
            Digest digest = Digest.of(part, source, shadows.get(part.shadow()), crc32c);
            out.add("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            out.add(checksum.sourceAggregate(digest, range, new ArrayList<>()));
            out.add(checksum.shadowAggregate(digest, range, part, new ArrayList<>()));
        }
        return out;
    }

    /** After the verify: the shadows' index statistics, so the new table is planned well. */
    public List<String> analyze() {
        return plan.parts().stream().map(Verifier::analyzeSql).toList();
    }
}

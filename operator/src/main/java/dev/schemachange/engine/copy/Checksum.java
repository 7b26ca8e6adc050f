package dev.schemachange.engine.copy;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares original and shadow chunk by chunk, each comparison inside one consistent snapshot: the
 * triggers change both tables in the application's own transaction, so a snapshot sees them equal
 * unless a row was lost. A chunk is first compared by an aggregate the server computes on each side
 * (rows and two sums of CRCs of each row's {@link Digest}), which reads every row once and sends
 * back one line; only a chunk whose aggregates differ is compared row by row via the key, and
 * repaired piece by piece. Values are compared as the new shape holds them (text by its utf8mb4
 * bytes).
 */
public final class Checksum {
    private static final Logger log = LoggerFactory.getLogger(Checksum.class);
    private final Plan plan;
    private final Chunker chunker;

    /**
     * Per part, by its shadow's name: read once, when the part is first compared (by whichever
     * verify session comes first).
     */
    private final Map<String, Digest> digests = new HashMap<>();

    Checksum(Plan plan, Chunker chunker) {
        this.plan = plan;
        this.chunker = chunker;
    }

    private synchronized Digest digest(Connection c, Plan.Part part) throws SQLException {
        Digest d = digests.get(part.shadow());
        if (d == null) {
            d = Digest.of(c, plan, part, hasCrc32c(c));
            digests.put(part.shadow(), d);
        }
        return d;
    }

    /** MariaDB 10.8 and later have CRC32C; MySQL does not. */
    static boolean hasCrc32c(Connection c) {
        try {
            Sessions.firstRow(c, "SELECT CRC32C('')", List.of());
            return true;
        } catch (SQLException e) {
            return false;
        }
    }

    /**
     * Verifies a part's range by its aggregates and, only where they differ, row by row; a range
     * with differing rows is then compared and repaired in pieces of at most {@code pieceRows}
     * rows, each piece as {@link #verify} does. Returns the pieces repaired.
     */
    int verifyChunk(Connection c, Chunker.Range r, Plan.Part part, Copier copier, int pieceRows)
            throws SQLException {
        if (sameAggregates(c, r, part)) {
            return 0;
        }
        long rows = differences(c, r, part);
        if (rows == 0) {
            // a type change the digest does not normalise: equal by value
            log.debug(
                    "{}.{}: digests of {} differ after key {}, its rows do not",
                    plan.schema(),
                    plan.table(),
                    part.shadow(),
                    r.after());
            return 0;
        }
        int repaired = 0;
        List<String> cursor = r.after();
        while (true) {
            Chunker.Range piece = chunker.next(c, cursor, r.upTo(), pieceRows);
            if (!sameAggregates(c, piece, part) && verify(c, piece, part, copier)) {
                repaired++;
            }
            if (piece.upTo() == null || piece.upTo().equals(r.upTo())) {
                return repaired;
            }
            cursor = piece.upTo();
        }
    }

    /**
     * Whether both sides of a part's range have the same rows by their aggregates, in one snapshot.
     */
    boolean sameAggregates(Connection c, Chunker.Range r, Plan.Part part) throws SQLException {
        Digest digest = digest(c, part);
        return Sessions.inTransaction(
                c,
                false,
                () -> {
                    Sessions.exec(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
                    List<Object> p1 = new ArrayList<>();
                    List<String> source = Sessions.firstRow(c, sourceAggregate(digest, r, p1), p1);
                    List<Object> p2 = new ArrayList<>();
                    List<String> target =
                            Sessions.firstRow(c, shadowAggregate(digest, r, part, p2), p2);
                    return source.equals(target);
                });
    }

    /** The original's aggregate over a range; adds the bounds' values to {@code params}. */
    String sourceAggregate(Digest digest, Chunker.Range r, List<Object> params) {
        return "SELECT "
                + digest.aggregate(false)
                + " FROM "
                + chunker.source()
                + chunker.forceIndex()
                + " WHERE "
                + chunker.where(r, params);
    }

    /** A part's shadow's aggregate over the same range. */
    String shadowAggregate(Digest digest, Chunker.Range r, Plan.Part part, List<Object> params) {
        return "SELECT "
                + digest.aggregate(true)
                + " FROM "
                + part.shadowTable()
                + " t WHERE "
                + chunker.where(r, params, part);
    }

    /**
     * Mismatching rows of a part in the range, counted in one snapshot (0 = equal to the original's
     * projection).
     */
    long differences(Connection c, Chunker.Range r, Plan.Part part) throws SQLException {
        String shadow = part.shadowTable();
        KeySql key = new KeySql(part.key());
        Digest digest = digest(c, part);
        return Sessions.inTransaction(
                c,
                false,
                () -> {
                    Sessions.exec(c, "START TRANSACTION WITH CONSISTENT SNAPSHOT");
                    List<Object> p1 = new ArrayList<>();
                    long source =
                            Sessions.longValue(
                                    c,
                                    "SELECT COUNT(*) FROM "
                                            + chunker.source()
                                            + chunker.forceIndex()
                                            + " WHERE "
                                            + chunker.where(r, p1),
                                    p1);
                    List<Object> p2 = new ArrayList<>();
                    long target =
                            Sessions.longValue(
                                    c,
                                    "SELECT COUNT(*) FROM "
                                            + shadow
                                            + " t WHERE "
                                            + chunker.where(r, p2, part),
                                    p2);
                    List<Object> p3 = new ArrayList<>();
                    long different =
                            Sessions.longValue(
                                    c,
                                    "SELECT COUNT(*) FROM "
                                            + chunker.source()
                                            + chunker.forceIndex()
                                            + " LEFT JOIN "
                                            + shadow
                                            + " t ON "
                                            + key.joinOn("s", "t")
                                            + " WHERE "
                                            + chunker.where(r, p3)
                                            + " AND ("
                                            + KeySql.col("t", part.key().get(0).shadow())
                                            + " IS NULL OR NOT ("
                                            + digest.sameRow()
                                            + "))",
                                    p3);
                    return different + Math.abs(source - target);
                });
    }

    /**
     * Compares a part's range and, when it differs, re-copies it under lock and compares again;
     * returns whether it had to. A range that still differs cannot be held by the new shape as it
     * is, which fails the change.
     */
    boolean verify(Connection c, Chunker.Range r, Plan.Part part, Copier copier)
            throws SQLException {
        long diff = differences(c, r, part);
        if (diff == 0) {
            return false;
        }
        log.warn(
                "{}.{}: {} rows of {} differ after key {}; repairing the chunk",
                plan.schema(),
                plan.table(),
                diff,
                part.shadow(),
                r.after());
        repair(c, r, part, copier);
        long again = differences(c, r, part);
        if (again > 0) {
            throw new Refused(
                    new Problem(
                            "spec.alter",
                            again
                                    + " rows after key "
                                    + r.after()
                                    + " still differ "
                                    + "between the original and "
                                    + part.shadow()
                                    + " after a repair: the new shape cannot hold them "
                                    + "as they are (e.g. a key that merges distinct values)",
                            "change the ALTER so every row keeps its identity and values"));
        }
        return true;
    }

    /**
     * Re-copies a range under lock: the source rows (and gaps) are share-locked first, so no
     * application write can interleave; then the shadow's rows of the range are replaced.
     */
    void repair(Connection c, Chunker.Range r, Plan.Part part, Copier copier) throws SQLException {
        Sessions.inTransaction(
                c,
                false,
                () -> {
                    List<Object> p1 = new ArrayList<>();
                    Sessions.firstRow(
                            c,
                            "SELECT "
                                    + new KeySql(plan.key()).render("s")
                                    + " FROM "
                                    + chunker.source()
                                    + chunker.forceIndex()
                                    + " WHERE "
                                    + chunker.where(r, p1)
                                    + " LOCK IN SHARE MODE",
                            p1);
                    List<Object> p2 = new ArrayList<>();
                    Sessions.update(
                            c,
                            "DELETE t FROM "
                                    + part.shadowTable()
                                    + " t WHERE "
                                    + chunker.where(r, p2, part),
                            p2);
                    List<Object> p3 = new ArrayList<>();
                    Sessions.update(c, copier.insertSelect(part, r, p3, true), p3);
                    copier.checkWarnings(c, "after " + r.after(), part);
                    return null;
                });
    }
}

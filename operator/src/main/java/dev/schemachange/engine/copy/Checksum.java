package dev.schemachange.engine.copy;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.engine.sql.Values;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compares original and shadow chunk by chunk, each chunk inside one consistent snapshot: the
 * triggers change both tables in the application's own transaction, so a snapshot sees them equal
 * unless a row was lost. Values are compared as the new shape holds them (text columns by their
 * utf8mb4 characters), row by row via the key, plus the row count of the same range on each side.
 */
public final class Checksum {
    private static final Logger log = LoggerFactory.getLogger(Checksum.class);
    private final Plan plan;
    private final Chunker chunker;

    Checksum(Plan plan, Chunker chunker) {
        this.plan = plan;
        this.chunker = chunker;
    }

    /**
     * Mismatching rows of a part in the range, counted in one snapshot (0 = equal to the original's
     * projection).
     */
    long differences(Connection c, Chunker.Range r, Plan.Part part) throws SQLException {
        String shadow = part.shadowTable();
        KeySql key = new KeySql(part.key());
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
                                            + sameValues(part)
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

    private static String sameValues(Plan.Part part) {
        return part.columns().stream().map(Checksum::same).collect(Collectors.joining(" AND "));
    }

    private static String same(Plan.ColumnPair c) {
        return Values.same(
                "s." + Identifiers.quote(c.source()),
                "t." + Identifiers.quote(c.shadow()),
                c.text());
    }
}

package dev.schemachange.engine.workspace;

import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code <workSchema>.schemachange_unfit}: the rows written after the swap that the reverse
 * triggers could not carry back, because a widened column's value does not fit the old table (a key
 * past the old INT range, a longer string, a NULL, a new ENUM value). Written by the triggers in
 * the application's transaction, so a row is recorded exactly when it was not written back; from
 * the first one, a rollback is no longer lossless.
 */
public final class UnfitRows {
    /** How many rows a refusal or a report names; the count is always complete. */
    static final int NAMED = 10;

    private final String workSchema;

    public UnfitRows(String workSchema) {
        this.workSchema = workSchema;
    }

    /** One recorded row: its key as text, the old names of the columns that did not fit. */
    public record Row(String key, String columns, String event, Instant at) {
        @Override
        public String toString() {
            return "key " + key + " (" + columns + ", " + event + " at " + at + ")";
        }
    }

    /** How many rows were not carried back, and the first ones in the order they were written. */
    public record Summary(long count, List<Row> first) {
        public Summary {
            first = List.copyOf(first);
        }

        /** "2 rows: key 7 (balance, update at …), …". */
        public String describe() {
            StringBuilder out =
                    new StringBuilder(count + (count == 1 ? " row" : " rows") + " not carried: ");
            for (int i = 0; i < first.size(); i++) {
                out.append(i == 0 ? "" : ", ").append(first.get(i));
            }
            if (count > first.size()) {
                out.append(", and ").append(count - first.size()).append(" more");
            }
            return out.toString();
        }
    }

    String table() {
        return Identifiers.quote(workSchema, TriggerSql.UNFIT);
    }

    void ensure(Connection c) throws SQLException {
        Sessions.exec(
                c,
                "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(workSchema),
                "CREATE TABLE IF NOT EXISTS "
                        + table()
                        + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                        + "table_schema VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL, "
                        + "event VARCHAR(16) NOT NULL, row_key TEXT NULL, columns TEXT NULL, "
                        + "at DATETIME(6) NOT NULL, KEY (table_schema, table_name)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
    }

    /** The change's rows that did not fit, if any (none also when no table was ever made). */
    public Optional<Summary> summary(Connection c, String schema, String table)
            throws SQLException {
        if (!exists(c)) {
            return Optional.empty();
        }
        long count =
                Sessions.longValue(
                        c,
                        "SELECT COUNT(*) FROM "
                                + table()
                                + " WHERE table_schema = ? AND table_name = ?",
                        List.of(schema, table));
        if (count == 0) {
            return Optional.empty();
        }
        List<Row> rows = new ArrayList<>();
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT row_key, columns, event, at FROM "
                                + table()
                                + " WHERE table_schema = ? AND table_name = ? ORDER BY id LIMIT "
                                + NAMED)) {
            Sessions.bind(ps, List.of(schema, table));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    rows.add(
                            new Row(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getTimestamp(4).toInstant()));
                }
            }
        }
        return Optional.of(new Summary(count, rows));
    }

    void clear(Connection c, String schema, String table) throws SQLException {
        if (exists(c)) {
            Sessions.update(
                    c,
                    "DELETE FROM " + table() + " WHERE table_schema = ? AND table_name = ?",
                    List.of(schema, table));
        }
    }

    private boolean exists(Connection c) throws SQLException {
        return Sessions.firstRow(
                        c,
                        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(workSchema, TriggerSql.UNFIT))
                != null;
    }
}

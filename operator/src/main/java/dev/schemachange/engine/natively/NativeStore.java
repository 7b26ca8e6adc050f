package dev.schemachange.engine.natively;

import dev.schemachange.engine.db.Sessions;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * A native change's choice, beside its state row in {@code <workSchema>.schemachange_native}: a
 * change without such a row (for its spec) is a copy. Written before the state row, so a state row
 * of a native change always finds it.
 */
final class NativeStore {
    static final String TABLE = "schemachange_native";
    private final String workSchema;

    NativeStore(String workSchema) {
        this.workSchema = workSchema;
    }

    private String table() {
        return Identifiers.quote(workSchema, TABLE);
    }

    void save(Connection c, String schema, String table, String specHash, Choice choice)
            throws SQLException {
        Sessions.exec(
                c,
                "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(workSchema),
                "CREATE TABLE IF NOT EXISTS "
                        + table()
                        + " (table_schema VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL, "
                        + "spec_hash CHAR(40) NOT NULL, algorithm VARCHAR(16) NOT NULL, reason TEXT NOT NULL, "
                        + "reverse_alter TEXT NULL, no_reverse TEXT NULL, after_shape LONGTEXT NOT NULL, "
                        + "PRIMARY KEY (table_schema, table_name)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        Sessions.update(
                c,
                "REPLACE INTO "
                        + table()
                        + " (table_schema, table_name, spec_hash, algorithm, reason, reverse_alter, "
                        + "no_reverse, after_shape) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                List.of(
                        schema,
                        table,
                        specHash,
                        choice.algorithm(),
                        choice.reason(),
                        nullable(choice.reverse()),
                        nullable(choice.noReverse()),
                        choice.afterShape()));
    }

    /** The native choice recorded for this spec of the table, if it was one. */
    Optional<Choice> load(Connection c, String schema, String table, String specHash)
            throws SQLException {
        if (Sessions.firstRow(
                        c,
                        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(workSchema, TABLE))
                == null) {
            return Optional.empty();
        }
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT algorithm, reason, reverse_alter, no_reverse, after_shape FROM "
                                + table()
                                + " WHERE table_schema = ? AND table_name = ? AND spec_hash = ?")) {
            Sessions.bind(ps, List.of(schema, table, specHash));
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        new Choice(
                                true,
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                rs.getString(5)));
            }
        }
    }

    /** Forgets the table's native choice: a new change of it chose a copy. */
    void forget(Connection c, String schema, String table) throws SQLException {
        if (Sessions.firstRow(
                        c,
                        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(workSchema, TABLE))
                != null) {
            Sessions.update(
                    c,
                    "DELETE FROM " + table() + " WHERE table_schema = ? AND table_name = ?",
                    List.of(schema, table));
        }
    }

    private static Object nullable(String v) {
        return v == null ? new Sessions.NullValue() : v;
    }
}

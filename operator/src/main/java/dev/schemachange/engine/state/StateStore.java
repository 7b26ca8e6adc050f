package dev.schemachange.engine.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.schemachange.api.Phase;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Progress lives in the database, next to the data it describes, so any process can resume a change
 * and the cursor can be written in the same transaction as the chunk it covers. The primary key
 * (schema, table) makes the row a lock: one change per table at a time.
 */
public final class StateStore {
    static final String TABLE = "schemachange_state";
    static final String CONFLICTS = "schemachange_conflicts";
    static final String TRIGGERS = "schemachange_triggers";
    static final String RANGES = "schemachange_ranges";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String COLUMNS =
            "table_schema, table_name, owner, spec_hash, phase, copy_cursor, max_key, "
                    + "rows_copied, rows_estimated, copy_millis, chunk_rows, verify_cursor, chunks_repaired, swap_attempts, "
                    + "lock_millis, swapped_at, old_table, message, started_at, part_repairs";
    private final String workSchema;

    public StateStore(String workSchema) {
        this.workSchema = workSchema;
    }

    String table() {
        return Identifiers.quote(workSchema, TABLE);
    }

    String ranges() {
        return Identifiers.quote(workSchema, RANGES);
    }

    public String conflicts() {
        return Identifiers.quote(workSchema, CONFLICTS);
    }

    public void ensure(Connection c) throws SQLException {
        Sessions.exec(
                c,
                "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(workSchema),
                "CREATE TABLE IF NOT EXISTS "
                        + table()
                        + " ("
                        + "table_schema VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL, "
                        + "owner VARCHAR(255) NOT NULL, spec_hash CHAR(40) NOT NULL, phase VARCHAR(32) NOT NULL, "
                        + "copy_cursor TEXT NULL, max_key TEXT NULL, rows_copied BIGINT NOT NULL DEFAULT 0, "
                        + "rows_estimated BIGINT NOT NULL DEFAULT 0, copy_millis BIGINT NOT NULL DEFAULT 0, "
                        + "chunk_rows INT NOT NULL DEFAULT 0, verify_cursor TEXT NULL, "
                        + "chunks_repaired INT NOT NULL DEFAULT 0, swap_attempts INT NOT NULL DEFAULT 0, "
                        + "lock_millis BIGINT NOT NULL DEFAULT 0, swapped_at DATETIME(6) NULL, "
                        + "old_table VARCHAR(200) NULL, message TEXT NULL, started_at DATETIME(6) NOT NULL, "
                        + "part_repairs TEXT NULL, "
                        + "updated_at DATETIME(6) NOT NULL, PRIMARY KEY (table_schema, table_name)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                // written by our triggers when a late write collides on a unique key of the new
                // shape
                "CREATE TABLE IF NOT EXISTS "
                        + conflicts()
                        + " ("
                        + "id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, table_schema VARCHAR(64) NOT NULL, "
                        + "table_name VARCHAR(64) NOT NULL, event VARCHAR(16) NOT NULL, detail TEXT NULL, "
                        + "at DATETIME(6) NOT NULL, KEY (table_schema, table_name)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                // the table's own triggers, saved before the swap moves them: a crash between
                // dropping and
                // recreating one must not lose it
                "CREATE TABLE IF NOT EXISTS "
                        + Identifiers.quote(workSchema, TRIGGERS)
                        + " ("
                        + "table_schema VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL, "
                        + "trigger_name VARCHAR(64) NOT NULL, event VARCHAR(16) NOT NULL, timing VARCHAR(16) NOT NULL, "
                        + "statement LONGTEXT NOT NULL, sql_mode TEXT NOT NULL, definer VARCHAR(400) NOT NULL, "
                        + "action_order BIGINT NOT NULL, PRIMARY KEY (table_schema, table_name, trigger_name)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
                // one row per parallel copier: each commits its own cursor with its chunk, so the
                // copiers never wait for each other's row lock
                "CREATE TABLE IF NOT EXISTS "
                        + ranges()
                        + " ("
                        + "table_schema VARCHAR(64) NOT NULL, table_name VARCHAR(64) NOT NULL, "
                        + "range_no INT NOT NULL, after_key TEXT NULL, up_to TEXT NOT NULL, "
                        + "copy_cursor TEXT NULL, rows_copied BIGINT NOT NULL DEFAULT 0, "
                        + "copy_millis BIGINT NOT NULL DEFAULT 0, chunk_rows INT NOT NULL DEFAULT 0, "
                        + "PRIMARY KEY (table_schema, table_name, range_no)"
                        + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
        // a state table made by an earlier version lacks the newer columns
        if (Sessions.firstRow(
                        c,
                        "SELECT 1 FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                                + "AND COLUMN_NAME = 'part_repairs'",
                        List.of(workSchema, TABLE))
                == null) {
            Sessions.exec(
                    c,
                    "ALTER TABLE "
                            + table()
                            + " ADD COLUMN part_repairs TEXT NULL AFTER started_at");
        }
    }

    public void saveUserTriggers(
            Connection c, String schema, String table, List<TableInfo.Trigger> triggers)
            throws SQLException {
        Sessions.update(
                c,
                "DELETE FROM "
                        + Identifiers.quote(workSchema, TRIGGERS)
                        + " WHERE table_schema = ? AND table_name = ?",
                List.of(schema, table));
        for (TableInfo.Trigger t : triggers) {
            Sessions.update(
                    c,
                    "INSERT INTO "
                            + Identifiers.quote(workSchema, TRIGGERS)
                            + " (table_schema, table_name, "
                            + "trigger_name, event, timing, statement, sql_mode, definer, action_order) "
                            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    List.of(
                            schema,
                            table,
                            t.name(),
                            t.event(),
                            t.timing(),
                            t.statement(),
                            t.sqlMode(),
                            t.definer(),
                            t.actionOrder()));
        }
    }

    public List<TableInfo.Trigger> userTriggers(Connection c, String schema, String table)
            throws SQLException {
        List<TableInfo.Trigger> out = new ArrayList<>();
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT trigger_name, event, timing, statement, sql_mode, "
                                + "definer, action_order FROM "
                                + Identifiers.quote(workSchema, TRIGGERS)
                                + " WHERE table_schema = ? AND table_name = ? ORDER BY timing, event, action_order")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            new TableInfo.Trigger(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    rs.getString(5),
                                    rs.getString(6),
                                    rs.getLong(7),
                                    null,
                                    null));
                }
            }
        }
        return out;
    }

    public Optional<State> load(Connection c, String schema, String table) throws SQLException {
        if (!exists(c)) {
            return Optional.empty();
        }
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT "
                                + COLUMNS
                                + " FROM "
                                + table()
                                + " WHERE table_schema = ? AND table_name = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(
                        new State(
                                rs.getString(1),
                                rs.getString(2),
                                rs.getString(3),
                                rs.getString(4),
                                Phase.valueOf(rs.getString(5)),
                                list(rs.getString(6)),
                                list(rs.getString(7)),
                                rs.getLong(8),
                                rs.getLong(9),
                                rs.getLong(10),
                                rs.getInt(11),
                                list(rs.getString(12)),
                                rs.getInt(13),
                                rs.getInt(14),
                                rs.getLong(15),
                                instant(rs.getTimestamp(16)),
                                rs.getString(17),
                                rs.getString(18),
                                instant(rs.getTimestamp(19)),
                                integers(list(rs.getString(20)))));
            }
        }
    }

    boolean exists(Connection c) throws SQLException {
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT 1 FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, workSchema);
            ps.setString(2, TABLE);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /** Inserts or replaces the whole row. */
    public void save(Connection c, State s, Instant now) throws SQLException {
        Sessions.update(
                c,
                "REPLACE INTO "
                        + table()
                        + " ("
                        + COLUMNS
                        + ", updated_at) VALUES "
                        + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                List.of(
                        s.schema(),
                        s.table(),
                        s.owner(),
                        s.specHash(),
                        s.phase().name(),
                        nullable(json(s.cursor())),
                        nullable(json(s.maxKey())),
                        s.rowsCopied(),
                        s.rowsEstimated(),
                        s.copyMillis(),
                        s.chunkRows(),
                        nullable(json(s.verifyCursor())),
                        s.chunksRepaired(),
                        s.swapAttempts(),
                        s.lockMillis(),
                        nullable(ts(s.swappedAt())),
                        nullable(s.oldTable()),
                        nullable(s.message()),
                        ts(s.startedAt()),
                        json(s.partRepairs().stream().map(String::valueOf).toList()),
                        ts(now)));
    }

    /** The copy checkpoint; the Copier calls this inside the chunk's own transaction. */
    public void saveCopyProgress(Connection c, State s, Instant now) throws SQLException {
        Sessions.update(
                c,
                "UPDATE "
                        + table()
                        + " SET copy_cursor = ?, rows_copied = ?, copy_millis = ?, "
                        + "chunk_rows = ?, updated_at = ? WHERE table_schema = ? AND table_name = ?",
                List.of(
                        json(s.cursor()),
                        s.rowsCopied(),
                        s.copyMillis(),
                        s.chunkRows(),
                        ts(now),
                        s.schema(),
                        s.table()));
    }

    /**
     * The parallel copiers' ranges of a change, in key order; empty when one copier works with the
     * state row's cursor.
     */
    public List<CopyRange> ranges(Connection c, String schema, String table) throws SQLException {
        List<CopyRange> out = new ArrayList<>();
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "SELECT range_no, after_key, up_to, copy_cursor, rows_copied, copy_millis, "
                                + "chunk_rows FROM "
                                + ranges()
                                + " WHERE table_schema = ? AND table_name = ? ORDER BY range_no")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(
                            new CopyRange(
                                    rs.getInt(1),
                                    list(rs.getString(2)),
                                    list(rs.getString(3)),
                                    list(rs.getString(4)),
                                    rs.getLong(5),
                                    rs.getLong(6),
                                    rs.getInt(7)));
                }
            }
        }
        return out;
    }

    /** Replaces the ranges of a change (none: forgets them). */
    public void saveRanges(Connection c, String schema, String table, List<CopyRange> ranges)
            throws SQLException {
        Sessions.update(
                c,
                "DELETE FROM " + ranges() + " WHERE table_schema = ? AND table_name = ?",
                List.of(schema, table));
        for (CopyRange r : ranges) {
            Sessions.update(
                    c,
                    "INSERT INTO "
                            + ranges()
                            + " (table_schema, table_name, range_no, after_key, up_to, copy_cursor, "
                            + "rows_copied, copy_millis, chunk_rows) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    List.of(
                            schema,
                            table,
                            r.no(),
                            nullable(json(r.after())),
                            json(r.upTo()),
                            nullable(json(r.cursor())),
                            r.rowsCopied(),
                            r.copyMillis(),
                            r.chunkRows()));
        }
    }

    /** One range's checkpoint; its copier calls this inside the chunk's own transaction. */
    public void saveRangeProgress(Connection c, String schema, String table, CopyRange r)
            throws SQLException {
        Sessions.update(
                c,
                "UPDATE "
                        + ranges()
                        + " SET copy_cursor = ?, rows_copied = ?, copy_millis = ?, chunk_rows = ? "
                        + "WHERE table_schema = ? AND table_name = ? AND range_no = ?",
                List.of(
                        json(r.cursor()),
                        r.rowsCopied(),
                        r.copyMillis(),
                        r.chunkRows(),
                        schema,
                        table,
                        r.no()));
    }

    /**
     * Forgets the conflicts and saved triggers of a change that ended; the state row stays as its
     * record.
     */
    public void clearHelpers(Connection c, String schema, String table) throws SQLException {
        if (exists(c)) {
            Sessions.update(
                    c,
                    "DELETE FROM " + conflicts() + " WHERE table_schema = ? AND table_name = ?",
                    List.of(schema, table));
            saveRanges(c, schema, table, List.of());
            Sessions.update(
                    c,
                    "DELETE FROM "
                            + Identifiers.quote(workSchema, TRIGGERS)
                            + " WHERE table_schema = ? AND table_name = ?",
                    List.of(schema, table));
        }
    }

    /** The first late write that collided on a unique key of the new shape, if any. */
    public Optional<String> firstConflict(Connection c, String schema, String table)
            throws SQLException {
        List<String> row =
                Sessions.firstRow(
                        c,
                        "SELECT event, detail, at FROM "
                                + conflicts()
                                + " WHERE table_schema = ? AND table_name = ? ORDER BY id LIMIT 1",
                        List.of(schema, table));
        return row == null
                ? Optional.empty()
                : Optional.of(
                        "an "
                                + row.get(0)
                                + " at "
                                + row.get(2)
                                + " of the row with key "
                                + row.get(1));
    }

    public static String json(List<String> values) {
        if (values == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(values);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> list(String json) {
        if (json == null) {
            return null;
        }
        try {
            return new ArrayList<>(JSON.readValue(json, new TypeReference<List<String>>() {}));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable cursor in " + TABLE + ": " + json, e);
        }
    }

    private static List<Integer> integers(List<String> values) {
        return values == null ? List.of() : values.stream().map(Integer::valueOf).toList();
    }

    private static Object nullable(Object v) {
        return v == null ? new Sessions.NullValue() : v;
    }

    private static Timestamp ts(Instant i) {
        return i == null ? null : Timestamp.from(i);
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }
}

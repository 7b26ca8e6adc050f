package dev.schemachange.mysql;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the server: read-only and cheap, so every phase can call it on entry. */
public final class Inspector {
    private static final Pattern VERSION = Pattern.compile("^(\\d+)\\.(\\d+)");
    private final Connection c;

    public Inspector(Connection connection) {
        this.c = connection;
    }

    public ServerInfo server() throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery(
                                "SELECT VERSION(), @@version_comment, @@log_bin, @@binlog_format, "
                                        + "@@log_bin_trust_function_creators, @@sql_mode, CURRENT_USER()")) {
            rs.next();
            String version = rs.getString(1);
            Matcher m = VERSION.matcher(version);
            boolean parsed = m.find();
            int major = parsed ? Integer.parseInt(m.group(1)) : 0;
            int minor = parsed ? Integer.parseInt(m.group(2)) : 0;
            boolean maria =
                    (version + " " + rs.getString(2)).toLowerCase(Locale.ROOT).contains("mariadb");
            return new ServerInfo(
                    version,
                    maria,
                    major,
                    minor,
                    rs.getInt(3) == 1,
                    rs.getString(4),
                    rs.getInt(5) == 1,
                    rs.getString(6),
                    rs.getString(7),
                    globalPrivileges(rs.getString(7)));
        }
    }

    /** Privileges granted to the current user at global level, and on the given schema. */
    public Set<String> privileges(String schema) throws SQLException {
        Set<String> out = new HashSet<>(globalPrivileges(currentUser()));
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT PRIVILEGE_TYPE, TABLE_SCHEMA FROM "
                                + "information_schema.SCHEMA_PRIVILEGES WHERE GRANTEE = ?")) {
            ps.setString(1, grantee(currentUser()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (likeMatches(rs.getString(2), schema)) {
                        out.add(rs.getString(1).toUpperCase(Locale.ROOT));
                    }
                }
            }
        }
        return out;
    }

    private String currentUser() throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT CURRENT_USER()")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private Set<String> globalPrivileges(String user) throws SQLException {
        Set<String> out = new HashSet<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT PRIVILEGE_TYPE FROM information_schema.USER_PRIVILEGES WHERE GRANTEE = ?")) {
            ps.setString(1, grantee(user));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1).toUpperCase(Locale.ROOT));
                }
            }
        }
        return out;
    }

    /** CURRENT_USER() says user@host; information_schema says 'user'@'host'. */
    private static String grantee(String user) {
        int at = user.lastIndexOf('@');
        return at < 0
                ? "'" + user + "'"
                : "'" + user.substring(0, at) + "'@'" + user.substring(at + 1) + "'";
    }

    /** Schema grants may use LIKE patterns with escaped underscores, e.g. `shop\_db`. */
    private static boolean likeMatches(String pattern, String schema) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char ch = pattern.charAt(i);
            if (ch == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (ch == '%') {
                regex.append(".*");
            } else if (ch == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(ch)));
            }
        }
        return schema.matches(regex.toString());
    }

    public boolean tableExists(String schema, String table) throws SQLException {
        return exists(
                "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                schema,
                table);
    }

    /** The table, or empty when it does not exist. */
    public Optional<TableInfo> table(String schema, String table) throws SQLException {
        String engine;
        String tableType;
        long rows;
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT ENGINE, TABLE_ROWS, TABLE_TYPE, TABLE_NAME FROM "
                                + "information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                engine = rs.getString(1);
                rows = rs.getLong(2);
                tableType = rs.getString(3);
                table = rs.getString(4);
            }
        }
        if (!"BASE TABLE".equalsIgnoreCase(tableType)) {
            engine = tableType;
        }
        return Optional.of(
                new TableInfo(
                        schema,
                        table,
                        engine,
                        columns(schema, table),
                        indexes(schema, table),
                        foreignKeys(schema, table, false),
                        foreignKeys(schema, table, true),
                        triggers(schema, table),
                        rows,
                        showCreate(schema, table)));
    }

    public String showCreate(String schema, String table) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs =
                        s.executeQuery("SHOW CREATE TABLE " + Identifiers.quote(schema, table))) {
            rs.next();
            return rs.getString(2);
        }
    }

    private List<TableInfo.Column> columns(String schema, String table) throws SQLException {
        List<TableInfo.Column> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT COLUMN_NAME, ORDINAL_POSITION, DATA_TYPE, COLUMN_TYPE, "
                                + "IS_NULLABLE, EXTRA, CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS "
                                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String extra =
                            rs.getString(6) == null ? "" : rs.getString(6).toUpperCase(Locale.ROOT);
                    boolean generated =
                            extra.contains("GENERATED")
                                    || extra.contains("VIRTUAL")
                                    || extra.contains("PERSISTENT")
                                    || extra.contains("STORED");
                    out.add(
                            new TableInfo.Column(
                                    rs.getString(1),
                                    rs.getInt(2),
                                    rs.getString(3),
                                    rs.getString(4),
                                    "YES".equals(rs.getString(5)),
                                    generated,
                                    rs.getString(7),
                                    rs.getString(8),
                                    rs.getString(9) != null
                                            || generated
                                            || extra.contains("AUTO_INCREMENT")));
                }
            }
        }
        return out;
    }

    private List<TableInfo.Index> indexes(String schema, String table) throws SQLException {
        Map<String, TableInfo.Index> byName = new LinkedHashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM "
                                + "information_schema.STATISTICS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
                                + "ORDER BY INDEX_NAME = 'PRIMARY' DESC, INDEX_NAME, SEQ_IN_INDEX")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String name = rs.getString(1);
                    String column = rs.getString(3);
                    TableInfo.Index prev = byName.get(name);
                    List<String> cols = new ArrayList<>(prev == null ? List.of() : prev.columns());
                    if (column != null) { // functional index parts have no column
                        cols.add(column);
                    }
                    byName.put(
                            name,
                            new TableInfo.Index(
                                    name,
                                    "PRIMARY".equals(name),
                                    rs.getInt(2) == 0,
                                    List.copyOf(cols)));
                }
            }
        }
        return List.copyOf(byName.values());
    }

    /**
     * Constraints this table declares ({@code referencing=false}) or that other tables declare on
     * it.
     */
    private List<TableInfo.ForeignKey> foreignKeys(String schema, String table, boolean referencing)
            throws SQLException {
        String where =
                referencing
                        ? "k.REFERENCED_TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME = ?"
                        : "k.TABLE_SCHEMA = ? AND k.TABLE_NAME = ?";
        Map<String, TableInfo.ForeignKey> byName = new LinkedHashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT k.CONSTRAINT_NAME, k.TABLE_SCHEMA, k.TABLE_NAME, "
                                + "k.COLUMN_NAME, k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
                                + "r.UPDATE_RULE, r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k "
                                + "JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA "
                                + "AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME "
                                + "WHERE k.REFERENCED_TABLE_NAME IS NOT NULL AND "
                                + where
                                + " ORDER BY k.TABLE_SCHEMA, k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION")) {
            ps.setString(1, schema);
            ps.setString(2, table);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String key = rs.getString(2) + "." + rs.getString(3) + "." + rs.getString(1);
                    TableInfo.ForeignKey prev = byName.get(key);
                    List<String> cols = new ArrayList<>(prev == null ? List.of() : prev.columns());
                    List<String> refCols =
                            new ArrayList<>(prev == null ? List.of() : prev.refColumns());
                    cols.add(rs.getString(4));
                    refCols.add(rs.getString(7));
                    byName.put(
                            key,
                            new TableInfo.ForeignKey(
                                    rs.getString(1),
                                    rs.getString(2),
                                    rs.getString(3),
                                    List.copyOf(cols),
                                    rs.getString(5),
                                    rs.getString(6),
                                    List.copyOf(refCols),
                                    rs.getString(8),
                                    rs.getString(9)));
                }
            }
        }
        return List.copyOf(byName.values());
    }

    public List<TableInfo.Trigger> triggers(String schema, String table) throws SQLException {
        List<TableInfo.Trigger> out = new ArrayList<>();
        try (PreparedStatement ps =
                c.prepareStatement(
                        "SELECT TRIGGER_NAME, EVENT_MANIPULATION, ACTION_TIMING, "
                                + "ACTION_STATEMENT, SQL_MODE, DEFINER, ACTION_ORDER, CHARACTER_SET_CLIENT, COLLATION_CONNECTION "
                                + "FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ? AND EVENT_OBJECT_TABLE = ? "
                                + "ORDER BY ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER")) {
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
                                    rs.getString(8),
                                    rs.getString(9)));
                }
            }
        }
        return out;
    }

    public long globalStatus(String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SHOW GLOBAL STATUS LIKE ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(2) : 0;
            }
        }
    }

    private boolean exists(String sql, String... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setString(i + 1, args[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}

package dev.schemachange.testing;

import dev.schemachange.local.MariaDbServer;
import dev.schemachange.local.Workload;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * One test class's own database on the shared server, with small helpers for arranging and
 * asserting data.
 */
public record TestDatabase(MariaDbServer server, String name) {

    public String jdbcUrl() {
        return server.jdbcUrl(name);
    }

    public Connection connect() throws SQLException {
        return server.connect(name);
    }

    /**
     * An application's session that opens a transaction at {@code isolation} and gives up a row
     * lock wait after one second, so a test that probes for a lock it must not meet fails quickly.
     */
    public Connection transaction(String isolation) throws SQLException {
        Connection c = connect();
        try (Statement s = c.createStatement()) {
            s.execute("SET SESSION TRANSACTION ISOLATION LEVEL " + isolation);
            s.execute("SET SESSION innodb_lock_wait_timeout = 1");
        }
        c.setAutoCommit(false);
        return c;
    }

    /** Runs statements in one session, in order. */
    public void exec(String... sql) {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** The rows of a query, each rendered as its column values joined by '|' (NULL as "NULL"). */
    public List<String> rows(String sql) {
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            return render(rs);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /**
     * The rows of several queries read in one consistent snapshot (REPEATABLE READ), so a live
     * table and its workload reference, written in the same transactions, can be compared while the
     * workload runs.
     */
    public List<List<String>> snapshot(String... queries) {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
            s.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            List<List<String>> out = new ArrayList<>();
            for (String q : queries) {
                try (ResultSet rs = s.executeQuery(q)) {
                    out.add(render(rs));
                }
            }
            s.execute("COMMIT");
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static List<String> render(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 1; i <= n; i++) {
                if (i > 1) {
                    row.append('|');
                }
                String v = rs.getString(i);
                row.append(v == null ? "NULL" : v);
            }
            out.add(row.toString());
        }
        return out;
    }

    /** Creates a table with {@code rows} rows and its reference copy for a {@link Workload}. */
    public void createWorkloadTable(String table, int rows) {
        try (Connection c = connect()) {
            Workload.createTable(c, table, rows);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** Starts an application writing to {@code table} (see {@link Workload}). */
    public Workload startWorkload(String table, int rows, int threads, String urlOptions) {
        return Workload.start(
                jdbcUrl(), server.user(), server.password(), table, rows, threads, urlOptions);
    }

    public String value(String sql) {
        List<String> r = rows(sql);
        return r.isEmpty() ? null : r.get(0);
    }

    public long count(String sql) {
        return Long.parseLong(value(sql));
    }
}

package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Opens engine sessions with the settings every phase relies on, and small JDBC helpers. */
public final class Sessions {
    /**
     * At debug level, every statement the engine runs: what {@code osc plan} shows is checked so.
     */
    private static final Logger log = LoggerFactory.getLogger(Sessions.class);

    private Sessions() {}

    /**
     * The server's sql_mode plus NO_AUTO_VALUE_ON_ZERO, so a row whose auto-increment key is 0 is
     * copied as 0 instead of getting a new number. Triggers keep the sql_mode of the session that
     * created them.
     */
    public static Connection open(ConnectionFactory factory) throws SQLException {
        Connection c = factory.open();
        try {
            exec(
                    c,
                    "SET SESSION sql_mode = CONCAT_WS(',', NULLIF(@@GLOBAL.sql_mode, ''), 'NO_AUTO_VALUE_ON_ZERO')",
                    "SET SESSION max_error_count = 65535",
                    "SET SESSION innodb_lock_wait_timeout = 10",
                    // the reverse triggers skip our own writes to the shadow (see TriggerSql)
                    "SET @osc_copier = 1");
            return c;
        } catch (SQLException e) {
            c.close();
            throw e;
        }
    }

    public static void exec(Connection c, String... sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String q : sql) {
                log.debug("sql: {}", q);
                s.execute(q);
            }
        }
    }

    /**
     * Prepares {@code sql}, logging its text at debug level as {@link #exec} does: with its {@code
     * ?} placeholders, never the values bound to them (they may be user data). Every prepared
     * statement the engine runs goes through here.
     */
    public static PreparedStatement prepare(Connection c, String sql) throws SQLException {
        log.debug("sql: {}", sql);
        return c.prepareStatement(sql);
    }

    public static int update(Connection c, String sql, List<?> params) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            bind(ps, params);
            return ps.executeUpdate();
        }
    }

    /** The first row of a query as text values, or null when there is none. */
    public static List<String> firstRow(Connection c, String sql, List<?> params)
            throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                return row;
            }
        }
    }

    public static long longValue(Connection c, String sql, List<?> params) throws SQLException {
        List<String> row = firstRow(c, sql, params);
        return row == null || row.get(0) == null ? 0 : Long.parseLong(row.get(0));
    }

    public static void bind(PreparedStatement ps, List<?> params) throws SQLException {
        for (int i = 0; i < params.size(); i++) {
            Object p = params.get(i);
            if (p == null || p instanceof NullValue) {
                ps.setNull(i + 1, Types.NULL);
            } else {
                ps.setObject(i + 1, p);
            }
        }
    }

    /** List.of refuses nulls; this marks a SQL NULL for {@link #bind}. */
    public record NullValue() {}

    /** Work done inside one transaction. */
    public interface Work<T> {
        T run() throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction, READ COMMITTED when asked (that transaction only), and
     * commits it; any failure rolls it back. The connection is back in autocommit afterwards.
     */
    public static <T> T inTransaction(Connection c, boolean readCommitted, Work<T> work)
            throws SQLException {
        c.setAutoCommit(false);
        try {
            if (readCommitted) {
                exec(c, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED");
            }
            T result = work.run();
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    /**
     * Lock wait timeout (1205) and deadlock (1213): the statement changed nothing and may be
     * retried at once. Kept for the statement-level retry loops; whether a failure is transient at
     * all is {@link ServerErrors}.
     */
    public static boolean isRetryable(SQLException e) {
        return ServerErrors.isLockConflict(e);
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}

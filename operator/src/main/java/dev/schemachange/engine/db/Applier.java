package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs DDL that needs a metadata lock on a live table. A short lock_wait_timeout bounds how long the
 * application queues behind us when a long transaction holds the table; then we back off and retry instead
 * of building a pile-up.
 */
public final class Applier {
    private static final Logger log = LoggerFactory.getLogger(Applier.class);
    private final Duration lockWait;
    private final int attempts;

    public Applier(Duration lockWait, int attempts) {
        this.lockWait = lockWait;
        this.attempts = attempts;
    }

    /** Seconds for SET lock_wait_timeout: the server takes whole seconds, at least 1. */
    long lockWaitSeconds() {
        return Math.max(1, (lockWait.toMillis() + 999) / 1000);
    }

    public void setLockWait(Connection c) throws SQLException {
        Sessions.exec(c, "SET SESSION lock_wait_timeout = " + lockWaitSeconds());
    }

    /**
     * Runs the statements in order; each is retried on lock timeout or deadlock. InnoDB row and table lock
     * waits are bounded like metadata lock waits: an in-place ALTER that touches a foreign key locks the related
     * tables at commit, while it holds the exclusive metadata lock; an application transaction that already
     * locked rows of a related table and now waits for that metadata lock is a deadlock neither server lock
     * manager sees, and every application statement on the table queues behind it until the InnoDB wait times
     * out (observed: 10 s stalls with the engine's session value). With the bound, the DDL gives up after
     * lockWaitTimeout and retries, and the application's transaction proceeds.
     */
    public void ddl(Connection c, String... statements) throws SQLException {
        setLockWait(c);
        String previous = Sessions.firstRow(c, "SELECT @@SESSION.innodb_lock_wait_timeout", java.util.List.of()).get(0);
        Sessions.exec(c, "SET SESSION innodb_lock_wait_timeout = " + lockWaitSeconds());
        try {
            for (String sql : statements) {
                retrying(c, sql);
            }
        } finally {
            Sessions.exec(c, "SET SESSION innodb_lock_wait_timeout = " + Long.parseLong(previous));
        }
    }

    /** SQL work done while holding WRITE locks. */
    @FunctionalInterface
    public interface LockedWork {
        void run() throws SQLException;
    }

    /**
     * Runs work in this session while holding WRITE locks on the given (quoted) tables, so the application
     * waits instead of seeing an intermediate state: no statement of theirs runs between our statements.
     * Tables used by the locked tables' triggers are locked implicitly by the server.
     */
    public void underWriteLock(Connection c, List<String> tables, LockedWork work) throws SQLException {
        setLockWait(c);
        String sql = "LOCK TABLES " + tables.stream().map(t -> t + " WRITE").collect(Collectors.joining(", "));
        retrying(c, sql);
        try {
            work.run();
        } finally {
            Sessions.exec(c, "UNLOCK TABLES");
        }
    }

    private void retrying(Connection c, String sql) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                Sessions.exec(c, sql);
                return;
            } catch (SQLException e) {
                if (!Sessions.isRetryable(e) || attempt >= attempts) {
                    throw e;
                }
                long backoff = Math.min(5_000, 100L << Math.min(attempt, 6));
                log.info("lock wait on DDL (attempt {}/{}), retrying in {} ms: {} [{}]", attempt, attempts, backoff,
                        e.getMessage(), sql.length() > 160 ? sql.substring(0, 160) + "..." : sql);
                Sessions.sleep(backoff);
            }
        }
    }
}

package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Runs DDL that needs a metadata lock on a live table. A short lock_wait_timeout bounds how long
 * the application queues behind us when a long transaction holds the table; then we back off and
 * retry instead of building a pile-up.
 *
 * <p>Before it waits at all, each statement is tried without waiting, again and again for up to
 * lockWaitTimeout (MariaDB: {@code lock_wait_timeout = 0}). Why: a DDL waiting for its exclusive
 * metadata lock is queued ahead of every new request on the table, and an application transaction
 * that already holds a weaker lock there — it read the table, or wrote a table whose foreign keys
 * reach it — and now asks for a stronger one waits behind us while we wait for it. The server
 * breaks that cycle by failing the application's statement (ER 1213: DDL outweighs DML). A
 * statement that never waits is never in the queue; it lands in a moment when no transaction holds
 * the table. Only when no such moment comes does it wait as before.
 *
 * <p>{@link #neverWaiting()} gives an Applier without that waiting fallback, for DDL on a table the
 * application may hold in that shape at any time (a child of the changed table: writing the parent
 * prelocks the child through the constraint, and the transaction's own child insert then asks for
 * more): when no moment comes within lockWaitTimeout it throws {@link Busy} and the caller tries
 * again later.
 */
public final class Applier {
    /** Between two attempts that did not wait. */
    private static final long POLL_MILLIS = 5;

    private final Duration lockWait;
    private final int attempts;
    private final boolean neverWait;

    /** Whether the server takes lock_wait_timeout = 0 (MariaDB); null until asked. */
    private Boolean canSkipWaiting;

    public Applier(Duration lockWait, int attempts) {
        this(lockWait, attempts, false);
    }

    private Applier(Duration lockWait, int attempts, boolean neverWait) {
        this.lockWait = lockWait;
        this.attempts = attempts;
        this.neverWait = neverWait;
    }

    /**
     * The same bounds, but a statement never waits for a lock: it is tried without waiting, every
     * few milliseconds, for up to lockWaitTimeout, and then {@link Busy} is thrown instead of a
     * waiting attempt. InnoDB lock waits are not waited for either ({@code innodb_lock_wait_timeout
     * = 0}). On a server that cannot skip the wait (MySQL's minimum is one second) each statement
     * gets one attempt with the one-second minimum.
     */
    public Applier neverWaiting() {
        if (neverWait) {
            return this;
        }
        Applier a = new Applier(lockWait, attempts, true);
        a.canSkipWaiting = canSkipWaiting; // known already after the swap's RENAME
        return a;
    }

    /**
     * A statement of a {@link #neverWaiting()} Applier found no moment without a lock conflict
     * within lockWaitTimeout; nothing was changed, and a later attempt can land (transient).
     */
    public static final class Busy extends SQLTransientException {
        private static final long serialVersionUID = 1L;

        Busy(String statement, Duration budget) {
            super(
                    "no moment without a conflicting lock within "
                            + budget.toMillis()
                            + " ms for: "
                            + statement,
                    "HY000",
                    1205);
        }
    }

    /** Seconds for SET lock_wait_timeout: the server takes whole seconds, at least 1. */
    long lockWaitSeconds() {
        return Math.max(1, (lockWait.toMillis() + 999) / 1000);
    }

    public void setLockWait(Connection c) throws SQLException {
        Sessions.exec(c, "SET SESSION lock_wait_timeout = " + lockWaitSeconds());
    }

    /** innodb_lock_wait_timeout for our DDL: none at all when never waiting. */
    private String innodbLockWait() {
        return neverWait ? "0" : Long.toString(lockWaitSeconds());
    }

    /**
     * Runs the statements in order; each is retried on lock timeout or deadlock. InnoDB row and
     * table lock waits are bounded like metadata lock waits: an in-place ALTER that touches a
     * foreign key locks the related tables at commit, while it holds the exclusive metadata lock;
     * an application transaction that already locked rows of a related table and now waits for that
     * metadata lock is a deadlock neither server lock manager sees, and every application statement
     * on the table queues behind it until the InnoDB wait times out (observed: 10 s stalls with the
     * engine's session value). With the bound, the DDL gives up after lockWaitTimeout and retries,
     * and the application's transaction proceeds.
     */
    public void ddl(Connection c, String... statements) throws SQLException {
        setLockWait(c);
        SessionVariable.with(
                c,
                "innodb_lock_wait_timeout",
                innodbLockWait(),
                () -> {
                    for (String sql : statements) {
                        if (neverWait) {
                            run(c, sql);
                        } else {
                            retrying(c, sql);
                        }
                    }
                    return null;
                });
    }

    /** SQL work done while holding WRITE locks. */
    @FunctionalInterface
    public interface LockedWork {
        void run() throws SQLException;
    }

    /**
     * Runs work in this session while holding WRITE locks on the given (quoted) tables, so the
     * application waits instead of seeing an intermediate state: no statement of theirs runs
     * between our statements. Tables used by the locked tables' triggers are locked implicitly by
     * the server.
     */
    public void underWriteLock(Connection c, List<String> tables, LockedWork work)
            throws SQLException {
        setLockWait(c);
        String sql =
                "LOCK TABLES "
                        + tables.stream().map(t -> t + " WRITE").collect(Collectors.joining(", "));
        retrying(c, sql);
        try {
            work.run();
        } finally {
            Sessions.exec(c, "UNLOCK TABLES");
        }
    }

    private void retrying(Connection c, String sql) throws SQLException {
        String shown = shown(sql);
        Retry.of(attempts, Retry.exponential(200, 5_000))
                .run(
                        "DDL [" + shown + "]",
                        attempt -> {
                            run(c, sql);
                            return null;
                        });
    }

    /**
     * Runs one statement that takes an exclusive metadata lock: without waiting while that lands
     * within lockWaitTimeout, then waiting at most lockWaitTimeout (the session's value). Returns
     * the milliseconds of the run that landed: what the application waited for, the attempts that
     * did not wait cost it nothing.
     */
    public long run(Connection c, String sql) throws SQLException {
        if (canSkipWaiting(c)) {
            long landed = withoutWaiting(c, sql);
            if (landed >= 0) {
                return landed;
            }
            if (neverWait) {
                throw new Busy(shown(sql), lockWait);
            }
        } else if (neverWait) {
            return SessionVariable.with(
                    c,
                    "lock_wait_timeout",
                    "1",
                    () -> {
                        try {
                            return timed(c, sql);
                        } catch (SQLException e) {
                            if (ServerErrors.isLockConflict(e)) {
                                throw new Busy(shown(sql), lockWait);
                            }
                            throw e;
                        }
                    });
        }
        return timed(c, sql);
    }

    private static String shown(String sql) {
        return sql.length() > 160 ? sql.substring(0, 160) + "..." : sql;
    }

    /** The milliseconds of the attempt that landed, or -1 when none did within lockWaitTimeout. */
    private long withoutWaiting(Connection c, String sql) throws SQLException {
        long deadline = System.nanoTime() + lockWait.toNanos();
        return SessionVariable.with(
                c,
                "lock_wait_timeout",
                "0",
                () -> {
                    do {
                        try {
                            return timed(c, sql);
                        } catch (SQLException e) {
                            if (!ServerErrors.isLockConflict(e)) {
                                throw e;
                            }
                        }
                        Sessions.sleep(POLL_MILLIS);
                    } while (System.nanoTime() < deadline);
                    return -1L;
                });
    }

    private static long timed(Connection c, String sql) throws SQLException {
        long start = System.nanoTime();
        Sessions.exec(c, sql);
        return (System.nanoTime() - start) / 1_000_000;
    }

    private boolean canSkipWaiting(Connection c) throws SQLException {
        if (canSkipWaiting == null) {
            List<String> v = Sessions.firstRow(c, "SELECT VERSION()", List.of());
            canSkipWaiting = v != null && v.get(0).toLowerCase(Locale.ROOT).contains("mariadb");
        }
        return canSkipWaiting;
    }
}

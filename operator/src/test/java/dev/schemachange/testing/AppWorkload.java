package dev.schemachange.testing;

import dev.schemachange.local.Writers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * An ordinary OLTP application on a ledger-like table {@code t(id BIGINT AUTO_INCREMENT PK,
 * account, amount, note, KEY (account))}: each of its threads is one JDBC session at a chosen
 * isolation level, running one transaction after another. About half of them append a row and read
 * its generated key; the others update a row by primary key, move a row to a new primary key,
 * delete a row, update the newest row of an account (SELECT … FOR UPDATE, then by key, as an ORM
 * does), or run an ORM-style unit of work: an insert and updates of a few other rows, in key order.
 * With a child table, every append also inserts a child row for its new parent and often one for a
 * parent the same session appended before.
 *
 * <p>Every write is mirrored into {@code <t>_ref} (and {@code <child>_ref}) in the same
 * transaction, so the live tables must equal the references row for row at any snapshot; a failed
 * transaction is rolled back whole and counted: deadlocks and lock wait timeouts (which real
 * applications retry) apart from any other error.
 *
 * <p>Appends get keys from {@link #APPENDED_KEYS} up, so they go to the end of the table; keys the
 * application moves rows to come from {@link #MOVED_KEYS} up, between the initial rows and the
 * appended ones (a key moved above the AUTO_INCREMENT counter would raise it, and later appends
 * would collide with keys moved there). Rows that have children are never moved (the constraint
 * restricts key changes), and a session deletes appended rows only among its own, so its child
 * inserts always find their parent. The application can stop and start again on another {@link
 * Target}, as a deploy does around a split's swap; the counts add up over all its runs.
 */
public final class AppWorkload implements AutoCloseable, LockBaseline.Observed {
    /** Where the application writes. */
    public enum Target {
        /** the table {@code t} (and its child, if any) */
        TABLE,
        /**
         * a split's parts: {@code t (id, account, amount)} and {@code t_notes (id, note)}, as the
         * application's new version does after the swap
         */
        PARTS
    }

    /**
     * What the application saw, cumulated over its runs: committed transactions, and those that
     * failed with a deadlock or lock wait timeout, of which {@code lockWaitTimeouts} with the
     * latter.
     */
    public record Counts(long writes, long lockConflicts, long lockWaitTimeouts) {
        public Counts minus(Counts earlier) {
            return new Counts(
                    writes - earlier.writes,
                    lockConflicts - earlier.lockConflicts,
                    lockWaitTimeouts - earlier.lockWaitTimeouts);
        }
    }

    public static final long MOVED_KEYS = 10_000_000L;
    public static final long APPENDED_KEYS = 1_000_000_000L;

    private static final int ACCOUNTS = 2_000;
    private static final int OWN_RECENT = 64;

    private final TestDatabase db;
    private final String table;
    private final String child;
    private final int initialRows;
    private final int threads;
    private final String isolation;

    /** Initial parents at or below this key have children: never moved. */
    private final int parentsWithChildren;

    private final AtomicLong moved = new AtomicLong(MOVED_KEYS);

    /** Recently committed appended keys, for other sessions' updates. */
    private final AtomicLongArray appended = new AtomicLongArray(4_096);

    private final AtomicLong appendedCount = new AtomicLong();
    private final AtomicLong lockWaitTimeouts = new AtomicLong();
    private final List<String> conflicts = new CopyOnWriteArrayList<>();
    private final List<String> pastErrors = new ArrayList<>();
    private long pastWrites;
    private long pastConflicts;
    private Writers current;
    private volatile long pauseNanos;

    private AppWorkload(
            TestDatabase db,
            String table,
            String child,
            int initialRows,
            int threads,
            String isolation) {
        this.db = db;
        this.table = table;
        this.child = child;
        this.initialRows = initialRows;
        this.threads = threads;
        this.isolation = isolation;
        this.parentsWithChildren = child == null ? 0 : initialRows / 10;
    }

    /**
     * Creates {@code table} and {@code <table>_ref} with {@code rows} rows; with a {@code child},
     * also {@code child(id AUTO_INCREMENT PK, log_id → table.id ON DELETE CASCADE, qty)} and its
     * reference, with three children for each of the first tenth of the rows. The NOT NULL columns
     * have defaults so the table can also be split with reverse sync.
     */
    public static void create(TestDatabase db, String table, String child, int rows) {
        for (String t : List.of(table, table + "_ref")) {
            db.exec(
                    "CREATE TABLE `"
                            + t
                            + "` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                            + "account INT NOT NULL DEFAULT 0, amount INT NOT NULL DEFAULT 0, "
                            + "note VARCHAR(64) NULL, KEY (account)) ENGINE=InnoDB");
        }
        db.exec(
                "INSERT INTO `"
                        + table
                        + "` (id, account, amount, note) SELECT seq, seq % "
                        + ACCOUNTS
                        + ", seq % 997, IF(seq % 5 = 0, NULL, CONCAT('opening ', seq)) "
                        + "FROM seq_1_to_"
                        + rows,
                "INSERT INTO `" + table + "_ref` SELECT * FROM `" + table + "`",
                "ALTER TABLE `" + table + "` AUTO_INCREMENT = " + APPENDED_KEYS);
        if (child == null) {
            return;
        }
        db.exec(
                "CREATE TABLE `"
                        + child
                        + "` (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, log_id BIGINT NOT NULL, "
                        + "qty INT NOT NULL, CONSTRAINT `"
                        + child
                        + "_log` FOREIGN KEY (log_id) REFERENCES `"
                        + table
                        + "` (id) ON DELETE CASCADE) ENGINE=InnoDB",
                "CREATE TABLE `"
                        + child
                        + "_ref` (id BIGINT NOT NULL PRIMARY KEY, log_id BIGINT NOT NULL, "
                        + "qty INT NOT NULL, KEY (log_id)) ENGINE=InnoDB",
                "INSERT INTO `"
                        + child
                        + "` (log_id, qty) SELECT 1 + seq % "
                        + rows / 10
                        + ", seq FROM seq_1_to_"
                        + rows / 10 * 3,
                "INSERT INTO `" + child + "_ref` SELECT * FROM `" + child + "`");
    }

    /**
     * An application of {@code threads} sessions at {@code isolation} (e.g. "REPEATABLE READ") on a
     * table {@link #create}d with {@code initialRows} rows and {@code child} (or null); not yet
     * started.
     */
    public static AppWorkload of(
            TestDatabase db,
            String table,
            String child,
            int initialRows,
            int threads,
            String isolation) {
        return new AppWorkload(db, table, child, initialRows, threads, isolation);
    }

    /**
     * Each session pauses this long after each transaction, as an application thread spends most of
     * a request outside the database; none by default (the tables are never idle).
     */
    public AppWorkload pausing(java.time.Duration pause) {
        this.pauseNanos = pause.toNanos();
        return this;
    }

    /** Starts writing to {@code target}; the application must not be running. */
    public synchronized AppWorkload start(Target target) {
        if (current != null) {
            throw new IllegalStateException("the application is already running");
        }
        current =
                Writers.start(
                        "app-" + table,
                        threads,
                        () -> {
                            Connection c = db.connect();
                            try (Statement s = c.createStatement()) {
                                s.execute("SET SESSION TRANSACTION ISOLATION LEVEL " + isolation);
                                // a lock wait the test would otherwise sit out for 50 s
                                s.execute("SET SESSION innodb_lock_wait_timeout = 10");
                            } catch (SQLException e) {
                                c.close();
                                throw e;
                            }
                            return c;
                        },
                        c -> new AppSession(c, target)::transaction);
        return this;
    }

    /** Stops the application's sessions and waits for them; the counts stay. */
    public synchronized void stop() throws InterruptedException {
        if (current == null) {
            return;
        }
        current.close();
        pastWrites += current.writes();
        pastConflicts += current.lockConflicts();
        pastErrors.addAll(current.errors());
        current = null;
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    @Override
    public synchronized Counts counts() {
        return current == null
                ? new Counts(pastWrites, pastConflicts, lockWaitTimeouts.get())
                : new Counts(
                        pastWrites + current.writes(),
                        pastConflicts + current.lockConflicts(),
                        lockWaitTimeouts.get());
    }

    /** Errors the application saw, other than deadlocks and lock wait timeouts. */
    @Override
    public synchronized List<String> errors() {
        List<String> all = new ArrayList<>(pastErrors);
        if (current != null) {
            all.addAll(current.errors());
        }
        return all;
    }

    /** The first few deadlocks and lock wait timeouts: the error and the statement that got it. */
    @Override
    public List<String> conflicts() {
        return List.copyOf(conflicts);
    }

    /** A prepared statement's SQL with its parameters, as the driver shows it. */
    private static String statement(PreparedStatement ps) {
        String s = String.valueOf(ps);
        return s.substring(s.indexOf(':') + 1).trim();
    }

    /** The live rows over the columns every shape has, for comparing with the reference. */
    public static String rows(String table) {
        return "SELECT id, account, amount, note FROM `" + table + "` ORDER BY id";
    }

    /** The live rows of a split into {@code table} and {@code table_notes}, joined back. */
    public static String joinedParts(String table) {
        return "SELECT a.id, a.account, a.amount, n.note FROM `"
                + table
                + "` a LEFT JOIN `"
                + table
                + "_notes` n ON n.id = a.id ORDER BY a.id";
    }

    /** One session: its prepared statements and the keys it appended. */
    private final class AppSession {
        private final Connection c;
        private final Target target;
        private final Deque<Long> ownRecent = new ArrayDeque<>();
        private PreparedStatement executing;
        private final PreparedStatement appendLive;
        private final PreparedStatement appendNotes;
        private final PreparedStatement updateLive;
        private final PreparedStatement updateNotes;
        private final PreparedStatement moveLive;
        private final PreparedStatement moveNotes;
        private final PreparedStatement deleteLive;
        private final PreparedStatement deleteNotes;
        private final PreparedStatement newest;
        private final PreparedStatement appendRef;
        private final PreparedStatement updateRef;
        private final PreparedStatement moveRef;
        private final PreparedStatement deleteRef;
        private final PreparedStatement childLive;
        private final PreparedStatement childRef;
        private final PreparedStatement childRefCascade;

        AppSession(Connection c, Target target) throws SQLException {
            this.c = c;
            this.target = target;
            String t = "`" + table + "`";
            String notes = "`" + table + "_notes`";
            String ref = "`" + table + "_ref`";
            boolean parts = target == Target.PARTS;
            appendLive =
                    c.prepareStatement(
                            parts
                                    ? "INSERT INTO " + t + " (account, amount) VALUES (?, ?)"
                                    : "INSERT INTO "
                                            + t
                                            + " (account, amount, note) VALUES (?, ?, ?)",
                            Statement.RETURN_GENERATED_KEYS);
            appendNotes =
                    parts
                            ? c.prepareStatement(
                                    "INSERT INTO " + notes + " (id, note) VALUES (?, ?)")
                            : null;
            updateLive =
                    c.prepareStatement(
                            parts
                                    ? "UPDATE " + t + " SET amount = amount + ? WHERE id = ?"
                                    : "UPDATE "
                                            + t
                                            + " SET amount = amount + ?, note = ? WHERE id = ?");
            updateNotes =
                    parts
                            ? c.prepareStatement("UPDATE " + notes + " SET note = ? WHERE id = ?")
                            : null;
            moveLive = c.prepareStatement("UPDATE " + t + " SET id = ? WHERE id = ?");
            moveNotes =
                    parts
                            ? c.prepareStatement("UPDATE " + notes + " SET id = ? WHERE id = ?")
                            : null;
            deleteLive = c.prepareStatement("DELETE FROM " + t + " WHERE id = ?");
            deleteNotes =
                    parts ? c.prepareStatement("DELETE FROM " + notes + " WHERE id = ?") : null;
            newest =
                    c.prepareStatement(
                            "SELECT id FROM "
                                    + t
                                    + " WHERE account = ? ORDER BY id DESC LIMIT 1 FOR UPDATE");
            appendRef =
                    c.prepareStatement(
                            "INSERT INTO "
                                    + ref
                                    + " (id, account, amount, note) VALUES (?, ?, ?, ?)");
            updateRef =
                    c.prepareStatement(
                            "UPDATE " + ref + " SET amount = amount + ?, note = ? WHERE id = ?");
            moveRef = c.prepareStatement("UPDATE " + ref + " SET id = ? WHERE id = ?");
            deleteRef = c.prepareStatement("DELETE FROM " + ref + " WHERE id = ?");
            if (child != null) {
                childLive =
                        c.prepareStatement(
                                "INSERT INTO `" + child + "` (log_id, qty) VALUES (?, ?)",
                                Statement.RETURN_GENERATED_KEYS);
                childRef =
                        c.prepareStatement(
                                "INSERT INTO `"
                                        + child
                                        + "_ref` (id, log_id, qty) VALUES (?, ?, ?)");
                childRefCascade =
                        c.prepareStatement("DELETE FROM `" + child + "_ref` WHERE log_id = ?");
            } else {
                childLive = null;
                childRef = null;
                childRefCascade = null;
            }
        }

        /** One transaction; the caller rolls it back on an error. */
        void transaction() throws SQLException {
            try {
                write();
                if (pauseNanos > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(pauseNanos);
                }
            } catch (SQLException e) {
                if (e.getErrorCode() == 1205) {
                    lockWaitTimeouts.incrementAndGet();
                }
                if ((e.getErrorCode() == 1205 || e.getErrorCode() == 1213)
                        && conflicts.size() < 20) {
                    conflicts.add(e.getErrorCode() + " at " + statement(executing));
                }
                throw e;
            }
        }

        private void execute(PreparedStatement ps) throws SQLException {
            executing = ps;
            ps.executeUpdate();
        }

        private void write() throws SQLException {
            ThreadLocalRandom r = ThreadLocalRandom.current();
            int op = r.nextInt(100);
            Long committedAppend = null;
            if (op < 50) {
                committedAppend = append(r);
            } else if (op < 65) {
                update(anyRow(r), r);
            } else if (op < 73) {
                move(movableRow(r));
            } else if (op < 80) {
                delete(deletableRow(r));
            } else if (op < 85) {
                updateNewest(r);
            } else {
                // an ORM's unit of work: its insert first, then the dirty rows in key order
                committedAppend = append(r);
                long[] rows = new long[1 + r.nextInt(3)];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = anyRow(r);
                }
                Arrays.sort(rows);
                for (long id : rows) {
                    update(id, r);
                }
            }
            // committed here, not by the caller, so other sessions only ever pick committed appends
            // (waiting for an uncommitted insert is a deadlock ORMs can make without any trigger)
            c.commit();
            if (committedAppend != null) {
                published(committedAppend);
            }
        }

        private long append(ThreadLocalRandom r) throws SQLException {
            int account = r.nextInt(ACCOUNTS);
            int amount = r.nextInt(1, 1_000);
            String note = r.nextInt(4) == 0 ? null : "app " + r.nextInt(1_000_000);
            appendLive.setInt(1, account);
            appendLive.setInt(2, amount);
            if (target == Target.TABLE) {
                appendLive.setString(3, note);
            }
            execute(appendLive);
            long id;
            try (ResultSet keys = appendLive.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            if (target == Target.PARTS) {
                appendNotes.setLong(1, id);
                appendNotes.setString(2, note);
                execute(appendNotes);
            }
            appendRef.setLong(1, id);
            appendRef.setInt(2, account);
            appendRef.setInt(3, amount);
            appendRef.setString(4, note);
            execute(appendRef);
            if (childLive != null) {
                insertChild(id, r);
                if (!ownRecent.isEmpty() && r.nextBoolean()) {
                    insertChild(ownRecent.peekFirst(), r);
                }
            }
            return id;
        }

        private void insertChild(long parent, ThreadLocalRandom r) throws SQLException {
            int qty = r.nextInt(1, 100);
            childLive.setLong(1, parent);
            childLive.setInt(2, qty);
            execute(childLive);
            long id;
            try (ResultSet keys = childLive.getGeneratedKeys()) {
                keys.next();
                id = keys.getLong(1);
            }
            childRef.setLong(1, id);
            childRef.setLong(2, parent);
            childRef.setInt(3, qty);
            execute(childRef);
        }

        private void update(long id, ThreadLocalRandom r) throws SQLException {
            int delta = r.nextInt(-50, 50);
            String note = r.nextInt(5) == 0 ? null : "upd " + r.nextInt(1_000_000);
            updateLive.setInt(1, delta);
            if (target == Target.PARTS) {
                updateLive.setLong(2, id);
                updateNotes.setString(1, note);
                updateNotes.setLong(2, id);
            } else {
                updateLive.setString(2, note);
                updateLive.setLong(3, id);
            }
            execute(updateLive);
            if (target == Target.PARTS) {
                execute(updateNotes);
            }
            updateRef.setInt(1, delta);
            updateRef.setString(2, note);
            updateRef.setLong(3, id);
            execute(updateRef);
        }

        private void move(long id) throws SQLException {
            long to = moved.incrementAndGet();
            for (PreparedStatement ps :
                    target == Target.PARTS
                            ? new PreparedStatement[] {moveLive, moveNotes, moveRef}
                            : new PreparedStatement[] {moveLive, moveRef}) {
                ps.setLong(1, to);
                ps.setLong(2, id);
                execute(ps);
            }
        }

        private void delete(long id) throws SQLException {
            for (PreparedStatement ps :
                    target == Target.PARTS
                            ? new PreparedStatement[] {deleteLive, deleteNotes, deleteRef}
                            : new PreparedStatement[] {deleteLive, deleteRef}) {
                ps.setLong(1, id);
                execute(ps);
            }
            if (childRefCascade != null) {
                // ON DELETE CASCADE removed the live children
                childRefCascade.setLong(1, id);
                execute(childRefCascade);
            }
        }

        /** The newest row of an account, read FOR UPDATE, then updated by its key. */
        private void updateNewest(ThreadLocalRandom r) throws SQLException {
            newest.setInt(1, r.nextInt(ACCOUNTS));
            Long id = null;
            executing = newest;
            try (ResultSet rs = newest.executeQuery()) {
                if (rs.next()) {
                    id = rs.getLong(1);
                }
            }
            if (id != null) {
                update(id, r);
            }
        }

        private void published(long id) {
            ownRecent.addFirst(id);
            if (ownRecent.size() > OWN_RECENT) {
                ownRecent.removeLast();
            }
            long n = appendedCount.getAndIncrement();
            appended.set((int) (n % appended.length()), id);
        }

        /** Any row: mostly the initial ones, some appended, some moved (it may be gone by now). */
        private long anyRow(ThreadLocalRandom r) {
            int pick = r.nextInt(10);
            long n = appendedCount.get();
            if (pick < 2 && n > 0) {
                return appended.get((int) (r.nextLong(Math.min(n, appended.length()))));
            }
            if (pick < 3 && moved.get() > MOVED_KEYS) {
                return r.nextLong(MOVED_KEYS + 1, moved.get() + 1);
            }
            return r.nextLong(1, initialRows + 1);
        }

        /** A row without children: an initial one past those with children, or a moved one. */
        private long movableRow(ThreadLocalRandom r) {
            if (r.nextInt(4) == 0 && moved.get() > MOVED_KEYS) {
                return r.nextLong(MOVED_KEYS + 1, moved.get() + 1);
            }
            return r.nextLong(parentsWithChildren + 1, initialRows + 1);
        }

        /** An initial or moved row, or one this session appended (its children go with it). */
        private long deletableRow(ThreadLocalRandom r) {
            if (r.nextInt(3) == 0 && ownRecent.size() > 1) {
                return ownRecent.removeLast();
            }
            return r.nextBoolean() ? movableRow(r) : r.nextLong(1, initialRows + 1);
        }
    }
}

package dev.schemachange.engine.copy;

import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-copies the keys the triggers journaled above the {@link Watermark} once the copier has passed
 * them: the chunk that copied such a key may have read it before the write committed (lock-free),
 * or the write came after the chunk's commit but before the mark moved.
 *
 * <p>Each batch share-locks the source rows that exist, replaces their shadow rows, and forgets
 * their keys, in one READ COMMITTED transaction: no gap locks, so the application's writes around
 * them go on. A write that starts meanwhile is mirrored (its key is below the mark now): it waits
 * for the batch's shadow row, or the batch's delete waits for its commit, so the newer version
 * always lands last.
 *
 * <p>Keys journaled ahead of the copier are {@link #prune pruned} once no open transaction holds
 * them: the copier has not read those keys yet, and its later read sees the writes that made them,
 * committed. So the journal holds the keys written since the copier's last settle, and those of
 * transactions still open, rather than every key written ahead of the copier since it started.
 */
public final class Journal {
    private static final Logger log = LoggerFactory.getLogger(Journal.class);
    private static final int BATCH = 500;

    /**
     * How long one prune may take. Pruning only keeps the journal small, so it may stop anywhere:
     * what it leaves is re-copied when the copier passes it. Unbounded, it never ended against
     * writers that journal keys faster than it forgets them (eight sessions appending inside the
     * key range: nothing was ever copied); a tenth of a second between chunks keeps the copy going
     * and is more than a prune under an ordinary load needs.
     */
    static final Duration PRUNE_TIME = Duration.ofMillis(100);

    /**
     * Attempts of a catch-up batch that never wait for a lock. Why: the batch share-locks source
     * rows and then deletes journal entries, while an application transaction may hold an entry (it
     * journaled that key) and then ask for one of those source rows — a deadlock, in which InnoDB
     * may roll back the application (seen in bench/run under oltp_write_only). A batch that never
     * waits is never in a cycle: meeting a held lock it rolls back and is tried again, in linear 10
     * ms steps (about 8 s in all, far longer than an application's transaction); only then does it
     * wait as before.
     */
    private static final int RECOPY_ATTEMPTS = 40;

    /** MySQL 5.7 knows no SKIP LOCKED: a parse error. */
    private static final int PARSE_ERROR = 1064;

    private final Plan plan;
    private final Watermark watermark;
    private final Copier copier;
    private final KeySql key;

    /** False once the server refused SKIP LOCKED: the journal then keeps what it is given. */
    private boolean pruning = true;

    Journal(Plan plan, Watermark watermark, Copier copier) {
        this.plan = plan;
        this.watermark = watermark;
        this.copier = copier;
        this.key = new KeySql(plan.key());
    }

    /** Re-copies every journaled key at or below {@code upTo}; returns how many keys that was. */
    long catchUp(Connection c, List<String> upTo) throws SQLException {
        return catchUp(c, null, upTo);
    }

    /**
     * Re-copies every journaled key in {@code (after, upTo]} ({@code after} null: from the start),
     * one parallel copier's part of the journal; returns how many keys that was.
     */
    long catchUp(Connection c, List<String> after, List<String> upTo) throws SQLException {
        long total = 0;
        while (true) {
            List<List<String>> keys = journaled(c, after, upTo);
            if (keys.isEmpty()) {
                return total;
            }
            Retry.of(RECOPY_ATTEMPTS + 5, Retry.linear(10))
                    .run(
                            plan.schema() + "." + plan.table() + ": journal catch-up",
                            attempt -> {
                                if (attempt > RECOPY_ATTEMPTS) {
                                    recopy(c, keys); // a row held that long: wait as before
                                    return null;
                                }
                                return SessionVariable.with(
                                        c,
                                        "innodb_lock_wait_timeout",
                                        "0",
                                        () -> {
                                            recopy(c, keys);
                                            return null;
                                        });
                            });
            total += keys.size();
        }
    }

    /**
     * Forgets the journaled keys in {@code (after, upTo]} ({@code upTo} null: to the end) that no
     * open transaction holds; returns how many. Called by the copier of that range between its
     * chunks, with {@code after} its checkpoint, so it has read none of those keys yet.
     *
     * <p>Why that is exact: a write above the mark journals its key in the writer's own
     * transaction, which holds the entry's record lock until it ends (an insert's implicit lock, or
     * the X lock of the no-op update on a key that is there). An entry nobody holds therefore has
     * no writer still open: every write that made it has committed (or rolled back). The copier
     * reads the key later, in a statement that starts after this prune, so it sees those writes; a
     * write after the prune journals the key again (it is still above the mark). Each batch is one
     * READ COMMITTED transaction of {@code FOR UPDATE SKIP LOCKED}, which skips the entries an open
     * transaction holds and never waits, then a delete by primary key of the entries it locked: no
     * gap lock, and an application that journals one of those keys meanwhile waits only for this
     * short commit. It stops after {@link #PRUNE_TIME}, nearest keys first: those are the ones the
     * copier's next chunks would otherwise re-copy.
     */
    long prune(Connection c, List<String> after, List<String> upTo) throws SQLException {
        long total = 0;
        List<String> from = after;
        long until = System.nanoTime() + PRUNE_TIME.toNanos();
        while (pruning && System.nanoTime() < until) {
            List<String> start = from;
            List<List<String>> keys;
            try {
                keys =
                        Sessions.inTransaction(
                                c,
                                true,
                                () -> {
                                    List<List<String>> free =
                                            keys(c, start, upTo, "FOR UPDATE SKIP LOCKED");
                                    if (!free.isEmpty()) {
                                        forget(c, free);
                                    }
                                    return free;
                                });
            } catch (SQLException e) {
                if (e.getErrorCode() != PARSE_ERROR) {
                    throw e;
                }
                pruning = false;
                log.info(
                        "{}.{}: the server has no SKIP LOCKED ({}); the journal keeps every key"
                                + " written ahead of the copier until the copier passes it",
                        plan.schema(),
                        plan.table(),
                        e.getMessage());
                return total;
            }
            total += keys.size();
            if (keys.size() < BATCH) {
                break;
            }
            // past the keys still held, which the next batch would only skip again
            from = keys.get(keys.size() - 1);
        }
        return total;
    }

    /**
     * A locking read, so it waits for a transaction that journaled a key and has not committed yet
     * (the mark has moved, so none journals below it any more); READ COMMITTED takes no gap locks.
     */
    private List<List<String>> journaled(Connection c, List<String> after, List<String> upTo)
            throws SQLException {
        Sessions.exec(
                c, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); // the next statement only
        return keys(c, after, upTo, "LOCK IN SHARE MODE");
    }

    /**
     * Up to {@link #BATCH} journaled keys in {@code (after, upTo]} in key order, read with {@code
     * lock} ({@code after} or {@code upTo} null: no bound on that side).
     */
    private List<List<String>> keys(
            Connection c, List<String> after, List<String> upTo, String lock) throws SQLException {
        List<String> params = new ArrayList<>();
        if (after != null) {
            params.addAll(key.parameters(after));
        }
        if (upTo != null) {
            params.addAll(key.parameters(upTo));
        }
        String sql = keysSql(after != null, upTo != null, lock);
        List<List<String>> keys = new ArrayList<>();
        try (PreparedStatement ps = Sessions.prepare(c, sql)) {
            Sessions.bind(ps, params);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<String> one = new ArrayList<>();
                    for (int i = 1; i <= key.size(); i++) {
                        one.add(rs.getString(i));
                    }
                    keys.add(one);
                }
            }
        }
        return keys;
    }

    /** The batch read of {@link #journaled}: its range's bounds are its placeholders. */
    String journaledSql(boolean bounded) {
        return keysSql(bounded, true, "LOCK IN SHARE MODE");
    }

    private String keysSql(boolean after, boolean upTo, String lock) {
        List<String> where = new ArrayList<>();
        if (after) {
            where.add(key.after("j"));
        }
        if (upTo) {
            where.add(key.upTo("j"));
        }
        return "SELECT "
                + key.render("j")
                + " FROM "
                + watermark.journal()
                + " j"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY "
                + key.orderBy("j", false)
                + " LIMIT "
                + BATCH
                + " "
                + lock;
    }

    private void recopy(Connection c, List<List<String>> keys) throws SQLException {
        List<String> params = keys.stream().flatMap(List::stream).toList();
        int n = keys.size();
        Sessions.inTransaction(
                c,
                true,
                () -> {
                    // the source rows that exist stay as they are until the commit; then their
                    // shadow rows are replaced
                    Sessions.firstRow(
                            c,
                            "SELECT 1 FROM "
                                    + Identifiers.quote(plan.schema(), plan.table())
                                    + " s FORCE INDEX ("
                                    + Identifiers.quote(plan.sourceKey())
                                    + ") WHERE "
                                    + key.oneOf("s", false, n)
                                    + " LOCK IN SHARE MODE",
                            params);
                    for (Plan.Part part : plan.parts()) {
                        Sessions.update(
                                c,
                                "DELETE FROM "
                                        + part.shadowTable()
                                        + " WHERE "
                                        + new KeySql(part.key()).oneOf(null, true, n),
                                params);
                    }
                    for (Plan.Part part : plan.parts()) {
                        Sessions.update(
                                c,
                                copier.insertSelect(part, key.oneOf("s", false, n), false),
                                params);
                        copier.checkWarnings(c, "written during the backfill", part);
                    }
                    // by primary key, never a scan: a scan of the small journal would wait for the
                    // entries applications are writing above the mark, while this batch holds
                    // share locks those applications wait for
                    forget(c, keys);
                    return null;
                });
    }

    /**
     * Deletes the entries of {@code keys}, one primary-key lookup each: a single statement over a
     * list of keys may scan a small journal (the optimizer prefers it for a few rows), and a scan
     * waits for every entry an open application transaction holds.
     */
    private void forget(Connection c, List<List<String>> keys) throws SQLException {
        try (PreparedStatement ps =
                Sessions.prepare(
                        c,
                        "DELETE FROM "
                                + watermark.journal()
                                + " WHERE "
                                + key.oneOf(null, false, 1))) {
            for (List<String> one : keys) {
                Sessions.bind(ps, one);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }
}

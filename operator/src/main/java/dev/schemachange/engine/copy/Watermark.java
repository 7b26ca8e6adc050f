package dev.schemachange.engine.copy;

import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.engine.state.CopyRange;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The backfill's high-water mark, published where the forward triggers can read it without a row
 * lock, and the journal of keys written above it.
 *
 * <p>Why: under REPEATABLE READ a trigger that deletes a shadow row the copier has not reached
 * finds nothing and gap-locks the shadow's whole uncopied range; two application transactions that
 * did so deadlock on each other's inserts. And the copier's {@code INSERT … SELECT} holds the
 * shadow's AUTO-INC lock for its whole chunk, so it must never wait for an application's lock in
 * the shadow. With the mark, a write is mirrored into the shadow only where the copier has been
 * (key at or below the mark) or never goes (above the copy range); a write in between only records
 * its key in the journal, and {@link Journal} re-copies journaled keys once the copier has passed
 * them. Nobody but the copier touches the shadow's uncopied range.
 *
 * <p>The mark is one row of a MEMORY table: read inside a DML statement, an InnoDB row would be
 * share-locked until the application's commit, and the copier's update would queue behind every
 * open transaction. A MEMORY table is locked per statement; the copier's LOW_PRIORITY update waits
 * for the statements reading it (without holding up new ones), so once it returns no trigger still
 * acts on the old mark and the journal below it is complete.
 *
 * <p>No row means "mirror every write", which is always correct: a server restart empties a MEMORY
 * table, the copier then finds no row to raise and never publishes a mark again (a mark below keys
 * the triggers already mirrored would let those rows go stale). The row is only created together
 * with the triggers, over an empty shadow.
 *
 * <p>Parallel copiers each own a range of the key space, {@code (after, max]}, and one row of the
 * mark: {@code r} numbers the range, {@code bounded = 0} marks the first (no lower end), {@code lo}
 * is that copier's mark. A key is journaled when it lies in some range above that range's mark; the
 * ranges are disjoint, so at most one row matches, and the triggers' read stays one statement on a
 * MEMORY table whatever the number of rows. One copier is one row over the whole copy range.
 */
public final class Watermark {
    private static final Logger log = LoggerFactory.getLogger(Watermark.class);

    /** 30 LOW_PRIORITY, 30 at normal priority: about two minutes of 2 s lock waits. */
    private static final int ATTEMPTS = 60;

    private final Plan plan;

    public Watermark(Plan plan) {
        this.plan = plan;
    }

    /** The mark's MEMORY table, quoted. */
    public String table() {
        return Identifiers.quote(plan.schema(), plan.names().watermark());
    }

    /**
     * The journal, quoted: an InnoDB table keyed like the original, one row per key written above
     * the mark.
     */
    String journal() {
        return Identifiers.quote(plan.schema(), plan.names().journal());
    }

    /**
     * Creates both tables afresh with the key columns' own types (Preparing runs this after
     * dropping the triggers that used them). Returns false, leaving none, when the server cannot
     * run such triggers safely: under statement-based binary logging a MEMORY read in an InnoDB
     * write is an unsafe statement, and a server that substitutes another engine for MEMORY would
     * lock the mark's row.
     */
    boolean create(Connection c) throws SQLException {
        drop(c);
        if (!loggingAllows(c)) {
            return false;
        }
        try {
            Sessions.exec(c, createStatements().toArray(String[]::new));
        } catch (SQLException e) {
            log.info(
                    "{}.{}: no backfill watermark ({}); triggers mirror every write",
                    plan.schema(),
                    plan.table(),
                    e.getMessage());
            drop(c);
            return false;
        }
        if (!"MEMORY".equalsIgnoreCase(engine(c))) {
            drop(c);
            return false;
        }
        return true;
    }

    /**
     * Not under statement-based binary logging: there a MEMORY read in an InnoDB write is unsafe.
     */
    static boolean loggingAllows(Connection c) throws SQLException {
        List<String> logging = Sessions.firstRow(c, "SELECT @@log_bin, @@binlog_format", List.of());
        return "0".equals(logging.get(0)) || !"STATEMENT".equalsIgnoreCase(logging.get(1));
    }

    /** The mark's and the journal's CREATE TABLE, empty, with the key columns' own types. */
    public List<String> createStatements() {
        String source = Identifiers.quote(plan.schema(), plan.table()) + " s";
        List<String> columns = new ArrayList<>(List.of("0 AS r", "0 AS copied", "0 AS bounded"));
        for (String bound : List.of("lo", "max", "after")) {
            for (int i = 0; i < plan.key().size(); i++) {
                columns.add(comparable(plan.key().get(i), "s") + " AS " + bound + "_" + i);
            }
        }
        String keyColumns =
                plan.key().stream()
                        .map(k -> Identifiers.quote(k.source()))
                        .collect(Collectors.joining(", "));
        return List.of(
                "CREATE TABLE "
                        + table()
                        + " (PRIMARY KEY (r)) ENGINE=MEMORY SELECT "
                        + String.join(", ", columns)
                        + " FROM "
                        + source
                        + " WHERE 1 = 0",
                "CREATE TABLE "
                        + journal()
                        + " (PRIMARY KEY ("
                        + keyColumns
                        + ")) ENGINE=InnoDB SELECT "
                        + plan.key().stream()
                                .map(k -> "s." + Identifiers.quote(k.source()))
                                .collect(Collectors.joining(", "))
                        + " FROM "
                        + source
                        + " WHERE 1 = 0");
    }

    /**
     * Whether the triggers of this change read the mark: both tables exist and the mark is in
     * memory.
     */
    public boolean installed(Connection c) throws SQLException {
        return "MEMORY".equalsIgnoreCase(engine(c))
                && Sessions.firstRow(
                                c,
                                "SELECT 1 FROM information_schema.TABLES "
                                        + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                                List.of(plan.schema(), plan.names().journal()))
                        != null;
    }

    void drop(Connection c) throws SQLException {
        Sessions.exec(c, dropStatement(plan));
    }

    public static String dropStatement(Plan plan) {
        return "DROP TABLE IF EXISTS "
                + Identifiers.quote(plan.schema(), plan.names().watermark())
                + ", "
                + Identifiers.quote(plan.schema(), plan.names().journal());
    }

    /**
     * Publishes "nothing copied yet, the copy range ends at {@code max}". Called under the WRITE
     * lock that creates the triggers, so no write has been mirrored before the mark exists.
     */
    public void open(Connection c, List<String> max) throws SQLException {
        List<String> params = new ArrayList<>(max);
        params.addAll(max);
        params.addAll(max);
        Sessions.exec(c, "DELETE FROM " + table());
        try {
            Sessions.update(c, openSql(), params);
        } catch (SQLException e) {
            // a value this session's sql_mode refuses (a zero date): without a mark, triggers
            // mirror everything
            log.info(
                    "{}.{}: no backfill watermark ({}); triggers mirror every write",
                    plan.schema(),
                    plan.table(),
                    e.getMessage());
        }
    }

    /**
     * The mark's single row, "nothing copied, the range ends at ?": the copy range's end three
     * times over (lo, max, after).
     */
    public String openSql() {
        return "INSERT INTO " + table() + " VALUES (0, 0, 0, " + binds(3) + ")";
    }

    /** {@code times} groups of one placeholder per key column. */
    private String binds(int times) {
        return IntStream.range(0, times)
                .mapToObj(
                        i ->
                                plan.key().stream()
                                        .map(k -> KeySql.bind(k.type()))
                                        .collect(Collectors.joining(", ")))
                .collect(Collectors.joining(", "));
    }

    /** How many ranges the mark has: 0 when there is no mark (the triggers mirror every write). */
    long ranges(Connection c) throws SQLException {
        return Sessions.longValue(c, "SELECT COUNT(*) FROM " + table(), List.of());
    }

    /**
     * Divides the copy range among copiers, in one statement: the triggers see the single range or
     * all of them, never a part. Range 0 keeps its row and mark and now ends at the first boundary;
     * each further range {@code (after, upTo]} starts with nothing copied. The set of journaled
     * keys stays the same, so nothing mirrored or journaled before needs another look. Called only
     * while the mark has its single row (see {@link #ranges}).
     */
    void split(Connection c, List<CopyRange> ranges) throws SQLException {
        List<String> rows = new ArrayList<>();
        List<String> params = new ArrayList<>();
        for (CopyRange r : ranges) {
            rows.add("(" + r.no() + ", 0, " + (r.after() == null ? 0 : 1) + ", " + binds(3) + ")");
            List<String> after = r.after() == null ? r.upTo() : r.after();
            params.addAll(after);
            params.addAll(r.upTo());
            params.addAll(after);
        }
        String maxOnly =
                IntStream.range(0, plan.key().size())
                        .mapToObj(i -> "max_" + i + " = VALUES(max_" + i + ")")
                        .collect(Collectors.joining(", "));
        Sessions.update(
                c,
                "INSERT LOW_PRIORITY INTO "
                        + table()
                        + " VALUES "
                        + String.join(", ", rows)
                        + " ON DUPLICATE KEY UPDATE "
                        + maxOnly,
                params);
    }

    /**
     * Moves the mark up to {@code upTo}; never down, which would stop mirroring rows already
     * mirrored. Returns false when there is no mark (a server restart emptied it, or it was never
     * opened): the triggers then mirror everything. A mark that cannot be moved is removed for the
     * same effect: left behind, it would journal writes the copier has long passed.
     */
    boolean raise(Connection c, List<String> upTo) throws SQLException {
        return raise(c, 0, upTo);
    }

    /** As {@link #raise(Connection, List)}, for the mark of range {@code range}. */
    boolean raise(Connection c, int range, List<String> upTo) throws SQLException {
        return raise(c, range, upTo, Retry.of(ATTEMPTS, Retry.none()));
    }

    /**
     * As {@link #raise(Connection, List)}, giving up with the lock error at the slice's {@code
     * deadline}.
     */
    boolean raise(Connection c, List<String> upTo, long deadline) throws SQLException {
        return raise(c, 0, upTo, deadline);
    }

    /** As {@link #raise(Connection, List, long)}, for the mark of range {@code range}. */
    boolean raise(Connection c, int range, List<String> upTo, long deadline) throws SQLException {
        return raise(c, range, upTo, Retry.of(ATTEMPTS, Retry.none()).until(deadline));
    }

    private boolean raise(Connection c, int range, List<String> upTo, Retry retry)
            throws SQLException {
        List<String> params = new ArrayList<>(new KeySql(plan.key()).parameters(upTo));
        params.add(String.valueOf(range));
        List<String> higher = Sessions.firstRow(c, raiseCheckSql(), params);
        if (higher == null) {
            return false;
        }
        if ("0".equals(higher.get(0))) {
            return true;
        }
        String set = raiseSet();
        // for this update only: the copier's own waits stay. raise runs after every chunk, so the
        // session's value is read with the mark rather than in a round trip of its own
        return SessionVariable.with(
                c,
                "lock_wait_timeout",
                "2",
                higher.get(1),
                () -> update(c, range, upTo, set, retry));
    }

    /**
     * Whether the mark lies below a key (placeholders: the key, then the range's number), and the
     * session's lock_wait_timeout.
     */
    public String raiseCheckSql() {
        return "SELECT w.copied = 0 OR NOT "
                + upTo(i -> KeySql.bind(plan.key().get(i).type()), "lo")
                + ", @@SESSION.lock_wait_timeout FROM "
                + table()
                + " w WHERE w.r = ?";
    }

    private String raiseSet() {
        return IntStream.range(0, plan.key().size())
                .mapToObj(i -> "lo_" + i + " = " + KeySql.bind(plan.key().get(i).type()))
                .collect(Collectors.joining(", "));
    }

    /** Moves a range's mark (placeholders: the new mark, then the range's number). */
    public String raiseSql(boolean lowPriority) {
        return raiseSql(lowPriority, raiseSet());
    }

    private String raiseSql(boolean lowPriority, String set) {
        return "UPDATE "
                + (lowPriority ? "LOW_PRIORITY " : "")
                + table()
                + " SET copied = 1, "
                + set
                + " WHERE r = ?";
    }

    /**
     * The 2 s lock wait is the pause between attempts. A lock error at the last attempt or the
     * deadline is thrown: the mark stays where it was, which is safe, and the next call's settle
     * raises it again.
     */
    private boolean update(Connection c, int range, List<String> upTo, String set, Retry retry)
            throws SQLException {
        List<String> params = new ArrayList<>(upTo);
        params.add(String.valueOf(range));
        try {
            return retry.run(
                    plan.schema() + "." + plan.table() + ": raising the backfill watermark",
                    attempt -> {
                        // LOW_PRIORITY lets new application statements pass the waiting update;
                        // only under a load that
                        // never leaves the table unread for a moment does the update, after a
                        // minute, queue up front
                        return Sessions.update(c, raiseSql(attempt <= 30, set), params) > 0;
                    });
        } catch (SQLException e) {
            if (Sessions.isRetryable(e)) {
                throw e;
            }
            log.warn(
                    "{}.{}: the backfill watermark cannot move ({}); triggers mirror every write from now",
                    plan.schema(),
                    plan.table(),
                    e.getMessage());
            Sessions.exec(c, "DELETE FROM " + table());
            return false;
        }
    }

    /**
     * For trigger bodies: 1 when the key of {@code row} (NEW or OLD) lies inside a copier's range
     * and above that copier's mark, so the write goes to the journal; 0 (also with no mark) when it
     * is mirrored into the shadow.
     */
    public String journaled(String row) {
        return "(SELECT COUNT(*) FROM "
                + table()
                + " w WHERE (w.bounded = 0 OR NOT "
                + upTo(row, "after")
                + ") AND "
                + upTo(row, "max")
                + " AND (w.copied = 0 OR NOT "
                + upTo(row, "lo")
                + "))";
    }

    /**
     * Records the key of {@code row} in the journal, for trigger bodies. A key already there is
     * left as it is by a no-op update: INSERT IGNORE would hand the application's statement a
     * duplicate-key warning.
     */
    public String record(String row) {
        String first = Identifiers.quote(plan.key().get(0).source());
        return "INSERT INTO "
                + journal()
                + " ("
                + plan.key().stream()
                        .map(k -> Identifiers.quote(k.source()))
                        .collect(Collectors.joining(", "))
                + ") VALUES ("
                + plan.key().stream()
                        .map(k -> row + "." + Identifiers.quote(k.source()))
                        .collect(Collectors.joining(", "))
                + ") ON DUPLICATE KEY UPDATE "
                + first
                + " = "
                + first;
    }

    /** The key of {@code row} at or below bound {@code prefix} of the mark. */
    private String upTo(String row, String prefix) {
        return upTo(i -> comparable(plan.key().get(i), row), prefix);
    }

    /**
     * The key whose i-th column is {@code column.apply(i)} at or below bound {@code prefix},
     * lexicographically.
     */
    private String upTo(IntFunction<String> column, String prefix) {
        List<String> ors = new ArrayList<>();
        for (int i = 0; i < plan.key().size(); i++) {
            List<String> ands = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                ands.add(column.apply(j) + " = w." + prefix + "_" + j);
            }
            ands.add(
                    column.apply(i)
                            + (i == plan.key().size() - 1 ? " <= " : " < ")
                            + "w."
                            + prefix
                            + "_"
                            + i);
            ors.add("(" + String.join(" AND ", ands) + ")");
        }
        return "(" + String.join(" OR ", ors) + ")";
    }

    /**
     * A key value as the index orders it: ENUM, SET and BIT by number (compared as text they would
     * not be).
     */
    private static String comparable(Plan.KeyColumn k, String alias) {
        String col = alias + "." + Identifiers.quote(k.source());
        return k.type().isEnumOrSet() || k.type().dataTypeLower().equals("bit")
                ? "(" + col + " + 0)"
                : col;
    }

    private String engine(Connection c) throws SQLException {
        List<String> row =
                Sessions.firstRow(
                        c,
                        "SELECT ENGINE FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                                + "AND TABLE_NAME = ?",
                        List.of(plan.schema(), plan.names().watermark()));
        return row == null ? null : row.get(0);
    }
}

package dev.schemachange.engine.copy;

import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

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
 */
public final class Journal {
    private static final int BATCH = 500;
    private final Plan plan;
    private final Watermark watermark;
    private final Copier copier;
    private final KeySql key;

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
            Retry.of(10, Retry.linear(20))
                    .run(
                            plan.schema() + "." + plan.table() + ": journal catch-up",
                            attempt -> {
                                recopy(c, keys);
                                return null;
                            });
            total += keys.size();
        }
    }

    /**
     * A locking read, so it waits for a transaction that journaled a key and has not committed yet
     * (the mark has moved, so none journals below it any more); READ COMMITTED takes no gap locks.
     */
    private List<List<String>> journaled(Connection c, List<String> after, List<String> upTo)
            throws SQLException {
        Sessions.exec(
                c, "SET TRANSACTION ISOLATION LEVEL READ COMMITTED"); // the next statement only
        String sql = journaledSql(after != null);
        List<List<String>> keys = new ArrayList<>();
        try (PreparedStatement ps = Sessions.prepare(c, sql)) {
            List<String> params = new ArrayList<>();
            if (after != null) {
                params.addAll(key.parameters(after));
            }
            params.addAll(key.parameters(upTo));
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
        return "SELECT "
                + key.render("j")
                + " FROM "
                + watermark.journal()
                + " j WHERE "
                + (bounded ? key.after("j") + " AND " : "")
                + key.upTo("j")
                + " ORDER BY "
                + key.orderBy("j", false)
                + " LIMIT "
                + BATCH
                + " LOCK IN SHARE MODE";
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
                    // entries applications
                    // are writing above the mark, while this batch holds share locks those
                    // applications wait for
                    Sessions.update(
                            c,
                            "DELETE j FROM "
                                    + watermark.journal()
                                    + " j FORCE INDEX (PRIMARY) WHERE "
                                    + key.oneOf("j", false, n),
                            params);
                    return null;
                });
    }
}

package dev.schemachange.engine.swap;

import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.fk.ForeignKeyNames;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The swap, in three steps that each leave the database in a state the next run recognises by
 * inspection:
 *
 * <ol>
 *   <li>move the table's own triggers onto the shadow ({@code <table>__osc_new}, next to the
 *       original since Preparing) under a WRITE lock on both, so the application only waits;
 *   <li>one atomic {@code RENAME TABLE t TO t__osc_old, t__osc_new TO t} with a short
 *       lock_wait_timeout, retried with backoff: a failed attempt changes nothing;
 *   <li>retire the old table: drop it, or move it (without triggers) to the undo schema.
 * </ol>
 *
 * Helper names sort after the original's: RENAME locks names in sorted order, and with names
 * sorting first an application statement blocked across the RENAME can fail with ER 1146
 * (docs/architecture.md).
 */
public final class CutOver {
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC);
    private final Plan plan;
    private final Applier applier;
    private final TriggerSql triggers;
    private final CompatibilityView view;

    public CutOver(Plan plan, Applier applier, TriggerSql triggers, CrashPoints crash) {
        this.plan = plan;
        this.applier = applier;
        this.triggers = triggers;
        this.view = new CompatibilityView(plan, crash);
    }

    String original() {
        return Identifiers.quote(plan.schema(), plan.table());
    }

    String newTable() {
        return Identifiers.quote(plan.schema(), plan.names().newTable());
    }

    String oldTable() {
        return Identifiers.quote(plan.schema(), plan.names().oldTable());
    }

    /**
     * Step 1: the table's own triggers move onto the shadow, in one WRITE lock on both, so every
     * application write fires them exactly once: before, on the original; after, on the shadow
     * through our trigger.
     */
    void moveOwnTriggers(Connection c, List<TableInfo.Trigger> own) throws SQLException {
        moveOwnTriggers(c, own, plan.names().newTable());
    }

    /**
     * Undoes step 1 (for an abort before the swap): the table's own triggers go back to the
     * original.
     */
    public void unmoveShadow(Connection c, List<TableInfo.Trigger> own) throws SQLException {
        applier.underWriteLock(
                c,
                List.of(original(), newTable()),
                () -> {
                    Sessions.exec(c, triggers.drop().toArray(String[]::new));
                    recreateAll(c, own, plan.table());
                });
    }

    /**
     * (Re)creates the own triggers on {@code table}, wherever they are now; safe to repeat after a
     * crash.
     */
    void moveOwnTriggers(Connection c, List<TableInfo.Trigger> own, String table)
            throws SQLException {
        if (own.isEmpty()) {
            return;
        }
        applier.underWriteLock(
                c,
                List.of(original(), Identifiers.quote(plan.schema(), table)),
                () -> recreateAll(c, own, table));
    }

    private void recreateAll(Connection c, List<TableInfo.Trigger> own, String table)
            throws SQLException {
        for (TableInfo.Trigger t : own) {
            Sessions.exec(
                    c, "DROP TRIGGER IF EXISTS " + Identifiers.quote(plan.schema(), t.name()));
            recreate(c, t, table);
        }
    }

    /**
     * Before step 2 of a split: the parts' final names must still be free, and the compatibility
     * view ready.
     */
    void prepareParts(Connection c, Inspector inspector) throws SQLException {
        if (plan.compatibilityView()) {
            view.prepare(c);
            return;
        }
        for (Plan.Part part : plan.parts()) {
            if (!part.table().equals(plan.table())
                    && inspector.tableExists(plan.schema(), part.table())) {
                throw CompatibilityView.nameTaken(plan.schema(), part.table());
            }
        }
    }

    /** Removes what {@link #prepareParts} made, for an abort before the swap. */
    public void unprepareParts(Connection c) throws SQLException {
        view.drop(c);
    }

    /**
     * Step 2: returns the milliseconds the RENAME took (the application's stall), after up to
     * maxAttempts. Every part goes live in the same RENAME; a split's compatibility view takes the
     * original's name in it too.
     */
    long swap(
            Connection c,
            int maxAttempts,
            java.util.function.IntConsumer onAttempt,
            java.util.Optional<VersionRow> version)
            throws SQLException {
        return rename(c, maxAttempts, renameSql(), onAttempt, version, true);
    }

    /** The swap's RENAME, without the version table's pairs. */
    private String renameSql() {
        StringBuilder sql = new StringBuilder("RENAME TABLE " + original() + " TO " + oldTable());
        for (Plan.Part part : plan.parts()) {
            sql.append(", ")
                    .append(part.shadowTable())
                    .append(" TO ")
                    .append(Identifiers.quote(plan.schema(), part.table()));
        }
        if (plan.compatibilityView()) {
            sql.append(", ").append(view.quoted()).append(" TO ").append(original());
        }
        return sql.toString();
    }

    /** The swap's RENAME as {@link #swap} runs it, with the version table's pairs: for a plan. */
    public String swapSql(java.util.Optional<VersionRow> version) {
        return renameSql() + version.map(VersionRow::renamePairs).orElse("");
    }

    /**
     * The RENAME, with the version table's rotation when there is one (rebuilt fresh for every
     * attempt).
     */
    private long rename(
            Connection c,
            int maxAttempts,
            String renameSql,
            java.util.function.IntConsumer onAttempt,
            java.util.Optional<VersionRow> version,
            boolean addVersion)
            throws SQLException {
        applier.setLockWait(c);
        return Retry.of(maxAttempts, Retry.exponential(500, 8_000))
                .run(
                        "swap of " + plan.schema() + "." + plan.table(),
                        attempt -> {
                            onAttempt.accept(attempt);
                            if (version.isPresent()) {
                                version.get().prepare(c, addVersion);
                            }
                            return applier.run(
                                    c, renameSql + version.map(VersionRow::renamePairs).orElse(""));
                        });
    }

    /**
     * Step 3 with reverse sync: the old table stays where the reverse triggers write, as {@code
     * <table>__osc_old}; its forward triggers are skipped by their guard (the application no longer
     * writes to it). Its foreign keys move to temporary names, so the new table can take the
     * constraint names back while parent cascades still reach the old table (see {@link
     * ForeignKeyNames#keepAside}).
     */
    String keepSynced(Connection c) throws SQLException {
        ForeignKeyNames.keepAside(c, applier, plan.schema(), plan.names().oldTable());
        return plan.schema() + "." + plan.names().oldTable();
    }

    /**
     * The reverse swap: {@code RENAME t TO t__osc_new, t__osc_old TO t}, retried like the swap; for
     * a split every part goes back to its shadow name and a compatibility view back to its own, in
     * the same RENAME.
     */
    long swapBack(Connection c, int maxAttempts, java.util.Optional<VersionRow> version)
            throws SQLException {
        return rename(c, maxAttempts, swapBackRenameSql(), a -> {}, version, false);
    }

    private String swapBackRenameSql() {
        StringBuilder sql = new StringBuilder("RENAME TABLE ");
        for (Plan.Part part : plan.parts()) {
            sql.append(part.liveTable()).append(" TO ").append(part.shadowTable()).append(", ");
        }
        if (plan.compatibilityView()) {
            sql.append(original()).append(" TO ").append(view.quoted()).append(", ");
        }
        sql.append(oldTable()).append(" TO ").append(original());
        return sql.toString();
    }

    /** The reverse swap's RENAME as {@link #swapBack} runs it: for a plan. */
    public String swapBackSql(java.util.Optional<VersionRow> version) {
        return swapBackRenameSql() + version.map(VersionRow::renamePairs).orElse("");
    }

    /**
     * What {@link #prepareParts} runs before the RENAME of a split with a compatibility view (the
     * placeholders that let the view be created over the parts' final names, then dropped): for a
     * plan. Empty otherwise.
     */
    public List<String> prepareSql() {
        return plan.compatibilityView() ? view.prepareSql() : List.of();
    }

    /** What {@link #unprepareParts} runs (the view's DROP), for a plan. */
    public List<String> unprepareSql() {
        return List.of(view.dropSql());
    }

    /** The old table's DROP, when nothing keeps it: for a plan too. */
    public String dropOldSql() {
        return "DROP TABLE IF EXISTS " + oldTable();
    }

    /** Step 3: returns the old table's final name, or null when it was dropped. */
    String retire(Connection c, Inspector inspector, Instant swappedAt, boolean keep)
            throws SQLException {
        if (!keep) {
            applier.ddl(c, dropOldSql());
            return null;
        }
        String name = Identifiers.fit(plan.table(), "__" + STAMP.format(swappedAt));
        if (!inspector.tableExists(plan.schema(), plan.names().oldTable())) {
            return plan.undoSchema() + "." + name; // retired before a crash
        }
        List<String> statements =
                new ArrayList<>(
                        List.of(
                                "CREATE DATABASE IF NOT EXISTS "
                                        + Identifiers.quote(plan.undoSchema())));
        // a table with triggers cannot move to another schema (ERROR 1435); nobody writes the old
        // table now
        plan.names()
                .forwardTriggers()
                .forEach(
                        t ->
                                statements.add(
                                        "DROP TRIGGER IF EXISTS "
                                                + Identifiers.quote(plan.schema(), t)));
        applier.ddl(c, statements.toArray(String[]::new));
        // kept for rollback, it must neither hold the constraint names nor restrict the parents'
        // deletes
        ForeignKeyNames.dropAll(c, applier, plan.schema(), plan.names().oldTable());
        applier.ddl(
                c,
                "RENAME TABLE " + oldTable() + " TO " + Identifiers.quote(plan.undoSchema(), name));
        return plan.undoSchema() + "." + name;
    }

    /** A trigger as its author made it: same name, definer, sql_mode and body. */
    private void recreate(Connection c, TableInfo.Trigger t, String table) throws SQLException {
        String definer = t.definer();
        int at = definer.lastIndexOf('@');
        String quotedDefiner =
                at < 0
                        ? Identifiers.quote(definer)
                        : Identifiers.quote(definer.substring(0, at))
                                + "@"
                                + Identifiers.quote(definer.substring(at + 1));
        SessionVariable.with(
                c,
                "sql_mode",
                Identifiers.literal(t.sqlMode()),
                () -> {
                    Sessions.exec(
                            c,
                            "CREATE DEFINER="
                                    + quotedDefiner
                                    + " TRIGGER "
                                    + Identifiers.quote(plan.schema(), t.name())
                                    + " "
                                    + t.timing()
                                    + " "
                                    + t.event()
                                    + " ON "
                                    + Identifiers.quote(plan.schema(), table)
                                    + " FOR EACH ROW "
                                    + t.statement());
                    return null;
                });
    }
}

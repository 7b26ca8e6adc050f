package dev.schemachange.engine;

import dev.schemachange.api.Durations;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.check.DiskSpace;
import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.natively.Choice;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.swap.CutOver;
import dev.schemachange.engine.swap.VersionRow;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Writes out a validated change as {@link ChangePlan}: the statements come from the classes that
 * run them ({@link PartSpec}, {@link TriggerSql}, {@link CutOver}, {@link VersionRow}, the native
 * ALTER as {@code NativeChange} builds it); the chunked copy and the verify are described by their
 * shape, as their statements depend on each chunk's bounds.
 */
final class PlanBuilder {
    private final SchemaChangeSpec spec;
    private final StateStore store;

    PlanBuilder(SchemaChangeSpec spec, StateStore store) {
        this.spec = spec;
        this.store = store;
    }

    ChangePlan build(Connection c, Plan plan, Choice choice) throws SQLException {
        String schema = spec.database().schema();
        TableInfo source = new Inspector(c).table(schema, spec.table()).orElseThrow();
        Optional<VersionRow> version = VersionRow.of(schema, spec);
        String lockWait = spec.swap().lockWaitTimeout();
        String bounds =
                "each attempt with lock_wait_timeout = "
                        + lockWait
                        + " (first without waiting), up to "
                        + spec.swap().maxAttempts()
                        + " attempts with backoff";
        List<ChangePlan.Step> steps = new ArrayList<>();
        String quoted = Identifiers.quote(schema, spec.table());
        if (choice.natively()) {
            steps.add(
                    new ChangePlan.Step(
                            "swap: the native ALTER",
                            "after approval, inside the window and after swap-not-before; "
                                    + bounds,
                            List.of(
                                    "ALTER TABLE "
                                            + quoted
                                            + " "
                                            + spec.alter()
                                            + ", "
                                            + choice.algorithmClause())));
            version.ifPresent(
                    v ->
                            steps.add(
                                    new ChangePlan.Step(
                                            "version row",
                                            "right after the ALTER, same session (not atomic with it; a crash "
                                                    + "between the two is completed by the next run); value "
                                                    + spec.migrationVersion().value(),
                                            List.of(v.insertSql()))));
            List<String> back = new ArrayList<>();
            if (choice.reverse() != null) {
                back.add("ALTER TABLE " + quoted + " " + choice.reverse());
                version.ifPresent(v -> back.add(v.deleteSql()));
            }
            steps.add(
                    new ChangePlan.Step(
                            "rollback",
                            choice.reverse() != null
                                    ? "the reverse ALTER, offered for retention.keepOldTableFor = "
                                            + spec.retention().keepOldTableFor()
                                    : "none: " + choice.noReverse(),
                            back));
        } else {
            copySteps(plan, source, version, bounds, steps);
        }
        DiskSpace space = DiskSpace.measure(c, schema, spec.table(), choice);
        return new ChangePlan(
                schema + "." + spec.table(),
                choice.strategy(),
                choice.reason(),
                steps,
                new ChangePlan.Estimates(
                        space.rows(),
                        space.dataBytes(),
                        space.indexBytes(),
                        space.neededBytes(),
                        space.freeBytes().isPresent() ? space.freeBytes().getAsLong() : null,
                        space.freeBytes().isPresent() ? null : DiskSpace.UNKNOWABLE,
                        choice.natively() ? "no copy" : copyTime(c, space.rows())),
                null);
    }

    private void copySteps(
            Plan plan,
            TableInfo source,
            Optional<VersionRow> version,
            String bounds,
            List<ChangePlan.Step> steps) {
        List<String> shadow = new ArrayList<>();
        for (PartSpec part : PartSpec.of(spec)) {
            String work = Identifiers.quote(spec.workSchema(), part.table());
            String table = Identifiers.quote(plan.schema(), part.shadow());
            shadow.add(part.create(work, source));
            shadow.addAll(part.ddl(work, source));
            shadow.add("RENAME TABLE " + work + " TO " + table);
            shadow.add("CREATE VIEW " + work + " AS SELECT * FROM " + table);
        }
        steps.add(
                new ChangePlan.Step(
                        "shadow table",
                        "built from SHOW CREATE TABLE, changed by the ALTER while empty",
                        shadow));
        TriggerSql triggers = new TriggerSql(plan, store.conflicts(), new Watermark(plan));
        steps.add(
                new ChangePlan.Step(
                        "triggers",
                        "created together under LOCK TABLES " + plan.table() + " WRITE",
                        triggers.create()));
        steps.add(
                new ChangePlan.Step(
                        "copy",
                        "INSERT IGNORE INTO each shadow SELECT its columns FROM the original in key order ("
                                + String.join(
                                        ", ", plan.key().stream().map(k -> k.source()).toList())
                                + "), one chunk of at most "
                                + spec.backfill().maxChunkRows()
                                + " rows per transaction, sized to take "
                                + spec.backfill().chunkTime()
                                + "; the cursor is saved with each chunk",
                        List.of()));
        steps.add(
                new ChangePlan.Step(
                        "verify",
                        "chunk by chunk, a checksum of the original's and the shadow's rows; a chunk that "
                                + "differs is copied again",
                        List.of()));
        CutOver cutOver =
                new CutOver(
                        plan,
                        new Applier(
                                Durations.parse(spec.swap().lockWaitTimeout()),
                                spec.swap().maxAttempts()),
                        triggers,
                        CrashPoints.NONE);
        steps.add(
                new ChangePlan.Step(
                        "swap",
                        "one atomic RENAME"
                                + (version.isPresent()
                                        ? " that also rotates the version table (its copy holds the row)"
                                        : "")
                                + "; "
                                + bounds,
                        List.of(cutOver.swapSql(version))));
        if (!source.referencedBy().isEmpty()) {
            steps.add(
                    new ChangePlan.Step(
                            "foreign keys",
                            "child constraints re-pointed at the new table by policy "
                                    + spec.foreignKeys().children()
                                    + ": "
                                    + String.join(
                                            ", ",
                                            source.referencedBy().stream()
                                                    .map(fk -> fk.table() + "." + fk.name())
                                                    .toList()),
                            List.of()));
        }
        boolean keep = !Durations.parse(spec.retention().keepOldTableFor()).isZero();
        steps.add(
                new ChangePlan.Step(
                        "reverse sync",
                        keep && spec.retention().reverseSync()
                                ? "after the swap, writes go back to the old table for retention "
                                        + spec.retention().keepOldTableFor()
                                : "none (retention 0 or reverseSync: false)",
                        keep && spec.retention().reverseSync()
                                ? triggers.createReverse()
                                : List.of()));
        List<String> cleanup = new ArrayList<>(triggers.drop());
        cleanup.addAll(triggers.dropReverse());
        cleanup.add(
                "DROP TABLE IF EXISTS "
                        + Identifiers.quote(plan.schema(), plan.names().oldTable()));
        steps.add(
                new ChangePlan.Step(
                        "cleanup", keep ? "when retention ends" : "right after the swap", cleanup));
        steps.add(
                new ChangePlan.Step(
                        "rollback",
                        keep && spec.retention().reverseSync()
                                ? "before the swap: the triggers and the shadow are dropped; after it: "
                                        + "the reverse-synced old table is renamed back into place"
                                : "before the swap only (no synced old table is kept)",
                        List.of()));
    }

    /** At the rate the server showed for earlier copies of any table, from the state rows. */
    private String copyTime(Connection c, long rows) throws SQLException {
        List<String> rate;
        try {
            rate =
                    Sessions.firstRow(
                            c,
                            "SELECT SUM(rows_copied), SUM(copy_millis) FROM "
                                    + Identifiers.quote(spec.workSchema(), "schemachange_state"),
                            List.of());
        } catch (SQLException e) {
            rate = null; // no change ran on this server yet
        }
        if (rate == null || rate.get(0) == null || Long.parseLong(rate.get(1)) <= 0) {
            return "unknown: no copy has run on this server yet";
        }
        double perSecond = Long.parseLong(rate.get(0)) * 1000.0 / Long.parseLong(rate.get(1));
        long seconds = perSecond <= 0 ? 0 : (long) Math.ceil(rows / perSecond);
        return String.format(
                Locale.ROOT,
                "about %d min %d s at the %,.0f rows/s earlier copies on this server showed",
                seconds / 60,
                seconds % 60,
                perSecond);
    }
}

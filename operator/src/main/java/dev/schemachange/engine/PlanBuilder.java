package dev.schemachange.engine;

import dev.schemachange.api.Durations;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.check.DiskSpace;
import dev.schemachange.engine.copy.Copier;
import dev.schemachange.engine.copy.CopyStatements;
import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.fk.ChildForeignKeys;
import dev.schemachange.engine.fk.ForeignKeyNames;
import dev.schemachange.engine.natively.Choice;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.swap.CutOver;
import dev.schemachange.engine.swap.VersionRow;
import dev.schemachange.engine.workspace.Workspace;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Writes out a validated change as {@link ChangePlan}: every statement comes from the method the
 * engine builds it with ({@link Workspace}, {@link TriggerSql}, {@link CopyStatements}, {@link
 * CutOver}, {@link VersionRow}, {@link ChildForeignKeys}, {@link ForeignKeyNames}, the native ALTER
 * as {@code NativeChange} builds it), so its text is what {@code run} logs at debug level; a value
 * known only while it runs (a chunk's bounds) is a {@code ?}, and the step says what it stands for.
 * Statements whose text depends on what the server shows at that moment (a chunk boundary's OFFSET,
 * a self-referencing foreign key's re-pointing) are described in the step's comment.
 */
final class PlanBuilder {
    private final SchemaChangeSpec spec;
    private final StateStore store;

    /** The chunk key of the plan being written out, for naming placeholders. */
    private List<Plan.KeyColumn> keyColumns = List.of();

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
            copySteps(c, plan, source, version, bounds, steps);
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

    /** A step's statements with, for each, what its placeholders stand for. */
    private static final class Statements {
        private final List<String> sql = new ArrayList<>();
        private final List<String> binds = new ArrayList<>();

        Statements add(String statement) {
            return add(statement, "");
        }

        Statements add(String statement, String placeholders) {
            sql.add(statement);
            binds.add(placeholders);
            return this;
        }

        Statements addAll(List<String> statements) {
            statements.forEach(this::add);
            return this;
        }

        ChangePlan.Step step(String title, String comment) {
            return new ChangePlan.Step(title, comment, sql, binds);
        }
    }

    private void copySteps(
            Connection c,
            Plan plan,
            TableInfo source,
            Optional<VersionRow> version,
            String bounds,
            List<ChangePlan.Step> steps)
            throws SQLException {
        Applier applier =
                new Applier(
                        Durations.parse(spec.swap().lockWaitTimeout()), spec.swap().maxAttempts());
        Workspace workspace = new Workspace(spec, store, applier);
        String schema = plan.schema();
        boolean keep = !Durations.parse(spec.retention().keepOldTableFor()).isZero();
        // keepOldTableFor "0" with children: the old table stays, synced, until they are re-pointed
        boolean bridged = !keep && workspace.bridgesChildren(c, plan);
        boolean synced =
                bridged || keep && spec.retention().reverseSync() && plan.irreversible().isEmpty();
        String until =
                bridged
                        ? "until every child references the new table"
                        : "for retention " + spec.retention().keepOldTableFor();
        String key = String.join(", ", plan.key().stream().map(Plan.KeyColumn::source).toList());
        keyColumns = plan.key();

        Statements shadow = new Statements().add(workspace.undoSchemaSql());
        for (PartSpec part : PartSpec.of(spec)) {
            shadow.addAll(workspace.shadowSql(schema, part, source));
            shadow.addAll(workspace.moveSql(schema, part));
        }
        steps.add(
                shadow.step(
                        "shadow table",
                        "built in the work schema from SHOW CREATE TABLE, changed by the ALTER while "
                                + "empty"
                                + (source.foreignKeys().isEmpty()
                                        ? ""
                                        : " (its foreign keys then take temporary names <name>__osc,"
                                                + " as constraint names are unique per schema)")
                                + ", then moved next to the original"));

        boolean watermarked = CopyStatements.watermarked(c);
        boolean lockFree = CopyStatements.lockFree(c, plan);
        CopyStatements copy = new CopyStatements(plan);
        TriggerSql triggers =
                new TriggerSql(plan, store.conflicts(), watermarked ? new Watermark(plan) : null);
        Statements install = new Statements();
        if (watermarked) {
            install.addAll(copy.createWatermark());
        }
        install.addAll(triggers.create());
        List<String> end = copy.rangeEnd(watermarked);
        install.add(end.get(0));
        if (watermarked) {
            install.add(end.get(1))
                    .add(end.get(2), keyBinds("the copy range's end") + ", three times");
        }
        List<String> locked = new ArrayList<>(List.of(plan.table()));
        plan.parts().forEach(p -> locked.add(p.shadow()));
        steps.add(
                install.step(
                        "triggers",
                        (watermarked
                                        ? "the backfill's watermark (MEMORY) and journal first; then "
                                        : "")
                                + "created together under LOCK TABLES "
                                + String.join(", ", locked)
                                + " WRITE, where the copy range's end is read"
                                + (watermarked ? " and the watermark opened at it" : "")));

        int cap = CopyStatements.chunkRowsCap(c, plan, spec);
        long rows = Math.max(0, source.rowEstimate());
        Statements chunk = new Statements();
        List<String> settle = copy.settle(spec.backfill().threads() > 1);
        String raised = "the chunk's last key (" + key + ")";
        if (watermarked && !lockFree) {
            chunk.add(
                            settle.get(0),
                            keyBinds("the chunk's last key")
                                    + ", then the copier's range number (0 with one copier)")
                    .add(
                            settle.get(1),
                            raised + ", then the copier's range number (0 with one copier)");
        }
        String server = Sessions.firstRow(c, "SELECT VERSION()", List.of()).get(0);
        for (String insert : copy.chunk(lockFree, server)) {
            chunk.add(
                    insert,
                    keyBinds("the last key copied") + ", then " + keyBinds("the chunk's last key"));
        }
        if (watermarked) {
            if (lockFree) {
                chunk.add(
                                settle.get(0),
                                keyBinds("the chunk's last key")
                                        + ", then the copier's range number (0 with one copier)")
                        .add(
                                settle.get(1),
                                raised + ", then the copier's range number (0 with one copier)");
            }
            chunk.add(
                    settle.get(2),
                    (spec.backfill().threads() > 1
                                    ? keyBinds("the copier's range start") + ", "
                                    : "")
                            + keyBinds("the chunk's last key"));
        }
        steps.add(
                chunk.step(
                        "copy",
                        "chunk by chunk in key order ("
                                + key
                                + "), "
                                + (lockFree
                                        ? "READ COMMITTED without locking the original's rows"
                                        : "share-locking the original's rows")
                                + String.format(
                                        Locale.ROOT,
                                        ", ~%,d rows in at least %,d chunks of at most %,d rows"
                                                + " (maxChunkRows %d",
                                        rows,
                                        (rows + cap - 1) / cap,
                                        cap,
                                        spec.backfill().maxChunkRows())
                                + (cap < spec.backfill().maxChunkRows()
                                        ? ", lowered by maxChunkBytes"
                                        : "")
                                + "), one per transaction, each sized to take "
                                + spec.backfill().chunkTime()
                                + ", in statements of about "
                                + Copier.STATEMENT_TIME.toMillis()
                                + " ms; each chunk's end is read first (SELECT "
                                + key
                                + " … ORDER BY "
                                + key
                                + " LIMIT 1 OFFSET <chunk rows - 1>) and saved with it; the first "
                                + "chunk has no lower bound"
                                + (watermarked
                                        ? "; the watermark follows the copy and keys written above it"
                                                + " are re-copied from the journal"
                                        : "")
                                + (spec.backfill().threads() > 1
                                        ? "; " + spec.backfill().threads() + " copiers over ranges"
                                        : "")));

        Map<String, TableInfo> shadows = scratchShadows(c, source);
        Statements verify = new Statements();
        List<String> chunkVerify = copy.verifyChunk(source, shadows, CopyStatements.crc32c(c));
        for (String q : chunkVerify) {
            verify.add(
                    q,
                    q.startsWith("SELECT")
                            ? keyBinds("the last key verified")
                                    + ", then "
                                    + keyBinds("the chunk's last key")
                            : "");
        }
        verify.addAll(copy.analyze());
        steps.add(
                verify.step(
                        "verify",
                        "chunk by chunk, in one consistent snapshot each, the rows and two CRC sums of "
                                + "the original's and the shadow's rows as the new shape holds them; "
                                + "the first chunk has no lower bound, the last no upper one; only a "
                                + "chunk whose sums differ is compared row by row and copied again "
                                + "under lock"));

        CutOver cutOver = new CutOver(plan, applier, triggers, CrashPoints.NONE);
        Statements swap = new Statements().addAll(cutOver.prepareSql());
        version.ifPresent(v -> addVersion(swap, v.prepareSql(true), true));
        swap.add(cutOver.swapSql(version));
        version.ifPresent(v -> swap.addAll(v.finishSql(true)));
        steps.add(
                swap.step(
                        "swap",
                        (plan.compatibilityView()
                                        ? "the compatibility view made over the parts' final names; then "
                                        : "")
                                + "one atomic RENAME"
                                + (version.isPresent()
                                        ? " that also rotates the version table (a copy holding "
                                                + "the row "
                                                + spec.migrationVersion().value()
                                                + ", rebuilt for every attempt; rows written meanwhile "
                                                + "are merged after it)"
                                        : "")
                                + "; "
                                + bounds));

        List<TableInfo.ForeignKey> children = ChildForeignKeys.childrenOf(source);
        boolean selfReferencing =
                source.foreignKeys().stream()
                        .anyMatch(
                                fk ->
                                        fk.refSchema().equals(source.schema())
                                                && fk.refTable().equals(source.name()));
        if (!children.isEmpty() || selfReferencing) {
            Statements fks = new Statements();
            fks.addAll(repoint(c, children, schema, plan.table(), spec.split() != null));
            steps.add(
                    fks.step(
                            "foreign keys",
                            (children.isEmpty()
                                            ? ""
                                            : "child constraints ("
                                                    + String.join(
                                                            ", ",
                                                            children.stream()
                                                                    .map(
                                                                            fk ->
                                                                                    fk.table()
                                                                                            + "."
                                                                                            + fk
                                                                                                    .name())
                                                                    .toList())
                                                    + ") followed the RENAME to the old table; policy "
                                                    + spec.foreignKeys().children()
                                                    + " re-points each at the live table through its "
                                                    + "temporary name and back, in place with "
                                                    + "foreign_key_checks=0")
                                    + (selfReferencing
                                            ? (children.isEmpty() ? "" : "; ")
                                                    + "the table's self-references are re-pointed from"
                                                    + " the old table at the live one the same way, by "
                                                    + "an in-place ALTER as SHOW CREATE TABLE shows "
                                                    + "them then (not listed)"
                                            : "")));
        }

        Statements after = new Statements();
        List<String> own = ownForeignKeys(source, null);
        if (!synced) {
            if (!keep) {
                after.add(cutOver.dropOldSql());
            } else if (!own.isEmpty()) {
                after.add(ForeignKeyNames.dropAllSql(schema, plan.names().oldTable(), own));
            }
        } else if (!own.isEmpty()) {
            after.add(
                    ForeignKeyNames.plannedRenameSql(
                            schema,
                            plan.names().oldTable(),
                            source.createSql(),
                            own,
                            "",
                            ForeignKeyNames.OLD_SUFFIX,
                            true));
        }
        for (PartSpec part : PartSpec.of(spec)) {
            List<String> kept = ownForeignKeys(source, part);
            if (synced && !kept.isEmpty()) {
                after.add(
                        ForeignKeyNames.plannedRenameSql(
                                schema,
                                part.table(),
                                source.createSql(),
                                kept,
                                ForeignKeyNames.SUFFIX,
                                "",
                                // the shadow's keys are declared (from SHOW CREATE TABLE): they
                                // keep their names, so rename() finds none and keeps name order
                                false));
            }
            after.add(workspace.dropWorkCopySql(part.table(), true));
        }
        if (!synced) {
            after.add(Watermark.dropStatement(plan));
        }
        steps.add(
                after.step(
                        "after the swap",
                        (synced
                                        ? "the old table stays as "
                                                + plan.names().oldTable()
                                                + ", reverse-synced"
                                        : keep
                                                ? "the old table moves to "
                                                        + plan.undoSchema()
                                                        + " under a name stamped with the swap time "
                                                        + "(its triggers and foreign keys dropped)"
                                                : "the old table is dropped")
                                + (own.isEmpty()
                                        ? ""
                                        : synced
                                                ? "; its foreign keys move aside to <name>__oso (still"
                                                        + " in force, so parent cascades reach it) and "
                                                        + "the new table's take their names back"
                                                : "; the new table's foreign keys take their names "
                                                        + "back by an in-place ALTER as SHOW CREATE TABLE "
                                                        + "shows them then"
                                                        + (keep
                                                                ? ", the old table's are dropped"
                                                                : ""))
                                + "; the work schema's view onto the shadow goes"));

        steps.add(
                new Statements()
                        .addAll(synced ? triggers.createReverse() : List.of())
                        .step(
                                "reverse sync",
                                synced
                                        ? "created with the forward triggers, under the same lock; "
                                                + "from the swap on, writes to the new table go back "
                                                + "to the old one "
                                                + until
                                        : "none (retention 0, reverseSync: false, or rows that "
                                                + "could not go back unchanged)"));

        Statements cleanup = new Statements();
        if (synced) {
            cleanup.addAll(triggers.dropReverse());
            cleanup.add(cutOver.dropOldSql());
            cleanup.add(Watermark.dropStatement(plan));
        }
        steps.add(
                cleanup.step(
                        "cleanup",
                        synced
                                ? (bridged
                                        ? "once every child references the new table"
                                        : "when retention ends")
                                : keep
                                        ? "when retention ends, the old table is dropped from "
                                                + plan.undoSchema()
                                        : "none left after the swap"));

        Statements abort = new Statements();
        abort.addAll(triggers.drop());
        plan.parts().forEach(p -> abort.add(Workspace.dropShadowSql(p)));
        if (plan.compatibilityView()) {
            abort.addAll(cutOver.unprepareSql());
        }
        PartSpec.of(spec).forEach(p -> abort.add(workspace.dropWorkCopySql(p.table(), true)));
        version.ifPresent(v -> abort.addAll(v.finishSql(true).subList(1, 3)));
        abort.add(Watermark.dropStatement(plan));
        steps.add(
                abort.step(
                        "rollback before the swap",
                        "the triggers go (under a WRITE lock on the original and the shadow, where the "
                                + "table's own triggers would move back), then the shadow and the "
                                + "helpers; the original table was never changed"));

        Statements back = new Statements();
        if (synced) {
            List<String> live =
                    spec.split() == null
                            ? List.of(plan.table())
                            : plan.parts().stream().map(Plan.Part::table).toList();
            for (String from : live) {
                back.addAll(repointBack(c, children, schema, from, plan.names().oldTable()));
            }
            back.addAll(triggers.drop());
            version.ifPresent(v -> addVersion(back, v.prepareSql(false), false));
            back.add(cutOver.swapBackSql(version));
            if (plan.compatibilityView()) {
                back.addAll(cutOver.unprepareSql());
            }
            for (PartSpec part : PartSpec.of(spec)) {
                List<String> kept = ownForeignKeys(source, part);
                if (!kept.isEmpty()) {
                    back.add(ForeignKeyNames.dropAllSql(schema, part.shadow(), kept));
                }
            }
            if (!own.isEmpty()) {
                back.add(
                        ForeignKeyNames.plannedRenameSql(
                                schema,
                                plan.table(),
                                source.createSql(),
                                own,
                                ForeignKeyNames.OLD_SUFFIX,
                                "",
                                // the old table's generated keys moved aside with their
                                // constraints (a table whose keys were declared keeps name order)
                                true));
            }
            version.ifPresent(
                    v -> {
                        List<String> finish = v.finishSql(false);
                        back.add(finish.get(0), "the version " + spec.migrationVersion().value());
                        back.addAll(finish.subList(1, 3));
                    });
            // (the forward triggers' DROP runs again here: gone already since before the RENAME)
            back.addAll(triggers.dropReverse());
            back.add(Watermark.dropStatement(plan));
        }
        steps.add(
                back.step(
                        "rollback after the swap",
                        synced
                                ? "until retention ends: "
                                        + (children.isEmpty()
                                                ? ""
                                                : "child constraints re-pointed at the "
                                                        + "reverse-synced old table, ")
                                        + "the old table's forward triggers dropped, one "
                                        + "RENAME puts it back in place (the new table stays aside as "
                                        + plan.names().newTable()
                                        + "; "
                                        + bounds
                                        + ")"
                                        + (version.isPresent()
                                                ? ", rotating the version table without the row"
                                                : "")
                                        + (own.isEmpty()
                                                ? ""
                                                : "; the set-aside table's foreign keys are dropped"
                                                        + " and the old table's take their names back")
                                : "none: no reverse-synced old table is kept, so a rollback after "
                                        + "the swap is not lossless (write a new change)"));
    }

    private void addVersion(Statements to, List<String> prepare, boolean add) {
        to.addAll(prepare.subList(0, 3));
        to.add(
                prepare.get(3),
                add
                        ? "the version row's values ("
                                + spec.migrationVersion().column()
                                + " = "
                                + spec.migrationVersion().value()
                                + (spec.migrationVersion().values().isEmpty()
                                        ? ""
                                        : " and " + spec.migrationVersion().values().keySet())
                                + ")"
                        : "the version " + spec.migrationVersion().value());
    }

    /**
     * The swap's re-pointing of each child constraint, as {@link ChildForeignKeys} runs it once the
     * children reference the old table: each to its temporary name referencing the live table (or a
     * split's part that keeps the referenced columns), then each child's names back.
     */
    private List<String> repoint(
            Connection c,
            List<TableInfo.ForeignKey> children,
            String schema,
            String table,
            boolean split)
            throws SQLException {
        List<PartSpec> parts = PartSpec.of(spec);
        Repointing repointing = new Repointing();
        Inspector inspector = new Inspector(c);
        for (TableInfo.ForeignKey fk : children) {
            String to =
                    split
                            ? ChildForeignKeys.holder(parts, fk).map(PartSpec::table).orElse(null)
                            : table;
            if (to == null || (fk.schema().equals(schema) && fk.table().equals(to))) {
                continue;
            }
            String clause =
                    ForeignKeyNames.clausesOf(inspector.showCreate(fk.schema(), fk.table()))
                            .get(fk.name());
            // before the swap the clause names the table itself, after it the old table: either
            // way the REFERENCES becomes the live name
            repointing.add(fk, clause, schema, table, to);
        }
        return repointing.statements();
    }

    /** A rollback's re-pointing of the children of {@code from} at the old table. */
    private List<String> repointBack(
            Connection c,
            List<TableInfo.ForeignKey> children,
            String schema,
            String from,
            String old)
            throws SQLException {
        Repointing repointing = new Repointing();
        Inspector inspector = new Inspector(c);
        List<PartSpec> parts = PartSpec.of(spec);
        for (TableInfo.ForeignKey fk : children) {
            String holder =
                    spec.split() == null
                            ? spec.table()
                            : ChildForeignKeys.holder(parts, fk).map(PartSpec::table).orElse(null);
            if (!from.equals(holder) || (fk.schema().equals(schema) && fk.table().equals(from))) {
                continue;
            }
            String clause =
                    ChildForeignKeys.repointed(
                            fk,
                            ForeignKeyNames.clausesOf(inspector.showCreate(fk.schema(), fk.table()))
                                    .get(fk.name()),
                            schema,
                            spec.table(),
                            from);
            repointing.add(fk, clause, schema, from, old);
        }
        return repointing.statements();
    }

    /**
     * Re-pointing statements in the order {@link ChildForeignKeys} runs them: each constraint to
     * its temporary name first, then one statement per child giving its names back.
     */
    private static final class Repointing {
        private record Child(String schema, String table) {}

        private final List<String> moves = new ArrayList<>();
        private final Map<Child, List<String>> temporaries = new LinkedHashMap<>();
        private final Map<Child, Map<String, String>> clauses = new LinkedHashMap<>();

        void add(TableInfo.ForeignKey fk, String clause, String schema, String from, String to) {
            moves.add(ChildForeignKeys.repointSql(fk, clause, schema, from, to));
            Child child = new Child(fk.schema(), fk.table());
            String temporary = ForeignKeyNames.temporary(fk.name());
            temporaries.computeIfAbsent(child, k -> new ArrayList<>()).add(temporary);
            clauses.computeIfAbsent(child, k -> new LinkedHashMap<>())
                    .put(temporary, ChildForeignKeys.repointed(fk, clause, schema, from, to));
        }

        List<String> statements() {
            List<String> out = new ArrayList<>(moves);
            temporaries.forEach(
                    (child, names) ->
                            out.add(
                                    ForeignKeyNames.restoreSql(
                                            child.schema(),
                                            child.table(),
                                            names,
                                            clauses.get(child))));
            return out;
        }
    }

    /**
     * The names of the table's own foreign keys to parents (not its self-references, which {@code
     * SelfForeignKeys} re-points), those a part keeps when {@code part} is given.
     */
    private static List<String> ownForeignKeys(TableInfo source, PartSpec part) {
        return source.foreignKeys().stream()
                .filter(
                        fk ->
                                !(fk.refSchema().equals(source.schema())
                                        && fk.refTable().equals(source.name())))
                .filter(fk -> part == null || fk.columns().stream().allMatch(part::keeps))
                .map(TableInfo.ForeignKey::name)
                .toList();
    }

    /**
     * Each part's new table as the server builds it, by its shadow's name: built empty in the work
     * schema as the shadow would be (the verify's digest depends on its column types), read, and
     * dropped again.
     */
    private Map<String, TableInfo> scratchShadows(Connection c, TableInfo source)
            throws SQLException {
        Map<String, TableInfo> out = new LinkedHashMap<>();
        Inspector inspector = new Inspector(c);
        for (PartSpec part : PartSpec.of(spec)) {
            String name = Identifiers.fit(part.table(), "__osc_pln");
            String quoted = Identifiers.quote(spec.workSchema(), name);
            try {
                Sessions.exec(c, "DROP TABLE IF EXISTS " + quoted, part.create(quoted, source));
                Sessions.exec(c, part.ddl(quoted, source).toArray(String[]::new));
                out.put(part.shadow(), inspector.table(spec.workSchema(), name).orElseThrow());
            } finally {
                Sessions.exec(c, "DROP TABLE IF EXISTS " + quoted);
            }
        }
        return out;
    }

    /**
     * What a key bound's placeholders stand for: each column, as often as the comparison uses it.
     */
    private String keyBinds(String what) {
        List<String> names = keyColumns.stream().map(Plan.KeyColumn::source).toList();
        return what + " (" + String.join(", ", new KeySql(keyColumns).parameters(names)) + ")";
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

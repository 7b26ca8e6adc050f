package dev.schemachange.engine.workspace;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.copy.Chunker;
import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.fk.ForeignKeyNames;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.engine.state.State;
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
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The helper objects of one change — shadow tables, their views in the work schema, our triggers,
 * the recorded conflicts — and how they come and go. Every method starts from what the database
 * holds, so it can be repeated after a crash.
 */
public final class Workspace {
    private static final Logger log = LoggerFactory.getLogger(Workspace.class);
    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final Applier applier;
    private final UnfitRows unfit;

    public Workspace(SchemaChangeSpec spec, StateStore store, Applier applier) {
        this.spec = spec;
        this.store = store;
        this.applier = applier;
        this.unfit = new UnfitRows(spec.workSchema());
    }

    /**
     * Builds the shadow from scratch (Preparing is re-entered that way after a crash). It is made
     * in the work schema, where the original's constraint names are free, gets the ALTER and
     * temporary FK names there, and then moves next to the original before any trigger names it:
     * renaming a table that triggers already write to, under LOCK TABLES, made MariaDB fail
     * concurrent application statements with ER 1146. The work schema keeps a view under the
     * table's own name, so the shadow can be compared with the original there.
     */
    public void buildShadow(Connection c, State state) throws SQLException {
        TriggerSql triggers = new TriggerSql(namesOnly(state), store.conflicts());
        applier.underWriteLock(
                c,
                List.of(Identifiers.quote(state.schema(), state.table())),
                () -> Sessions.exec(c, triggers.drop().toArray(String[]::new)));
        TableInfo source = new Inspector(c).table(state.schema(), state.table()).orElseThrow();
        Sessions.exec(c, undoSchemaSql());
        for (PartSpec part : PartSpec.of(spec)) {
            dropWorkCopy(c, part.table());
            String shadow = Identifiers.quote(state.schema(), part.shadow());
            Sessions.exec(c, shadowSql(state.schema(), part, source).toArray(String[]::new));
            ForeignKeyNames.useTemporary(c, applier, spec.workSchema(), part.table());
            Sessions.exec(c, moveSql(state.schema(), part).toArray(String[]::new));
            log.info("{}.{}: shadow table {} created", state.schema(), state.table(), shadow);
        }
    }

    /**
     * A part's shadow built in the work schema: made afresh from the original's definition, then
     * changed by the ALTER while empty. Then its foreign keys take their temporary names, and
     * {@link #moveSql} moves it next to the original.
     */
    public List<String> shadowSql(String schema, PartSpec part, TableInfo source) {
        String work = Identifiers.quote(spec.workSchema(), part.table());
        List<String> out =
                new ArrayList<>(
                        List.of(
                                "DROP TABLE IF EXISTS " + Identifiers.quote(schema, part.shadow()),
                                part.create(work, source)));
        out.addAll(part.ddl(work, source));
        return out;
    }

    /** The shadow moved next to the original, and a view onto it left in the work schema. */
    public List<String> moveSql(String schema, PartSpec part) {
        String work = Identifiers.quote(spec.workSchema(), part.table());
        String shadow = Identifiers.quote(schema, part.shadow());
        return List.of(
                "RENAME TABLE " + work + " TO " + shadow,
                "CREATE VIEW " + work + " AS SELECT * FROM " + shadow);
    }

    /** The first statement of Preparing: the schema where the old table may be retired. */
    public String undoSchemaSql() {
        return "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(spec.undoSchema());
    }

    /**
     * Drops {@code <workSchema>.<table>}: the view onto the shadow, or a shadow left by an
     * interrupted build.
     */
    public void dropWorkCopy(Connection c, String table) throws SQLException {
        List<String> type =
                Sessions.firstRow(
                        c,
                        "SELECT TABLE_TYPE FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(spec.workSchema(), table));
        if (type != null) {
            Sessions.exec(c, dropWorkCopySql(table, "VIEW".equals(type.get(0))));
        }
    }

    /** What {@link #dropWorkCopy} runs for a view onto the shadow ({@code view}) or a table. */
    public String dropWorkCopySql(String table, boolean view) {
        return (view ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ")
                + Identifiers.quote(spec.workSchema(), table);
    }

    /**
     * A plan that knows only names: enough to remove what a change left behind, or finish its swap.
     */
    public Plan namesOnly(State state) {
        List<Plan.Part> parts =
                PartSpec.of(spec).stream()
                        .map(
                                p ->
                                        new Plan.Part(
                                                state.schema(),
                                                p.table(),
                                                p.shadow(),
                                                List.of(),
                                                List.of(),
                                                Set.of()))
                        .toList();
        return new Plan(
                state.schema(),
                state.table(),
                spec.workSchema(),
                spec.undoSchema(),
                parts,
                "",
                Planner.names(state.table()),
                List.of(),
                List.of(),
                false,
                spec.compatibilityView(),
                List.of(),
                state.specHash());
    }

    /** Removes every helper object of an unswapped change; the original table is left as it was. */
    public void abandon(Connection c, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        Plan plan = namesOnly(state);
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        if (inspector.tableExists(state.schema(), plan.names().newTable())) {
            new CutOver(plan, applier, triggers, CrashPoints.NONE)
                    .unmoveShadow(c, store.userTriggers(c, state.schema(), state.table()));
        }
        CutOver cutOver = new CutOver(plan, applier, triggers, CrashPoints.NONE);
        List<String> ddl = new ArrayList<>(triggers.drop());
        plan.parts().forEach(p -> ddl.add(dropShadowSql(p)));
        applier.ddl(c, ddl.toArray(String[]::new));
        cutOver.unprepareParts(c);
        for (Plan.Part part : plan.parts()) {
            dropWorkCopy(c, part.table());
        }
        Optional<VersionRow> version = VersionRow.of(state.schema(), spec);
        if (version.isPresent()) {
            version.get()
                    .finish(
                            c, inspector,
                            true); // only drops a replacement left by a failed swap attempt
        }
        clearHelpers(c, state);
    }

    /** The shadow's DROP when a change is abandoned before its swap. */
    public static String dropShadowSql(Plan.Part part) {
        return "DROP TABLE IF EXISTS " + part.shadowTable();
    }

    /**
     * All three triggers appear at once, inside one WRITE lock on the original: created one by one,
     * an application could insert a row through a new INSERT trigger and delete it before the
     * DELETE trigger exists, leaving a row in the shadow that the original no longer has. Under the
     * same lock, before any write fires them, the copy range's end is read and the watermark opened
     * over the empty shadow. Returns that end (null: the table is empty).
     */
    public List<String> installTriggers(
            Connection c, Plan plan, Watermark watermark, Chunker chunker) throws SQLException {
        List<String> locked = new ArrayList<>();
        if (watermark != null) {
            locked.add(watermark.table());
        }
        List<List<String>> max = new ArrayList<>();
        install(
                c,
                plan,
                new TriggerSql(plan, store.conflicts(), watermark),
                locked,
                () -> {
                    List<String> end = chunker.maxKey(c);
                    if (watermark != null && end != null && shadowsEmpty(c, plan)) {
                        watermark.open(c, end);
                    }
                    max.add(end);
                });
        return max.get(0);
    }

    /** Puts back triggers something removed; they read the watermark if this change has one. */
    public void reinstallTriggers(Connection c, Plan plan) throws SQLException {
        Watermark watermark = new Watermark(plan);
        install(
                c,
                plan,
                new TriggerSql(plan, store.conflicts(), watermark.installed(c) ? watermark : null),
                List.of(),
                () -> {});
    }

    private void install(
            Connection c,
            Plan plan,
            TriggerSql triggers,
            List<String> alsoLocked,
            Applier.LockedWork then)
            throws SQLException {
        List<String> ddl = new ArrayList<>(triggers.drop());
        ddl.addAll(triggers.dropReverse());
        ddl.addAll(triggers.create());
        if (reverseSync(plan) || bridgesChildren(c, plan)) {
            if (!plan.widened().isEmpty()) {
                unfit.ensure(c); // the reverse triggers record rows that do not fit there
            }
            ddl.addAll(triggers.createReverse());
        }
        List<String> locked =
                new ArrayList<>(List.of(Identifiers.quote(plan.schema(), plan.table())));
        plan.parts().forEach(p -> locked.add(p.shadowTable()));
        locked.addAll(alsoLocked);
        applier.underWriteLock(
                c,
                locked,
                () -> {
                    Sessions.exec(c, ddl.toArray(String[]::new));
                    then.run();
                });
    }

    private static boolean shadowsEmpty(Connection c, Plan plan) throws SQLException {
        for (Plan.Part part : plan.parts()) {
            if (Sessions.firstRow(c, "SELECT 1 FROM " + part.shadowTable() + " LIMIT 1", List.of())
                    != null) {
                return false;
            }
        }
        return true;
    }

    /**
     * Forgets an ended change's conflicts and saved triggers and drops the watermark; its triggers
     * are gone.
     */
    public void clearHelpers(Connection c, State state) throws SQLException {
        Sessions.exec(c, Watermark.dropStatement(namesOnly(state)));
        store.clearHelpers(c, state.schema(), state.table());
        unfit.clear(c, state.schema(), state.table());
    }

    /**
     * The rows written after the swap that the reverse triggers could not carry back to the old
     * table, if any: from the first, a rollback loses them.
     */
    public Optional<UnfitRows.Summary> unfitRows(Connection c, State state) throws SQLException {
        return unfit.summary(c, state.schema(), state.table());
    }

    public void checkConflicts(Connection c, Plan plan) throws SQLException {
        Optional<String> conflict = store.firstConflict(c, plan.schema(), plan.table());
        if (conflict.isPresent()) {
            throw new Refused(
                    new Problem(
                            "spec.alter",
                            "a write made during the change collides on a unique key "
                                    + "of the new table ("
                                    + conflict.get()
                                    + "); swapping would lose that row (ERROR warnings "
                                    + "detected in statement)",
                            "remove the duplicates and the unique key's conflict, then run "
                                    + "the change again"));
        }
    }

    public boolean forwardTriggersComplete(Inspector inspector, Plan plan) throws SQLException {
        List<String> present =
                inspector.triggers(plan.schema(), plan.table()).stream()
                        .map(TableInfo.Trigger::name)
                        .toList();
        return present.containsAll(plan.names().forwardTriggers());
    }

    /**
     * With {@code keepOldTableFor: 0} the old table is still kept, reverse-synced, while children
     * reference it: their re-point after the swap never waits and may be late (Swapper), and until
     * it lands a child write is checked, and a parent delete cascades, against the old table.
     */
    public boolean bridgesChildren(Connection c, Plan plan) throws SQLException {
        return spec.retention().reverseSync()
                && Durations.parse(spec.retention().keepOldTableFor()).isZero()
                && plan.irreversible().isEmpty()
                && spec.foreignKeys().children() == SchemaChangeSpec.ChildPolicy.RebuildConstraints
                && new Inspector(c)
                        .table(plan.schema(), plan.table())
                        .map(
                                t ->
                                        t.referencedBy().stream()
                                                .anyMatch(
                                                        fk ->
                                                                !(fk.schema().equals(plan.schema())
                                                                        && fk.table()
                                                                                .equals(
                                                                                        plan
                                                                                                .table()))))
                        .orElse(false);
    }

    /** Rows written after the swap also go back to the old table, so a rollback loses none. */
    private boolean reverseSync(Plan plan) {
        return spec.retention().reverseSync()
                && !Durations.parse(spec.retention().keepOldTableFor()).isZero()
                && plan.irreversible().isEmpty();
    }
}

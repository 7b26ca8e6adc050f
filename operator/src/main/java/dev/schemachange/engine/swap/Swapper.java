package dev.schemachange.engine.swap;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.fk.ChildForeignKeys;
import dev.schemachange.engine.fk.ForeignKeyNames;
import dev.schemachange.engine.fk.SelfForeignKeys;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.TriggerSql;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.workspace.UnfitRows;
import dev.schemachange.engine.workspace.Workspace;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Swapping and what follows it: the cut-over (or DropSwap), the version row, children and
 * constraint names, the old table kept reverse-synced or retired; Swapped until retention ends; and
 * the reverse swap of a rollback. Each step is recognised by inspection when a run resumes after a
 * crash.
 */
public final class Swapper {
    /**
     * The annotation that consents to a rollback losing rows that did not fit the old table (the
     * CLI's {@code --accept-loss}).
     */
    public static final String ACCEPT_LOSS_ANNOTATION = "schemachange.dev/rollback-accept-loss";

    private static final Logger log = LoggerFactory.getLogger(Swapper.class);

    /** How the status says a child's re-point waits (the retry looks for it). */
    private static final String WAITING = "waiting for a moment when no transaction holds them";

    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final Clock clock;
    private final Applier applier;
    private final Workspace workspace;
    private final List<String> notes;
    private final CrashPoints crash;

    /**
     * @param notes the running call's notes, for what the user should hear about the swap
     */
    public Swapper(
            SchemaChangeSpec spec,
            StateStore store,
            Clock clock,
            Applier applier,
            Workspace workspace,
            List<String> notes,
            CrashPoints crash) {
        this.crash = crash;
        this.spec = spec;
        this.store = store;
        this.clock = clock;
        this.applier = applier;
        this.workspace = workspace;
        this.notes = notes;
    }

    public State swap(Connection c, Plan plan, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        CutOver cutOver = new CutOver(plan, applier, triggers, crash);
        boolean oldExists = inspector.tableExists(plan.schema(), plan.names().oldTable());
        boolean dropSwap = spec.foreignKeys().children() == SchemaChangeSpec.ChildPolicy.DropSwap;
        // DropSwap leaves no old table: a missing original means a crash after its DROP, a missing
        // shadow one
        // after the RENAME
        boolean dropped = dropSwap && !inspector.tableExists(plan.schema(), plan.table());
        // swappedAt is saved right after the RENAME; before that, the old table's name tells
        boolean swapped =
                state.swappedAt() != null
                        || oldExists
                        || (dropSwap
                                && !dropped
                                && !inspector.tableExists(plan.schema(), plan.names().newTable()));
        if (!swapped && dropped) {
            int[] attempts = {state.swapAttempts()};
            long lockMillis =
                    new DropSwap(plan, applier, crash)
                            .swap(
                                    c,
                                    spec.swap().maxAttempts(),
                                    a -> attempts[0]++,
                                    VersionRow.of(plan.schema(), spec));
            state =
                    state.withSwap(
                            attempts[0], state.lockMillis() + lockMillis, clock.instant(), null);
            store.save(c, state, state.swappedAt());
            swapped = true;
        }
        if (!swapped) {
            if (!workspace.forwardTriggersComplete(inspector, plan)) {
                // something removed our triggers: writes may have been missed, so reinstall and
                // verify again
                workspace.reinstallTriggers(c, plan);
                State back =
                        state.withVerified(null, List.of())
                                .withPhase(
                                        Phase.Verifying,
                                        "triggers were incomplete after an interrupted swap; verifying again");
                store.save(c, back, clock.instant());
                return back;
            }
            workspace.checkConflicts(c, plan);
            cutOver.prepareParts(c, inspector);
            cutOver.moveOwnTriggers(c, store.userTriggers(c, plan.schema(), plan.table()));
            crash.reached("swap:after-own-triggers");
            int prior = state.swapAttempts();
            int[] attempts = {prior};
            State due = state;
            long lockMillis =
                    dropSwap
                            ? new DropSwap(plan, applier, crash)
                                    .swap(
                                            c,
                                            spec.swap().maxAttempts(),
                                            a -> attempts[0] = counted(c, due, prior + a),
                                            VersionRow.of(plan.schema(), spec))
                            : cutOver.swap(
                                    c,
                                    spec.swap().maxAttempts(),
                                    a -> attempts[0] = counted(c, due, prior + a),
                                    VersionRow.of(plan.schema(), spec));
            crash.reached("swap:after-rename");
            if (dropSwap) {
                notes.add(
                        "DropSwap: the table did not exist for "
                                + lockMillis
                                + " ms between the DROP and the RENAME");
            }
            Instant at = clock.instant();
            state = state.withSwap(attempts[0], lockMillis, at, null);
            store.save(c, state, at);
            log.info("{}.{}: swapped in {} ms", plan.schema(), plan.table(), lockMillis);
        }
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        Instant swappedAt = state.swappedAt() == null ? clock.instant() : state.swappedAt();
        Optional<VersionRow> version = VersionRow.of(plan.schema(), spec);
        if (version.isPresent()) {
            version.get().finish(c, inspector, true);
        }
        Plan.Part first = plan.parts().get(0);
        boolean synced =
                inspector.triggers(plan.schema(), first.table()).stream()
                        .anyMatch(t -> first.reverseTriggers().contains(t.name()));
        // While reverse sync keeps the old table complete, a child may go on referencing it for a
        // while: its re-point never waits (see repointChildren). Without reverse sync nothing
        // would keep it current, so the re-point must land now, waiting if it has to.
        List<String> waiting =
                repointChildren(
                        c,
                        plan.schema(),
                        plan.names().oldTable(),
                        synced ? applier.neverWaiting() : applier);
        crash.reached("swap:after-repoint");
        String old =
                synced
                        ? cutOver.keepSynced(c)
                        : cutOver.retire(c, inspector, swappedAt, !keep.isZero());
        for (Plan.Part part : plan.parts()) {
            ForeignKeyNames.restore(c, applier, plan.schema(), part.table());
            workspace.dropWorkCopy(c, part.table());
        }
        if (!synced) {
            workspace.clearHelpers(c, state);
        }
        crash.reached("swap:after-retire");
        State next = state.withSwap(state.swapAttempts(), state.lockMillis(), swappedAt, old);
        next =
                keep.isZero() && !synced
                        ? next.withPhase(Phase.Completed, "swapped; the old table was dropped")
                        : next.withPhase(
                                Phase.Swapped, swappedMessage(old, swappedAt, synced, waiting));
        store.save(c, next, clock.instant());
        // keepOldTableFor 0 with children: the old table was kept only for them (Workspace)
        return keep.isZero() && synced ? retain(c, next) : next;
    }

    /**
     * Saves the number of swap attempts made, the one starting included, before it starts: a swap
     * that runs out of attempts throws, and without this its attempts would count nowhere (the
     * operator's osc_change_swap_attempts and the attempts-exhausted alert read the state row).
     */
    private int counted(Connection c, State due, int attempts) {
        try {
            store.save(
                    c,
                    due.withSwap(attempts, due.lockMillis(), due.swappedAt(), due.oldTable()),
                    clock.instant());
        } catch (SQLException e) {
            // the RENAME on this session fails the same way, and that error is the one to report
            log.warn(
                    "{}.{}: swap attempt {} not counted: {}",
                    due.schema(),
                    due.table(),
                    attempts,
                    e.getMessage());
        }
        return attempts;
    }

    private String swappedMessage(
            String old, Instant swappedAt, boolean synced, List<String> waiting) {
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        return "swapped; the old table is kept as "
                + old
                + (keep.isZero()
                        ? " until every child references the new table (keepOldTableFor: 0)"
                        : " until " + swappedAt.plus(keep))
                + (synced
                        ? ", reverse-synced: rollback is lossless"
                        : " without reverse sync: rollback after the swap is not available")
                + (waiting.isEmpty()
                        ? ""
                        : "; the foreign keys of "
                                + String.join(", ", waiting)
                                + " still reference the old table: re-pointing them at the new"
                                + " one is "
                                + WAITING
                                + " (retried at every step; the old table stays, reverse-synced,"
                                + " until then)");
    }

    /**
     * Re-points the children (and a self-referencing constraint) from {@code from} at the live
     * table, or for a split each child at the part that keeps its columns.
     *
     * <p>Why a child's re-point must not wait: its ALTER needs the child's exclusive metadata lock,
     * and a waiting exclusive request is queued ahead of new ones. An application transaction that
     * wrote the parent (or, through our reverse trigger, the old table the children reference right
     * after the swap) holds a weaker lock on the child already, the server's prelocking for the
     * constraint; when its own child insert then asks for a stronger one it waits behind our ALTER
     * while our ALTER waits for it, and the server breaks that deadlock by failing the
     * application's statement. A request that never waits never joins the queue. A child that stays
     * busy keeps referencing the old table, which reverse sync keeps complete, so its writes are
     * checked against the right rows until a later step re-points it.
     *
     * @return the tables whose constraints still reference the old table (none with a waiting
     *     applier)
     */
    private List<String> repointChildren(Connection c, String schema, String from, Applier a)
            throws SQLException {
        List<String> waiting =
                new ArrayList<>(
                        spec.split() != null
                                ? ChildForeignKeys.repointToParts(
                                        c, a, schema, from, PartSpec.of(spec))
                                : ChildForeignKeys.repoint(c, a, schema, from, spec.table()));
        // its ALTER is on the live table, which an application only holds as any table it
        // writes: the swap's RENAME's case, so it keeps the RENAME's waiting fallback
        SelfForeignKeys.repoint(c, applier, schema, from, spec.table());
        return waiting;
    }

    /**
     * While the old table is reverse-synced and a child still references it, tries the re-point
     * again, and keeps the message saying which children wait.
     *
     * @return the state, saved with a new message when the waiting tables changed; its message
     *     names the tables that still reference the old table
     */
    private State repointWaiting(Connection c, State state) throws SQLException {
        String old = workspace.namesOnly(state).names().oldTable();
        List<String> waiting = ChildForeignKeys.waiting(c, state.schema(), old, liveNames(state));
        if (!waiting.isEmpty()) {
            repointChildren(c, state.schema(), old, applier.neverWaiting());
            waiting = ChildForeignKeys.waiting(c, state.schema(), old, liveNames(state));
        }
        String message = swappedMessage(state.oldTable(), state.swappedAt(), true, waiting);
        boolean said = state.message() != null && state.message().contains(WAITING);
        if ((said || !waiting.isEmpty()) && !message.equals(state.message())) {
            if (waiting.isEmpty()) {
                log.info(
                        "{}.{}: every child references the new table",
                        state.schema(),
                        state.table());
            }
            State next = state.withPhase(Phase.Swapped, message);
            store.save(c, next, clock.instant());
            return next;
        }
        return state;
    }

    public State retain(Connection c, State state) throws SQLException {
        Plan names = workspace.namesOnly(state);
        if ((state.schema() + "." + names.names().oldTable()).equals(state.oldTable())) {
            // the end of retention drops the old table and the reverse triggers: never while a
            // child references it
            state = repointWaiting(c, state);
            if (state.message() != null && state.message().contains(WAITING)) {
                return state;
            }
        }
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        if (state.swappedAt() != null && clock.instant().isBefore(state.swappedAt().plus(keep))) {
            return state;
        }
        TriggerSql triggers = new TriggerSql(workspace.namesOnly(state), store.conflicts());
        applier.ddl(c, triggers.dropReverse().toArray(String[]::new));
        if (state.oldTable() != null) {
            Sessions.exec(c, "DROP TABLE IF EXISTS " + quoteQualified(state.oldTable()));
        }
        workspace.clearHelpers(c, state);
        State next = state.withPhase(Phase.Completed, "retention ended; the old table was dropped");
        store.save(c, next, clock.instant());
        return next;
    }

    /**
     * The reverse swap: the reverse-synced old table goes live again with every write made since
     * the swap; the new table is kept aside as {@code <table>__osc_new} (no longer synced) until
     * the change runs again.
     */
    public State rollBack(Connection c, State state) throws SQLException {
        return rollBack(c, state, false);
    }

    /**
     * As {@link #rollBack(Connection, State)}; refused while rows written after the swap did not
     * fit the old table (a widened column, see {@code UnfitRows}), unless {@code acceptLoss} is the
     * user's consent to lose them. A rollback already under way finishes either way.
     */
    public State rollBack(Connection c, State state, boolean acceptLoss) throws SQLException {
        Plan plan = workspace.namesOnly(state);
        String synced = state.schema() + "." + plan.names().oldTable();
        boolean resumed = state.phase() == Phase.RollingBack;
        if (!(resumed || state.phase() == Phase.Swapped) || !synced.equals(state.oldTable())) {
            throw new Refused(
                    new Problem(
                            "metadata.annotations",
                            "this change kept no "
                                    + "reverse-synced old table, so it cannot be rolled back losslessly",
                            "write a new change"));
        }
        Inspector inspector = new Inspector(c);
        // a run that died after the RENAME left the old table live already: go on from there
        boolean renamed = !inspector.tableExists(state.schema(), plan.names().oldTable());
        if (!renamed && !oldTableKeepsForeignKeys(inspector, state, plan)) {
            throw new Refused(
                    new Problem(
                            "metadata.annotations",
                            "the old table does not carry the "
                                    + "live table's foreign keys (it was swapped by an earlier version, which dropped them), so "
                                    + "parent cascades may not have reached it",
                            "write a new change"));
        }
        Optional<UnfitRows.Summary> unfit = workspace.unfitRows(c, state);
        if (!resumed && !renamed && unfit.isPresent() && !acceptLoss) {
            throw new Refused(
                    new Problem(
                            "metadata.annotations[" + ACCEPT_LOSS_ANNOTATION + "]",
                            "a rollback would lose rows written after the swap whose values do not "
                                    + "fit the old table, so it is not lossless: "
                                    + unfit.get().describe(),
                            "to roll back anyway and lose those rows, confirm with osc rollback "
                                    + "--accept-loss or the annotation "
                                    + ACCEPT_LOSS_ANNOTATION
                                    + ": \"true\"; or keep the new table"));
        }
        if (!resumed) {
            if (unfit.isPresent()) {
                log.warn(
                        "{}.{}: rolling back with consent to lose {}",
                        state.schema(),
                        state.table(),
                        unfit.get().describe());
            }
            // from here on every run finishes the rollback, whatever the annotations say by then
            store.save(
                    c,
                    state.withPhase(
                            Phase.RollingBack, "rolling back: the old table goes live again"),
                    clock.instant());
        }
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        CutOver cutOver = new CutOver(plan, applier, triggers, crash);
        Optional<VersionRow> version = VersionRow.of(state.schema(), spec);
        long lockMillis = state.lockMillis();
        if (!renamed) {
            // Children are re-pointed at the old table before it goes live, and the RENAME carries
            // them along:
            // re-pointed after it, they would reference the set-aside new table for a moment, where
            // a child
            // insert for a row written meanwhile would fail. The old table's forward triggers,
            // skipped since the
            // swap, are dropped: after the RENAME they would write into the set-aside table, and
            // their
            // delete-and-insert of an updated row would cascade into (or be restricted by) children
            // still
            // referencing it. Until the RENAME, reverse sync keeps the old table complete for the
            // children.
            // Each re-point never waits, as after the swap (see repointChildren); the RENAME
            // back waits until every child references the old table: a child still on the live
            // table would reference the set-aside one afterwards, which nothing keeps current.
            List<String> waiting = new ArrayList<>();
            for (String live : liveNames(plan)) {
                waiting.addAll(
                        ChildForeignKeys.repoint(
                                c,
                                applier.neverWaiting(),
                                state.schema(),
                                live,
                                plan.names().oldTable()));
            }
            if (!waiting.isEmpty()) {
                State pending =
                        state.withPhase(
                                Phase.RollingBack,
                                "rolling back: the foreign keys of "
                                        + String.join(", ", waiting)
                                        + " still reference the new table: re-pointing them at the"
                                        + " old one is "
                                        + WAITING
                                        + " (retried at every step); the old table goes live once"
                                        + " every child references it");
                store.save(c, pending, clock.instant());
                return pending;
            }
            applier.ddl(c, triggers.drop().toArray(String[]::new));
            crash.reached("rollback:after-repoint");
            cutOver.moveOwnTriggers(
                    c,
                    store.userTriggers(c, state.schema(), state.table()),
                    plan.names().oldTable());
            crash.reached("rollback:after-own-triggers");
            lockMillis = cutOver.swapBack(c, spec.swap().maxAttempts(), version);
            crash.reached("rollback:after-rename");
        }
        for (String aside : asideNames(plan)) {
            ChildForeignKeys.repoint(c, applier, state.schema(), aside, state.table());
        }
        cutOver.unprepareParts(c);
        // the new tables, set aside and no longer synced, must not restrict the parents; the names
        // go back to
        // the live table, which held its constraints under temporary names since the swap
        for (Plan.Part part : plan.parts()) {
            ForeignKeyNames.dropAll(c, applier, state.schema(), part.shadow());
        }
        crash.reached("rollback:after-aside-fks");
        ForeignKeyNames.restoreAside(c, applier, state.schema(), state.table());
        if (version.isPresent()) {
            version.get().finish(c, inspector, false);
        }
        List<String> ddl = new ArrayList<>(triggers.drop());
        ddl.addAll(triggers.dropReverse());
        applier.ddl(c, ddl.toArray(String[]::new));
        // read after the reverse triggers are gone: every row that could not be carried is known
        Optional<UnfitRows.Summary> lost = workspace.unfitRows(c, state);
        workspace.clearHelpers(c, state);
        State next =
                state.withSwap(
                                state.swapAttempts(),
                                lockMillis,
                                state.swappedAt(),
                                state.schema() + "." + plan.names().newTable())
                        .withPhase(
                                Phase.RolledBack,
                                "rolled back after "
                                        + "the swap in "
                                        + lockMillis
                                        + " ms: the original table is live with every write made since; the "
                                        + "new table"
                                        + (plan.split() ? "s are" : " is")
                                        + " kept as "
                                        + plan.parts().stream()
                                                .map(p -> state.schema() + "." + p.shadow())
                                                .collect(java.util.stream.Collectors.joining(", "))
                                        + lost.map(
                                                        u ->
                                                                "; except rows that did not fit the old table, lost with"
                                                                        + " consent (still in the new table): "
                                                                        + u.describe())
                                                .orElse(""));
        store.save(c, next, clock.instant());
        log.info(
                "{}.{}: rolled back after the swap in {} ms",
                state.schema(),
                state.table(),
                lockMillis);
        return next;
    }

    /**
     * Every foreign key of the live table(s) is also on the reverse-synced old table, under its
     * aside name.
     */
    private static boolean oldTableKeepsForeignKeys(Inspector inspector, State state, Plan plan)
            throws SQLException {
        TableInfo old = inspector.table(state.schema(), plan.names().oldTable()).orElseThrow();
        Set<String> liveNames = new java.util.HashSet<>();
        for (Plan.Part part : plan.parts()) {
            inspector
                    .table(state.schema(), part.table())
                    .ifPresent(live -> live.foreignKeys().forEach(fk -> liveNames.add(fk.name())));
        }
        return ForeignKeyNames.namesWith(old, ForeignKeyNames.OLD_SUFFIX).containsAll(liveNames);
    }

    private List<String> liveNames(State state) {
        return liveNames(workspace.namesOnly(state));
    }

    /** The tables children may reference after the swap: the live table, or a split's parts. */
    private List<String> liveNames(Plan plan) {
        return spec.split() == null
                ? List.of(plan.table())
                : plan.parts().stream().map(Plan.Part::table).toList();
    }

    /** The same tables once a rollback's RENAME set them aside. */
    private List<String> asideNames(Plan plan) {
        return spec.split() == null
                ? List.of(plan.names().newTable())
                : plan.parts().stream().map(Plan.Part::shadow).toList();
    }

    private static String quoteQualified(String schemaDotTable) {
        int dot = schemaDotTable.indexOf('.');
        return Identifiers.quote(
                schemaDotTable.substring(0, dot), schemaDotTable.substring(dot + 1));
    }
}

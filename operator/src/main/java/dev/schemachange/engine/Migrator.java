package dev.schemachange.engine;

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

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;

/**
 * Drives one change through its phases and persists progress in {@code <workSchema>.schemachange_state}.
 * Every call does a bounded slice of work and returns; calling again (same process or a new one) continues
 * from the state row. Each phase starts by looking at the database, so it can be re-entered after a crash
 * at any line. The operator calls {@link #advance} once per reconcile, the CLI in a loop.
 */
public final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    private final ConnectionFactory db;
    private final SchemaChangeSpec spec;
    private final String owner;
    private final Clock clock;
    private final StateStore store;
    private final List<String> notes = new ArrayList<>();
    /** Why the last call's backfill waited, if the Throttler held it back. */
    private String throttled;
    private Chunker copyChunker;
    private Chunker verifyChunker;

    /**
     * @param owner who asks, e.g. "shop/orders-bigint-id" — recorded in the state row, so a second change
     *              for the same table can be told which change holds it
     */
    public Migrator(ConnectionFactory db, SchemaChangeSpec spec, String owner, Clock clock) {
        this.db = db;
        this.spec = spec;
        this.owner = owner;
        this.clock = clock;
        this.store = new StateStore(spec.workSchema());
    }

    /** Runs phases for about {@code budget}, stopping early at {@code until} or where the change must wait. */
    public Progress advance(Controls controls, Duration budget, Phase until) {
        long deadline = System.nanoTime() + budget.toNanos();
        notes.clear();
        throttled = null;
        try (Connection c = Sessions.open(db)) {
            List<Problem> specProblems = SpecChecks.check(spec);
            if (!specProblems.isEmpty()) {
                return failed(specProblems.get(0));
            }
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent() && !stored.get().owner().equals(owner) && !stored.get().phase().isTerminal()) {
                return progress(stored.get(), heldBy(stored.get()), null);
            }
            if (controls.rollback()) {
                return rollback(c, stored);
            }
            State state = stored.filter(s -> s.owner().equals(owner)).orElse(null);
            String hash = Planner.hash(spec);
            if (state != null && !state.specHash().equals(hash)) {
                if (state.phase().isSwapped()) {
                    return failedKeepingState(state, new Problem("spec", "the spec changed after the swap",
                            "create a new SchemaChange for a further change"));
                }
                notes.add("the spec changed: the previous shadow table was dropped and the change started over");
                abandon(c, state);
                state = null;
            }
            if (state == null || state.phase() == Phase.RolledBack) {
                Planner.Result validated = new Validator(spec).validate(c);
                if (!validated.ok()) {
                    return failed(validated.problems().get(0));
                }
                notes.addAll(validated.plan().notes());
                if (until == Phase.Validating) {
                    return new Progress(Phase.Validating, "valid", null, null, null, 0, 0, 0, null, 0, 0, null, 0,
                            null, 0, null, notes);
                }
                state = prepare(c, validated.plan());
            }
            return run(c, state, controls, deadline, until);
        } catch (SQLException e) {
            throw new EngineException("database error: " + e.getMessage(), e);
        }
    }

    /** Before the swap: drop triggers, shadow and state (original untouched) → RolledBack. */
    public Progress rollback(Duration budget) {
        notes.clear();
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent() && !stored.get().owner().equals(owner)) {
                // another change holds the table: rolling back is its owner's decision, not ours
                return new Progress(Phase.RolledBack, "nothing to roll back: the table is held by "
                        + stored.get().owner(), null, null, null, 0, 0, 0, null, 0, 0, null, 0, null, 0, null, notes);
            }
            return rollback(c, stored);
        } catch (SQLException e) {
            throw new EngineException("database error: " + e.getMessage(), e);
        }
    }

    /**
     * For a change that is deleted: before the swap, like {@link #rollback}; after it, nothing is touched (the
     * live table is the new one, the old one waits out its retention) and the stored state is returned.
     */
    public Progress abandon(Duration budget) {
        notes.clear();
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent() && !stored.get().owner().equals(owner) && !stored.get().phase().isTerminal()) {
                return progress(stored.get(), heldBy(stored.get()), null);
            }
            if (stored.isPresent() && stored.get().phase().isSwapped() && stored.get().owner().equals(owner)) {
                return progress(stored.get(), null, null);
            }
            return rollback(c, stored.filter(s -> s.owner().equals(owner)));
        } catch (SQLException e) {
            throw new EngineException("database error: " + e.getMessage(), e);
        }
    }

    private String heldBy(State other) {
        return "table " + schema() + "." + spec.table() + " is being changed by " + other.owner()
                + "; this change waits until that one ends";
    }

    /** The change's state as stored in the database, if it has started. */
    public Optional<Progress> read() {
        try (Connection c = Sessions.open(db)) {
            return store.load(c, schema(), spec.table()).map(s -> progress(s, null, null));
        } catch (SQLException e) {
            throw new EngineException("database error: " + e.getMessage(), e);
        }
    }

    private Progress run(Connection c, State state, Controls controls, long deadline, Phase until)
            throws SQLException {
        Plan plan = null;
        try {
            while (true) {
                if (state.phase() == until || state.phase().isTerminal()) {
                    return progress(state, null, null);
                }
                if (state.phase() == Phase.Preparing) {
                    buildShadow(c, state);
                }
                if (plan == null && state.phase() != Phase.Swapped) {
                    plan = currentPlan(c, state);
                }
                Phase before = state.phase();
                state = switch (state.phase()) {
                    case Preparing -> installTriggers(c, plan, state);
                    case Backfilling -> backfill(c, plan, state, controls, deadline);
                    case Verifying -> verify(c, plan, state, controls, deadline);
                    case AwaitingSwap -> awaitSwap(c, plan, state, controls);
                    case Swapping -> swap(c, plan, state);
                    case Swapped -> retain(c, state);
                    default -> throw new IllegalStateException("unexpected phase " + state.phase());
                };
                if (state.phase() == before) {
                    // the phase wants to wait (pause, approval, window, retention) or ran out of time
                    String waiting = waitingFor(state, controls);
                    return progress(state, waiting, null);
                }
                log.info("{}.{}: {} -> {}", schema(), spec.table(), before, state.phase());
                if (System.nanoTime() > deadline && state.phase() != until) {
                    return progress(state, null, null);
                }
            }
        } catch (Refused r) {
            log.warn("{}.{}: refused: {}", schema(), spec.table(), r.problem());
            if (plan != null && !state.phase().isSwapped()) {
                abandon(c, state);
            }
            State failed = state.withPhase(Phase.Failed, r.problem().toString());
            store.save(c, failed, clock.instant());
            return new Progress(Phase.Failed, r.problem().toString(), null, r.problem(), null, failed.rowsCopied(),
                    failed.rowsEstimated(), 0, null, 0, failed.chunksRepaired(), null, failed.swapAttempts(), null, 0,
                    null, notes);
        }
    }

    /** Creates the work objects: state row first (it is the table's lock), then the shadow. */
    private State prepare(Connection c, Plan plan) throws SQLException {
        store.ensure(c);
        TableInfo source = new Inspector(c).table(plan.schema(), plan.table()).orElseThrow();
        State state = State.start(plan.schema(), plan.table(), owner, plan.hash(), source.rowEstimate(), clock.instant());
        store.save(c, state, clock.instant());
        store.saveUserTriggers(c, plan.schema(), plan.table(), plan.userTriggers());
        return state;
    }

    /**
     * Builds the shadow from scratch (Preparing is re-entered that way after a crash). It is made in the work
     * schema, where the original's constraint names are free, gets the ALTER and temporary FK names there, and
     * then moves next to the original before any trigger names it: renaming a table that triggers already write
     * to, under LOCK TABLES, made MariaDB fail concurrent application statements with ER 1146. The work schema
     * keeps a view under the table's own name, so the shadow can be compared with the original there.
     */
    private void buildShadow(Connection c, State state) throws SQLException {
        TriggerSql triggers = new TriggerSql(namesOnly(state), store.conflicts());
        applier().underWriteLock(c, List.of(Identifiers.quote(state.schema(), state.table())),
                () -> Sessions.exec(c, triggers.drop().toArray(String[]::new)));
        TableInfo source = new Inspector(c).table(state.schema(), state.table()).orElseThrow();
        Sessions.exec(c, "CREATE DATABASE IF NOT EXISTS " + Identifiers.quote(spec.undoSchema()));
        for (PartSpec part : PartSpec.of(spec)) {
            dropWorkCopy(c, part.table());
            String work = Identifiers.quote(spec.workSchema(), part.table());
            String shadow = Identifiers.quote(state.schema(), part.shadow());
            Sessions.exec(c, "DROP TABLE IF EXISTS " + shadow,
                    part.create(work, source));
            Sessions.exec(c, part.ddl(work, source).toArray(String[]::new));
            ForeignKeyNames.useTemporary(c, applier(), spec.workSchema(), part.table());
            Sessions.exec(c, "RENAME TABLE " + work + " TO " + shadow,
                    "CREATE VIEW " + work + " AS SELECT * FROM " + shadow);
            log.info("{}.{}: shadow table {} created", state.schema(), state.table(), shadow);
        }
    }

    /** Drops {@code <workSchema>.<table>}: the view onto the shadow, or a shadow left by an interrupted build. */
    private void dropWorkCopy(Connection c, String table) throws SQLException {
        List<String> type = Sessions.firstRow(c, "SELECT TABLE_TYPE FROM information_schema.TABLES "
                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?", List.of(spec.workSchema(), table));
        if (type != null) {
            Sessions.exec(c, ("VIEW".equals(type.get(0)) ? "DROP VIEW IF EXISTS " : "DROP TABLE IF EXISTS ")
                    + Identifiers.quote(spec.workSchema(), table));
        }
    }

    /** A plan that knows only names: enough to remove what a change left behind, or finish its swap. */
    private Plan namesOnly(State state) {
        List<Plan.Part> parts = PartSpec.of(spec).stream().map(p -> new Plan.Part(state.schema(), p.table(),
                p.shadow(), List.of(), List.of(), Set.of())).toList();
        return new Plan(state.schema(), state.table(), spec.workSchema(), spec.undoSchema(), parts, "",
                Planner.names(state.table()), List.of(), List.of(), false, spec.compatibilityView(), List.of(),
                state.specHash());
    }

    /** Re-derives the plan from the live objects; the shadow exists from Preparing on. */
    private Plan currentPlan(Connection c, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        if (state.phase() == Phase.Swapping && spec.foreignKeys().children() == SchemaChangeSpec.ChildPolicy.DropSwap
                && !inspector.tableExists(schema(), spec.table())) {
            return namesOnly(state); // DropSwap dropped the original before a crash: the RENAME needs only names
        }
        TableInfo source = inspector.table(schema(), spec.table())
                .orElseThrow(() -> new Refused(new Problem("spec.table", "table " + schema() + "." + spec.table()
                        + " disappeared during the change", "restore it; the change cannot continue")));
        List<Planner.Shape> shapes = new ArrayList<>();
        for (PartSpec part : PartSpec.of(spec)) {
            String name = part.shadow();
            Optional<TableInfo> shadow = inspector.table(schema(), name);
            if (shadow.isEmpty() && state.phase() == Phase.Swapping) {
                return namesOnly(state); // swapped before a crash: the rest of the swap needs only names
            }
            if (shadow.isEmpty()) {
                throw new Refused(new Problem("spec.table", "the shadow table " + schema() + "." + name
                        + " is gone", "roll the change back and run it again"));
            }
            shapes.add(new Planner.Shape(part, shadow.get()));
        }
        Planner.Result r = Planner.plan(spec, source, shapes);
        if (!r.ok()) {
            throw new Refused(r.problems().get(0));
        }
        return r.plan();
    }

    private State installTriggers(Connection c, Plan plan, State state) throws SQLException {
        reinstallTriggers(c, plan);
        // only now is every later write mirrored; rows up to this key are the backfill's job
        List<String> max = chunker(plan).maxKey(c);
        State next = state.withCopyRange(null, max).withPhase(Phase.Backfilling, "copying rows");
        store.save(c, next, clock.instant());
        return next;
    }

    private State backfill(Connection c, Plan plan, State state, Controls controls, long deadline)
            throws SQLException {
        Copier copier = new Copier(plan, chunker(plan), store, clock, plan.lockFreeCopy() && readCommittedLogs(c));
        try (Throttler throttler = new Throttler(c, db, spec.backfill().throttle())) {
            while (!copyDone(state)) {
                if (controls.paused() || System.nanoTime() > deadline) {
                    return state;
                }
                if (!throttler.mayProceed(deadline)) {
                    throttled = throttler.reason();
                    return state;
                }
                state = copyWithRetry(c, copier, state);
            }
        }
        checkConflicts(c, plan);
        State next = state.withVerified(null, List.of()).withPhase(Phase.Verifying, "verifying rows");
        store.save(c, next, clock.instant());
        return next;
    }

    private State copyWithRetry(Connection c, Copier copier, State state) throws SQLException {
        for (int attempt = 1; ; attempt++) {
            try {
                return copier.copyNext(c, state);
            } catch (SQLException e) {
                if (!Sessions.isRetryable(e) || attempt >= 10) {
                    throw e;
                }
                log.info("{}.{}: chunk copy hit a lock ({}), retrying", schema(), spec.table(), e.getMessage());
                Sessions.sleep(50L * attempt);
            }
        }
    }

    private static boolean copyDone(State s) {
        return s.maxKey() == null || s.maxKey().equals(s.cursor());
    }

    private State verify(Connection c, Plan plan, State state, Controls controls, long deadline)
            throws SQLException {
        Chunker chunker = verifyChunker(plan);
        Checksum checksum = new Checksum(plan, chunker);
        Copier copier = new Copier(plan, chunker, store, clock, false);
        List<String> cursor = state.verifyCursor();
        boolean started = cursor != null;
        while (true) {
            if (controls.paused() || System.nanoTime() > deadline) {
                return state;
            }
            Chunker.Range range = chunker.next(c, started ? cursor : null, null);
            long t0 = System.nanoTime();
            List<Integer> repaired = new ArrayList<>();
            for (Plan.Part part : plan.parts()) {
                repaired.add(checksum.verify(c, range, part, copier) ? 1 : 0);
            }
            chunker.observe(Math.max(1, chunker.size()), (System.nanoTime() - t0) / 1_000_000);
            started = true;
            cursor = range.upTo();
            state = state.withVerified(cursor, repaired);
            if (range.upTo() == null) {
                break;
            }
            store.save(c, state, clock.instant());
        }
        checkConflicts(c, plan);
        for (Plan.Part part : plan.parts()) {
            Sessions.exec(c, "ANALYZE TABLE " + part.shadowTable());
        }
        State next = state.withPhase(Phase.AwaitingSwap, "verified; waiting for the swap");
        store.save(c, next, clock.instant());
        return next;
    }

    private State awaitSwap(Connection c, Plan plan, State state, Controls controls) throws SQLException {
        checkConflicts(c, plan);
        if (swapBlockedBy(controls) != null) {
            return state;
        }
        State next = state.withPhase(Phase.Swapping, "swapping");
        store.save(c, next, clock.instant());
        return next;
    }

    /** Why the swap may not start now, or null when it may. */
    private String swapBlockedBy(Controls controls) {
        if (controls.paused()) {
            return "paused (annotation schemachange.dev/paused)";
        }
        if (spec.swap().approval() == SchemaChangeSpec.Approval.Required && !controls.swapApproved()) {
            return "approval (annotate schemachange.dev/swap-approved=true, or osc run --approve-swap)";
        }
        if (controls.swapNotBefore() != null && clock.instant().isBefore(controls.swapNotBefore())) {
            return "swap-not-before " + controls.swapNotBefore();
        }
        SwapWindow window = SwapWindow.of(spec.swap().window());
        if (!window.allows(clock.instant(), swapAllowance())) {
            return "window (next opens " + window.nextStart(clock.instant()).map(Object::toString).orElse("never") + ")";
        }
        return null;
    }

    /** How long the swap may take at worst: a swap is not started when that would overrun its window. */
    private Duration swapAllowance() {
        return Durations.parse(spec.swap().lockWaitTimeout()).multipliedBy(Math.min(3, spec.swap().maxAttempts()))
                .plusSeconds(10);
    }

    private State swap(Connection c, Plan plan, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        CutOver cutOver = new CutOver(plan, applier(), triggers);
        boolean oldExists = inspector.tableExists(plan.schema(), plan.names().oldTable());
        boolean dropSwap = spec.foreignKeys().children() == SchemaChangeSpec.ChildPolicy.DropSwap;
        // DropSwap leaves no old table: a missing original means a crash after its DROP, a missing shadow one
        // after the RENAME
        boolean dropped = dropSwap && !inspector.tableExists(plan.schema(), plan.table());
        // swappedAt is saved right after the RENAME; before that, the old table's name tells
        boolean swapped = state.swappedAt() != null || oldExists
                || (dropSwap && !dropped && !inspector.tableExists(plan.schema(), plan.names().newTable()));
        if (!swapped && dropped) {
            int[] attempts = {state.swapAttempts()};
            long lockMillis = new DropSwap(plan, applier()).swap(c, spec.swap().maxAttempts(), a -> attempts[0]++,
                    VersionRow.of(plan.schema(), spec));
            state = state.withSwap(attempts[0], state.lockMillis() + lockMillis, clock.instant(), null);
            store.save(c, state, state.swappedAt());
            swapped = true;
        }
        if (!swapped) {
            if (!forwardTriggersComplete(inspector, plan)) {
                // something removed our triggers: writes may have been missed, so reinstall and verify again
                reinstallTriggers(c, plan);
                State back = state.withVerified(null, List.of()).withPhase(Phase.Verifying,
                        "triggers were incomplete after an interrupted swap; verifying again");
                store.save(c, back, clock.instant());
                return back;
            }
            checkConflicts(c, plan);
            cutOver.prepareParts(c, inspector);
            cutOver.moveOwnTriggers(c, store.userTriggers(c, plan.schema(), plan.table()));
            CrashPoints.reached("swap:after-own-triggers");
            int prior = state.swapAttempts();
            int[] attempts = {prior};
            long lockMillis = dropSwap
                    ? new DropSwap(plan, applier()).swap(c, spec.swap().maxAttempts(), a -> attempts[0] = prior + a,
                    VersionRow.of(plan.schema(), spec))
                    : cutOver.swap(c, spec.swap().maxAttempts(), a -> attempts[0] = prior + a,
                    VersionRow.of(plan.schema(), spec));
            CrashPoints.reached("swap:after-rename");
            if (dropSwap) {
                notes.add("DropSwap: the table did not exist for " + lockMillis + " ms between the DROP and the RENAME");
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
        ChildForeignKeys.repoint(c, applier(), plan.schema(), plan.names().oldTable(), plan.table());
        SelfForeignKeys.repoint(c, applier(), plan.schema(), plan.names().oldTable(), plan.table());
        CrashPoints.reached("swap:after-repoint");
        Plan.Part first = plan.parts().get(0);
        boolean synced = inspector.triggers(plan.schema(), first.table()).stream()
                .anyMatch(t -> first.reverseTriggers().contains(t.name()));
        String old = synced ? cutOver.keepSynced(c) : cutOver.retire(c, inspector, swappedAt, !keep.isZero());
        for (Plan.Part part : plan.parts()) {
            ForeignKeyNames.restore(c, applier(), plan.schema(), part.table());
            dropWorkCopy(c, part.table());
        }
        if (!synced) {
            store.clearHelpers(c, plan.schema(), plan.table());
        }
        CrashPoints.reached("swap:after-retire");
        State next = state.withSwap(state.swapAttempts(), state.lockMillis(), swappedAt, old);
        next = keep.isZero()
                ? next.withPhase(Phase.Completed, "swapped; the old table was dropped")
                : next.withPhase(Phase.Swapped, "swapped; the old table is kept as " + old + " until "
                + swappedAt.plus(keep) + (synced ? ", reverse-synced: rollback is lossless"
                : " without reverse sync: rollback after the swap is not available"));
        store.save(c, next, clock.instant());
        return next;
    }

    private State retain(Connection c, State state) throws SQLException {
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        if (state.swappedAt() != null && clock.instant().isBefore(state.swappedAt().plus(keep))) {
            return state;
        }
        TriggerSql triggers = new TriggerSql(namesOnly(state), store.conflicts());
        applier().ddl(c, triggers.dropReverse().toArray(String[]::new));
        if (state.oldTable() != null) {
            Sessions.exec(c, "DROP TABLE IF EXISTS " + quoteQualified(state.oldTable()));
        }
        store.clearHelpers(c, state.schema(), state.table());
        State next = state.withPhase(Phase.Completed, "retention ended; the old table was dropped");
        store.save(c, next, clock.instant());
        return next;
    }

    private Progress rollback(Connection c, Optional<State> stored) throws SQLException {
        if (stored.isEmpty()) {
            return new Progress(Phase.RolledBack, "nothing to roll back", null, null, null, 0, 0, 0, null, 0, 0,
                    null, 0, null, 0, null, notes);
        }
        State state = stored.get();
        if (state.phase().isSwapped()) {
            return rollbackAfterSwap(c, state);
        }
        if (state.phase() != Phase.RolledBack) {
            abandon(c, state);
        }
        State next = state.withPhase(Phase.RolledBack, "rolled back: triggers and shadow table removed, "
                + "the original table is untouched");
        store.save(c, next, clock.instant());
        return progress(next, null, null);
    }

    /**
     * The reverse swap: the reverse-synced old table goes live again with every write made since the swap; the
     * new table is kept aside as {@code <table>__osc_new} (no longer synced) until the change runs again.
     */
    private Progress rollbackAfterSwap(Connection c, State state) throws SQLException {
        Plan plan = namesOnly(state);
        String synced = state.schema() + "." + plan.names().oldTable();
        if (state.phase() != Phase.Swapped || !synced.equals(state.oldTable())) {
            return failedKeepingState(state, new Problem("metadata.annotations", "this change kept no "
                    + "reverse-synced old table, so it cannot be rolled back losslessly", "write a new change"));
        }
        Inspector inspector = new Inspector(c);
        // a run that died after the RENAME left the old table live already: go on from there
        boolean renamed = !inspector.tableExists(state.schema(), plan.names().oldTable());
        if (!renamed && !oldTableKeepsForeignKeys(inspector, state, plan)) {
            return failedKeepingState(state, new Problem("metadata.annotations", "the old table does not carry the "
                    + "live table's foreign keys (it was swapped by an earlier version, which dropped them), so "
                    + "parent cascades may not have reached it", "write a new change"));
        }
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        CutOver cutOver = new CutOver(plan, applier(), triggers);
        Optional<VersionRow> version = VersionRow.of(state.schema(), spec);
        long lockMillis = state.lockMillis();
        if (!renamed) {
            // Children are re-pointed at the old table before it goes live, and the RENAME carries them along:
            // re-pointed after it, they would reference the set-aside new table for a moment, where a child
            // insert for a row written meanwhile would fail. The old table's forward triggers, skipped since the
            // swap, are dropped: after the RENAME they would write into the set-aside table, and their
            // delete-and-insert of an updated row would cascade into (or be restricted by) children still
            // referencing it. Until the RENAME, reverse sync keeps the old table complete for the children.
            ChildForeignKeys.repoint(c, applier(), state.schema(), state.table(), plan.names().oldTable());
            applier().ddl(c, triggers.drop().toArray(String[]::new));
            CrashPoints.reached("rollback:after-repoint");
            cutOver.moveOwnTriggers(c, store.userTriggers(c, state.schema(), state.table()), plan.names().oldTable());
            CrashPoints.reached("rollback:after-own-triggers");
            lockMillis = cutOver.swapBack(c, spec.swap().maxAttempts(), version);
            CrashPoints.reached("rollback:after-rename");
        }
        ChildForeignKeys.repoint(c, applier(), state.schema(), plan.names().newTable(), state.table());
        cutOver.unprepareParts(c);
        // the new tables, set aside and no longer synced, must not restrict the parents; the names go back to
        // the live table, which held its constraints under temporary names since the swap
        for (Plan.Part part : plan.parts()) {
            ForeignKeyNames.dropAll(c, applier(), state.schema(), part.shadow());
        }
        CrashPoints.reached("rollback:after-aside-fks");
        ForeignKeyNames.restoreAside(c, applier(), state.schema(), state.table());
        if (version.isPresent()) {
            version.get().finish(c, inspector, false);
        }
        List<String> ddl = new ArrayList<>(triggers.drop());
        ddl.addAll(triggers.dropReverse());
        applier().ddl(c, ddl.toArray(String[]::new));
        store.clearHelpers(c, state.schema(), state.table());
        State next = state.withSwap(state.swapAttempts(), lockMillis, state.swappedAt(),
                state.schema() + "." + plan.names().newTable()).withPhase(Phase.RolledBack, "rolled back after "
                + "the swap in " + lockMillis + " ms: the original table is live with every write made since; the "
                + "new table" + (plan.split() ? "s are" : " is") + " kept as " + plan.parts().stream()
                .map(p -> state.schema() + "." + p.shadow()).collect(java.util.stream.Collectors.joining(", ")));
        store.save(c, next, clock.instant());
        log.info("{}.{}: rolled back after the swap in {} ms", state.schema(), state.table(), lockMillis);
        return progress(next, null, null);
    }

    /** Every foreign key of the live table(s) is also on the reverse-synced old table, under its aside name. */
    private static boolean oldTableKeepsForeignKeys(Inspector inspector, State state, Plan plan) throws SQLException {
        TableInfo old = inspector.table(state.schema(), plan.names().oldTable()).orElseThrow();
        Set<String> liveNames = new java.util.HashSet<>();
        for (Plan.Part part : plan.parts()) {
            inspector.table(state.schema(), part.table()).ifPresent(live -> live.foreignKeys()
                    .forEach(fk -> liveNames.add(fk.name())));
        }
        return ForeignKeyNames.namesWith(old, ForeignKeyNames.OLD_SUFFIX).containsAll(liveNames);
    }

    /** Removes every helper object of an unswapped change; the original table is left as it was. */
    private void abandon(Connection c, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        Plan plan = namesOnly(state);
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        if (inspector.tableExists(state.schema(), plan.names().newTable())) {
            new CutOver(plan, applier(), triggers).unmoveShadow(c, store.userTriggers(c, state.schema(),
                    state.table()));
        }
        CutOver cutOver = new CutOver(plan, applier(), triggers);
        List<String> ddl = new ArrayList<>(triggers.drop());
        plan.parts().forEach(p -> ddl.add("DROP TABLE IF EXISTS " + p.shadowTable()));
        applier().ddl(c, ddl.toArray(String[]::new));
        cutOver.unprepareParts(c);
        for (Plan.Part part : plan.parts()) {
            dropWorkCopy(c, part.table());
        }
        Optional<VersionRow> version = VersionRow.of(state.schema(), spec);
        if (version.isPresent()) {
            version.get().finish(c, inspector, true); // only drops a replacement left by a failed swap attempt
        }
        store.clearHelpers(c, state.schema(), state.table());
    }

    /**
     * All three triggers appear at once, inside one WRITE lock on the original: created one by one, an
     * application could insert a row through a new INSERT trigger and delete it before the DELETE trigger
     * exists, leaving a row in the shadow that the original no longer has.
     */
    private void reinstallTriggers(Connection c, Plan plan) throws SQLException {
        TriggerSql triggers = new TriggerSql(plan, store.conflicts());
        List<String> ddl = new ArrayList<>(triggers.drop());
        ddl.addAll(triggers.dropReverse());
        ddl.addAll(triggers.create());
        if (reverseSync(plan)) {
            ddl.addAll(triggers.createReverse());
        }
        List<String> locked = new ArrayList<>(List.of(Identifiers.quote(plan.schema(), plan.table())));
        plan.parts().forEach(p -> locked.add(p.shadowTable()));
        applier().underWriteLock(c, locked, () -> Sessions.exec(c, ddl.toArray(String[]::new)));
    }

    private void checkConflicts(Connection c, Plan plan) throws SQLException {
        Optional<String> conflict = store.firstConflict(c, plan.schema(), plan.table());
        if (conflict.isPresent()) {
            throw new Refused(new Problem("spec.alter", "a write made during the change collides on a unique key "
                    + "of the new table (" + conflict.get() + "); swapping would lose that row (ERROR warnings "
                    + "detected in statement)", "remove the duplicates and the unique key's conflict, then run "
                    + "the change again"));
        }
    }

    private boolean forwardTriggersComplete(Inspector inspector, Plan plan) throws SQLException {
        List<String> present = inspector.triggers(plan.schema(), plan.table()).stream()
                .map(TableInfo.Trigger::name).toList();
        return present.containsAll(plan.names().forwardTriggers());
    }

    private String waitingFor(State state, Controls controls) {
        if (controls.paused()) {
            return "paused (annotation schemachange.dev/paused)";
        }
        if (throttled != null) {
            return throttled;
        }
        if (state.phase() == Phase.AwaitingSwap) {
            return swapBlockedBy(controls);
        }
        if (state.phase() == Phase.Swapped) {
            return "retention of the old table";
        }
        return null;
    }

    /** READ COMMITTED writes need row-based binary logging (or none): statement logging refuses them. */
    private static boolean readCommittedLogs(Connection c) throws SQLException {
        List<String> row = Sessions.firstRow(c, "SELECT @@log_bin, @@binlog_format", List.of());
        return "0".equals(row.get(0)) || !"STATEMENT".equalsIgnoreCase(row.get(1));
    }

    /** Rows written after the swap also go back to the old table, so a rollback loses none. */
    private boolean reverseSync(Plan plan) {
        return spec.retention().reverseSync() && !Durations.parse(spec.retention().keepOldTableFor()).isZero()
                && plan.irreversible().isEmpty();
    }

    private Chunker chunker(Plan plan) {
        if (copyChunker == null) {
            copyChunker = new Chunker(plan, Durations.parse(spec.backfill().chunkTime()),
                    spec.backfill().maxChunkRows(), 0);
        }
        return copyChunker;
    }

    private Chunker verifyChunker(Plan plan) {
        if (verifyChunker == null) {
            verifyChunker = new Chunker(plan, Durations.parse(spec.backfill().chunkTime()),
                    spec.backfill().maxChunkRows(), 0);
        }
        return verifyChunker;
    }

    private Applier applier() {
        return new Applier(Durations.parse(spec.swap().lockWaitTimeout()), spec.swap().maxAttempts());
    }

    private String schema() {
        return spec.database().schema();
    }

    private static String quoteQualified(String schemaDotTable) {
        int dot = schemaDotTable.indexOf('.');
        return Identifiers.quote(schemaDotTable.substring(0, dot), schemaDotTable.substring(dot + 1));
    }

    private Progress failed(Problem p) {
        return new Progress(Phase.Failed, p.toString(), null, p, null, 0, 0, 0, null, 0, 0, null, 0, null, 0, null,
                notes);
    }

    private Progress failedKeepingState(State s, Problem p) {
        return progress(s, null, p);
    }

    private Progress progress(State s, String waitingFor, Problem problem) {
        double rps = s.rowsPerSecond();
        Instant eta = null;
        if (s.phase() == Phase.Backfilling && rps > 0) {
            long remaining = Math.max(0, s.rowsEstimated() - s.rowsCopied());
            eta = clock.instant().plusMillis((long) (remaining * 1000 / rps));
        }
        Problem p = problem != null ? problem
                : s.phase() == Phase.Failed ? new Problem(null, s.message(), null) : null;
        SwapWindow window = SwapWindow.of(spec.swap().window());
        Instant nextWindow = window.isAlways() || s.phase().isSwapped() ? null
                : window.nextStart(clock.instant()).orElse(null);
        return new Progress(s.phase(), s.message(), waitingFor, p, cursorText(s.cursor()), s.rowsCopied(),
                s.rowsEstimated(), rps, eta, s.chunkRows(), s.chunksRepaired(), nextWindow, s.swapAttempts(),
                s.swappedAt(), s.lockMillis(), s.oldTable(), notes, parts(s));
    }

    private List<Progress.PartProgress> parts(State s) {
        if (spec.split() == null) {
            return List.of();
        }
        List<PartSpec> parts = PartSpec.of(spec);
        List<Progress.PartProgress> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            out.add(new Progress.PartProgress(parts.get(i).table(), s.rowsCopied(),
                    i < s.partRepairs().size() ? s.partRepairs().get(i) : 0));
        }
        return out;
    }

    private static String cursorText(List<String> cursor) {
        if (cursor == null) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        for (String v : cursor) {
            parts.add(v != null && v.matches("-?\\d{1,18}") ? v : StateStore.json(List.of(String.valueOf(v)))
                    .replaceAll("^\\[|]$", ""));
        }
        return "[" + String.join(",", parts) + "]";
    }
}

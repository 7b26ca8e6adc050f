package dev.schemachange.engine;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.engine.check.FreeSpace;
import dev.schemachange.engine.check.SpecChecks;
import dev.schemachange.engine.check.Validator;
import dev.schemachange.engine.copy.Copying;
import dev.schemachange.engine.copy.Verifier;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.EngineException;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.ServerErrors;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.natively.Choice;
import dev.schemachange.engine.natively.NativeChange;
import dev.schemachange.engine.natively.NoLongerNative;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.swap.SwapGate;
import dev.schemachange.engine.swap.SwapWindow;
import dev.schemachange.engine.swap.Swapper;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives one change through its phases and persists progress in {@code
 * <workSchema>.schemachange_state}. Every call does a bounded slice of work and returns; calling
 * again (same process or a new one) continues from the state row. Each phase starts by looking at
 * the database, so it can be re-entered after a crash at any line. The operator calls {@link
 * #advance} once per reconcile, the CLI in a loop.
 */
public final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    private final ConnectionFactory db;
    private final SchemaChangeSpec spec;
    private final String owner;
    private final Clock clock;
    private final StateStore store;
    private final List<String> notes = new ArrayList<>();

    /** What a rollback would lose now, as last read from the work schema (null: nothing). */
    private Progress.RollbackLoss loss;

    private final Workspace workspace;
    private final Copying copying;
    private final Verifier verifier;
    private final SwapGate gate;
    private final Swapper swapper;
    private final NativeChange natively;

    /**
     * @param owner who asks, e.g. "shop/orders-bigint-id" — recorded in the state row, so a second
     *     change for the same table can be told which change holds it
     */
    public Migrator(ConnectionFactory db, SchemaChangeSpec spec, String owner, Clock clock) {
        this(db, spec, owner, clock, CrashPoints.NONE);
    }

    /**
     * @param crash where a test halts the process; production passes {@link CrashPoints#NONE}
     */
    public Migrator(
            ConnectionFactory db,
            SchemaChangeSpec spec,
            String owner,
            Clock clock,
            CrashPoints crash) {
        this(db, spec, owner, clock, crash, FreeSpace.DISKS);
    }

    /**
     * @param freeSpace where the backfill reads the data disk's free space; production passes
     *     {@link FreeSpace#DISKS}
     */
    public Migrator(
            ConnectionFactory db,
            SchemaChangeSpec spec,
            String owner,
            Clock clock,
            CrashPoints crash,
            FreeSpace freeSpace) {
        this.db = db;
        this.spec = spec;
        this.owner = owner;
        this.clock = clock;
        this.store = new StateStore(spec.workSchema());
        Applier applier =
                new Applier(
                        Durations.parse(spec.swap().lockWaitTimeout()), spec.swap().maxAttempts());
        this.workspace = new Workspace(spec, store, applier);
        this.copying = new Copying(db, spec, store, clock, workspace, crash, freeSpace);
        this.verifier = new Verifier(db, spec, store, clock, workspace);
        this.gate = new SwapGate(spec, clock);
        this.swapper = new Swapper(spec, store, clock, applier, workspace, notes, crash);
        this.natively = new NativeChange(spec, store, clock, applier, crash);
    }

    /**
     * Runs phases for about {@code budget}, stopping early at {@code until} or where the change
     * must wait.
     */
    public Progress advance(Controls controls, Duration budget, Phase until) {
        long deadline = System.nanoTime() + budget.toNanos();
        notes.clear();
        loss = null;
        // checked before connecting: a bad spec is reported as such even when the server is
        // unreachable
        List<Problem> specProblems = SpecChecks.check(spec);
        if (!specProblems.isEmpty()) {
            return failed(specProblems.get(0));
        }
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent()
                    && !stored.get().owner().equals(owner)
                    && !stored.get().phase().isTerminal()) {
                return progress(stored.get(), heldBy(stored.get()), null);
            }
            boolean rollingBack =
                    stored.map(st -> st.phase() == Phase.RollingBack && st.owner().equals(owner))
                            .orElse(false);
            if (controls.rollback() || rollingBack) {
                return rollback(c, stored, controls.acceptLoss());
            }
            State state = stored.filter(s -> s.owner().equals(owner)).orElse(null);
            String hash = Planner.hash(spec);
            if (state != null && !state.specHash().equals(hash)) {
                if (state.phase().isSwapped()) {
                    return failedKeepingState(
                            state,
                            new Problem(
                                    "spec",
                                    "the spec changed after the swap",
                                    "create a new SchemaChange for a further change"));
                }
                notes.add(
                        "the spec changed: the previous shadow table was dropped and the change started over");
                workspace.abandon(c, state);
                state = null;
            }
            if (state == null || state.phase() == Phase.RolledBack) {
                Validator.Validation validation = new Validator(spec, db).validateChoosing(c);
                Planner.Result validated = validation.result();
                if (!validated.ok()) {
                    return failed(validated.problems().get(0));
                }
                Choice choice = validation.choice();
                notes.add(choice.summary());
                if (!choice.natively()) {
                    notes.addAll(validated.plan().notes());
                }
                if (until == Phase.Validating) {
                    return Progress.bare(Phase.Validating, "valid", null, notes);
                }
                state =
                        choice.natively()
                                ? prepareNative(c, validated.plan(), choice, validation.preview())
                                : prepare(c, validated.plan());
            }
            return run(c, state, controls, deadline, until);
        } catch (SQLException e) {
            if (ServerErrors.isTransient(e)) {
                throw transientError(e);
            }
            // permanent, outside a running change (or its cleanup failed too): nothing more can be
            // stored
            log.warn("{}.{}: permanent database error", schema(), spec.table(), e);
            return failed(ServerErrors.problem(e, schema() + "." + spec.table()));
        }
    }

    /**
     * The plan of this change, as {@code osc plan} prints it: the Validating that {@link #advance}
     * runs (so every refusal is the same), then the statements and estimates. It leaves the
     * database as it found it: the scratch copies are dropped, and so is the work schema if this
     * call created it.
     */
    public ChangePlan plan() {
        List<Problem> specProblems = SpecChecks.check(spec);
        String table = schema() + "." + spec.table();
        if (!specProblems.isEmpty()) {
            return ChangePlan.refused(table, specProblems.get(0));
        }
        try (Connection c = Sessions.open(db)) {
            boolean hadWorkSchema =
                    Sessions.firstRow(
                                    c,
                                    "SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
                                    List.of(spec.workSchema()))
                            != null;
            try {
                Validator.Validation v = new Validator(spec, db).validateChoosing(c);
                if (!v.result().ok()) {
                    return ChangePlan.refused(table, v.result().problems().get(0));
                }
                return new PlanBuilder(spec, store).build(c, v.result().plan(), v.choice());
            } finally {
                if (!hadWorkSchema
                        && Sessions.firstRow(
                                        c,
                                        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?",
                                        List.of(spec.workSchema()))
                                == null) {
                    Sessions.exec(
                            c, "DROP DATABASE IF EXISTS " + Identifiers.quote(spec.workSchema()));
                }
            }
        } catch (SQLException e) {
            throw classified(e);
        }
    }

    /**
     * → RolledBack. Before the swap: drops triggers and shadows, the original untouched; after it:
     * the reverse swap, the reverse-synced old table live again with every write made since.
     */
    public Progress rollback(Duration budget) {
        return rollback(budget, false);
    }

    /**
     * As {@link #rollback(Duration)}; {@code acceptLoss} is the user's explicit consent to roll
     * back although rows written after the swap did not fit the old table (they are lost, and
     * named).
     */
    public Progress rollback(Duration budget, boolean acceptLoss) {
        // a rollback whose children are busy stays RollingBack (see Swapper): try again within
        // the budget
        long deadline = System.nanoTime() + budget.toNanos();
        Progress p = rollbackOnce(acceptLoss);
        while (p.phase() == Phase.RollingBack
                && p.problem() == null
                && System.nanoTime() < deadline) {
            p = rollbackOnce(acceptLoss);
        }
        return p;
    }

    private Progress rollbackOnce(boolean acceptLoss) {
        notes.clear();
        loss = null;
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent() && !stored.get().owner().equals(owner)) {
                // another change holds the table: rolling back is its owner's decision, not ours
                return Progress.bare(
                        Phase.RolledBack,
                        "nothing to roll back: the table is held by " + stored.get().owner(),
                        null,
                        notes);
            }
            return rollback(c, stored, acceptLoss);
        } catch (SQLException e) {
            throw classified(e);
        }
    }

    /**
     * For a change that is deleted: before the swap, like {@link #rollback}; after it, nothing is
     * touched (the live table is the new one, the old one waits out its retention) and the stored
     * state is returned.
     */
    public Progress abandon(Duration budget) {
        notes.clear();
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent()
                    && !stored.get().owner().equals(owner)
                    && !stored.get().phase().isTerminal()) {
                return progress(stored.get(), heldBy(stored.get()), null);
            }
            if (stored.isPresent()
                    && stored.get().phase().isSwapped()
                    && stored.get().owner().equals(owner)) {
                return progress(stored.get(), null, null);
            }
            return rollback(c, stored.filter(s -> s.owner().equals(owner)), false);
        } catch (SQLException e) {
            throw classified(e);
        }
    }

    private Wait heldBy(State other) {
        return Wait.of(
                Reason.TABLE_HELD,
                "table "
                        + schema()
                        + "."
                        + spec.table()
                        + " is being changed by "
                        + other.owner()
                        + "; this change waits until that one ends");
    }

    /** The change's state as stored in the database, if it has started. */
    public Optional<Progress> read() {
        loss = null;
        try (Connection c = Sessions.open(db)) {
            Optional<State> stored = store.load(c, schema(), spec.table());
            if (stored.isPresent()) {
                noteLoss(c, stored.get());
            }
            return stored.map(s -> progress(s, null, null));
        } catch (SQLException e) {
            throw classified(e);
        }
    }

    private Progress run(Connection c, State state, Controls controls, long deadline, Phase until)
            throws SQLException {
        Optional<Choice> nativeChoice = natively.choice(c, state);
        if (nativeChoice.isPresent() && state.phase() == Phase.Preparing) {
            // a fallback to a copy stopped before it forgot the native choice
            natively.forget(c);
            nativeChoice = Optional.empty();
        }
        if (nativeChoice.isPresent()) {
            return runNative(c, state, nativeChoice.get(), controls, until);
        }
        Plan plan = null;
        try {
            while (true) {
                if (state.phase() == until || state.phase().isTerminal()) {
                    noteLoss(c, state);
                    return progress(state, null, null);
                }
                if (state.phase() == Phase.Preparing) {
                    workspace.buildShadow(c, state);
                }
                if (plan == null && state.phase() != Phase.Swapped) {
                    plan = currentPlan(c, state);
                }
                Phase before = state.phase();
                state =
                        switch (state.phase()) {
                            case Preparing -> copying.installTriggers(c, plan, state);
                            case Backfilling ->
                                    copying.backfill(c, plan, state, controls, deadline);
                            case Verifying -> verifier.verify(c, plan, state, controls, deadline);
                            case AwaitingSwap -> awaitSwap(c, plan, state, controls);
                            case Swapping -> swapper.swap(c, plan, state);
                            case Swapped -> swapper.retain(c, state);
                            default ->
                                    throw new IllegalStateException(
                                            "unexpected phase " + state.phase());
                        };
                if (state.phase() == before) {
                    // the phase wants to wait (pause, approval, window, retention) or ran out of
                    // time
                    Wait waiting = waitingFor(state, controls);
                    noteLoss(c, state);
                    return progress(state, waiting, null);
                }
                log.info("{}.{}: {} -> {}", schema(), spec.table(), before, state.phase());
                if (System.nanoTime() > deadline && state.phase() != until) {
                    return progress(state, null, null);
                }
            }
        } catch (Refused r) {
            log.warn("{}.{}: refused: {}", schema(), spec.table(), r.problem());
            return failRunning(c, plan, state, r.problem());
        } catch (SQLException e) {
            if (ServerErrors.isTransient(e)) {
                throw e; // the state row stays as it is; the next call resumes
            }
            // a retry would meet the same error (privilege revoked, object dropped, statement
            // rejected)
            log.warn("{}.{}: permanent database error", schema(), spec.table(), e);
            return failRunning(
                    c, plan, state, ServerErrors.problem(e, schema() + "." + spec.table()));
        }
    }

    /**
     * A native change: AwaitingSwap behind the same gate as a copy, then its ALTER at Swapping,
     * then retention while a reverse ALTER is offered.
     */
    private Progress runNative(
            Connection c, State state, Choice choice, Controls controls, Phase until)
            throws SQLException {
        try {
            while (true) {
                if (state.phase() == until || state.phase().isTerminal()) {
                    return progress(state, null, null);
                }
                Phase before = state.phase();
                state =
                        switch (state.phase()) {
                            case AwaitingSwap -> awaitSwap(c, null, state, controls);
                            case Swapping -> natively.swap(c, state, choice);
                            case Swapped -> natively.retain(c, state);
                            default ->
                                    throw new IllegalStateException(
                                            "unexpected phase "
                                                    + state.phase()
                                                    + " of a native change");
                        };
                if (state.phase() == before) {
                    return progress(state, waitingFor(state, controls), null);
                }
                log.info("{}.{}: {} -> {} (native)", schema(), spec.table(), before, state.phase());
            }
        } catch (NoLongerNative e) {
            return fallBackToCopy(c, state, e);
        } catch (Refused r) {
            log.warn("{}.{}: refused: {}", schema(), spec.table(), r.problem());
            return failRunning(c, null, state, r.problem());
        } catch (SQLException e) {
            if (ServerErrors.isTransient(e)) {
                throw e;
            }
            log.warn("{}.{}: permanent database error", schema(), spec.table(), e);
            return failRunning(
                    c, null, state, ServerErrors.problem(e, schema() + "." + spec.table()));
        }
    }

    /**
     * Auto's native ALTER was refused on the real table at the swap: Validating again as a copy
     * (the checks only a copy needs, the disk space it needs), then the change starts over at
     * Preparing under the same spec, owner and state row, and reaches AwaitingSwap again, where the
     * gate applies again. The slice ends here so the phase change, with the reason, is seen.
     * Written in this order so a crash at any line resumes: the user's triggers, the state row,
     * then the native choice is forgotten ({@link #run} finishes that for a Preparing row).
     */
    private Progress fallBackToCopy(Connection c, State state, NoLongerNative e)
            throws SQLException {
        String reason = e.reason(schema() + "." + spec.table());
        log.warn("{}.{}: {}", schema(), spec.table(), reason);
        Validator.Validation copy =
                new Validator(spec.withStrategy(SchemaChangeSpec.Strategy.Copy), db)
                        .validateChoosing(c);
        if (!copy.result().ok()) {
            Problem p = copy.result().problems().get(0);
            return failRunning(
                    c,
                    null,
                    state,
                    new Problem(
                            p.field(),
                            reason + ", but the copy is refused: " + p.reason(),
                            p.fix()));
        }
        Plan plan = copy.result().plan();
        TableInfo source = new Inspector(c).table(plan.schema(), plan.table()).orElseThrow();
        store.saveUserTriggers(c, plan.schema(), plan.table(), plan.userTriggers());
        State next =
                State.start(
                                schema(),
                                spec.table(),
                                owner,
                                state.specHash(),
                                source.rowEstimate(),
                                clock.instant())
                        .withPhase(Phase.Preparing, reason);
        store.save(c, next, clock.instant());
        natively.forget(c);
        notes.add(reason);
        notes.addAll(plan.notes());
        return progress(next, null, null);
    }

    /**
     * Ends a running change as Failed, the same way for a refusal and a permanent server error:
     * before the swap the work objects go (the original table keeps its rows and shape), and the
     * Failed row is saved so no later call retries it.
     */
    private Progress failRunning(Connection c, Plan plan, State state, Problem problem)
            throws SQLException {
        if (plan != null && !state.phase().isSwapped()) {
            workspace.abandon(c, state);
        }
        State failed = state.withPhase(Phase.Failed, problem.toString());
        store.save(c, failed, clock.instant());
        return new Progress(
                Phase.Failed,
                problem.toString(),
                null,
                problem,
                null,
                failed.rowsCopied(),
                failed.rowsEstimated(),
                0,
                null,
                0,
                failed.chunksRepaired(),
                null,
                failed.swapAttempts(),
                null,
                0,
                null,
                notes,
                List.of());
    }

    /**
     * Whether a failure thrown by this class is transient (state unchanged; run again later).
     * Anything else (a {@code Refused} from rollback, a bug) is not helped by a retry. The CLI maps
     * this to its exit code.
     */
    public static boolean isTransient(Throwable t) {
        return t instanceof EngineException;
    }

    private static EngineException transientError(SQLException e) {
        return new EngineException("database error: " + e.getMessage(), e);
    }

    /**
     * Transient errors as EngineException, permanent ones as Refused naming the server's reason.
     */
    private RuntimeException classified(SQLException e) {
        return ServerErrors.isTransient(e)
                ? transientError(e)
                : new Refused(ServerErrors.problem(e, schema() + "." + spec.table()));
    }

    private State prepareNative(
            Connection c, Plan plan, Choice choice, List<Plan.ColumnPair> preview)
            throws SQLException {
        TableInfo source = new Inspector(c).table(plan.schema(), plan.table()).orElseThrow();
        return natively.prepare(c, owner, plan.hash(), source.rowEstimate(), choice, preview);
    }

    /** Creates the work objects: state row first (it is the table's lock), then the shadow. */
    private State prepare(Connection c, Plan plan) throws SQLException {
        store.ensure(c);
        natively.forget(c);
        TableInfo source = new Inspector(c).table(plan.schema(), plan.table()).orElseThrow();
        State state =
                State.start(
                        plan.schema(),
                        plan.table(),
                        owner,
                        plan.hash(),
                        source.rowEstimate(),
                        clock.instant());
        store.save(c, state, clock.instant());
        store.saveUserTriggers(c, plan.schema(), plan.table(), plan.userTriggers());
        return state;
    }

    /** Re-derives the plan from the live objects; the shadow exists from Preparing on. */
    private Plan currentPlan(Connection c, State state) throws SQLException {
        Inspector inspector = new Inspector(c);
        if (state.phase() == Phase.Swapping
                && spec.foreignKeys().children() == SchemaChangeSpec.ChildPolicy.DropSwap
                && !inspector.tableExists(schema(), spec.table())) {
            return workspace.namesOnly(
                    state); // DropSwap dropped the original before a crash: the RENAME needs only
            // names
        }
        TableInfo source =
                inspector
                        .table(schema(), spec.table())
                        .orElseThrow(
                                () ->
                                        new Refused(
                                                new Problem(
                                                        "spec.table",
                                                        "table "
                                                                + schema()
                                                                + "."
                                                                + spec.table()
                                                                + " disappeared during the change",
                                                        "restore it; the change cannot continue")));
        List<Planner.Shape> shapes = new ArrayList<>();
        for (PartSpec part : PartSpec.of(spec)) {
            String name = part.shadow();
            Optional<TableInfo> shadow = inspector.table(schema(), name);
            if (shadow.isEmpty() && state.phase() == Phase.Swapping) {
                return workspace.namesOnly(
                        state); // swapped before a crash: the rest of the swap needs only names
            }
            if (shadow.isEmpty()) {
                throw new Refused(
                        new Problem(
                                "spec.table",
                                "the shadow table " + schema() + "." + name + " is gone",
                                "roll the change back and run it again"));
            }
            shapes.add(new Planner.Shape(part, shadow.get()));
        }
        Planner.Result r = Planner.plan(spec, source, shapes);
        if (!r.ok()) {
            throw new Refused(r.problems().get(0));
        }
        return r.plan();
    }

    /** {@code plan} is null for a native change: it has no triggers that could record conflicts. */
    private State awaitSwap(Connection c, Plan plan, State state, Controls controls)
            throws SQLException {
        if (plan != null) {
            workspace.checkConflicts(c, plan);
        }
        if (gate.blockedBy(controls) != null) {
            return state;
        }
        State next = state.withPhase(Phase.Swapping, "swapping");
        store.save(c, next, clock.instant());
        return next;
    }

    private Progress rollback(Connection c, Optional<State> stored, boolean acceptLoss)
            throws SQLException {
        if (stored.isEmpty()) {
            return Progress.bare(Phase.RolledBack, "nothing to roll back", null, notes);
        }
        State state = stored.get();
        Optional<Choice> nativeChoice =
                state.phase() == Phase.RolledBack ? Optional.empty() : natively.choice(c, state);
        if (nativeChoice.isPresent()) {
            try {
                return progress(natively.rollBack(c, state, nativeChoice.get()), null, null);
            } catch (Refused r) {
                return failedKeepingState(state, r.problem());
            }
        }
        if (state.phase().isSwapped() || state.phase() == Phase.RollingBack) {
            try {
                State rolledBack = swapper.rollBack(c, state, acceptLoss);
                return progress(rolledBack, null, null);
            } catch (Refused r) {
                noteLoss(c, state);
                return failedKeepingState(state, r.problem());
            }
        }
        if (state.phase() != Phase.RolledBack) {
            workspace.abandon(c, state);
        }
        State next =
                state.withPhase(
                        Phase.RolledBack,
                        "rolled back: triggers and shadow table removed, "
                                + "the original table is untouched");
        store.save(c, next, clock.instant());
        return progress(next, null, null);
    }

    private Wait waitingFor(State state, Controls controls) {
        if (controls.paused()) {
            return Wait.of(Reason.PAUSED, "paused (annotation schemachange.dev/paused)");
        }
        if (state.phase() == Phase.Backfilling && copying.throttled() != null) {
            // Copying only ever reports the Throttler's reason here: the type is known, the text
            // just shown
            return Wait.of(Reason.THROTTLED, copying.throttled());
        }
        if (state.phase() == Phase.AwaitingSwap) {
            return gate.blockedBy(controls);
        }
        if (state.phase() == Phase.Swapped) {
            return Wait.of(Reason.RETENTION, "retention of the old table");
        }
        return null;
    }

    private String schema() {
        return spec.database().schema();
    }

    private Progress failed(Problem p) {
        return Progress.bare(Phase.Failed, p.toString(), p, notes);
    }

    private Progress failedKeepingState(State s, Problem p) {
        return progress(s, null, p);
    }

    private Progress progress(State s, Wait waitingFor, Problem problem) {
        double rps = s.rowsPerSecond();
        Instant eta = null;
        if (s.phase() == Phase.Backfilling && rps > 0) {
            long remaining = Math.max(0, s.rowsEstimated() - s.rowsCopied());
            eta = clock.instant().plusMillis((long) (remaining * 1000 / rps));
        }
        Problem p =
                problem != null
                        ? problem
                        : s.phase() == Phase.Failed ? new Problem(null, s.message(), null) : null;
        SwapWindow window = SwapWindow.of(spec.swap().window());
        Instant nextWindow =
                window.isAlways() || s.phase().isSwapped()
                        ? null
                        : window.nextStart(clock.instant()).orElse(null);
        return new Progress(
                s.phase(),
                s.message(),
                waitingFor,
                p,
                cursorText(s.cursor()),
                s.rowsCopied(),
                s.rowsEstimated(),
                rps,
                eta,
                s.chunkRows(),
                s.chunksRepaired(),
                nextWindow,
                s.swapAttempts(),
                s.swappedAt(),
                s.lockMillis(),
                s.oldTable(),
                notes,
                parts(s),
                loss);
    }

    /**
     * Reads what a rollback would lose, while the old table is kept reverse-synced (the rows the
     * reverse triggers could not carry back).
     */
    private void noteLoss(Connection c, State s) throws SQLException {
        loss = null;
        if (s.phase() == Phase.Swapped || s.phase() == Phase.RollingBack) {
            loss =
                    workspace
                            .unfitRows(c, s)
                            .map(
                                    u ->
                                            new Progress.RollbackLoss(
                                                    u.count(),
                                                    u.first().get(0).key(),
                                                    u.first().get(0).columns(),
                                                    u.first().get(0).at(),
                                                    u.describe()))
                            .orElse(null);
        }
    }

    private List<Progress.PartProgress> parts(State s) {
        if (spec.split() == null) {
            return List.of();
        }
        List<PartSpec> parts = PartSpec.of(spec);
        List<Progress.PartProgress> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            out.add(
                    new Progress.PartProgress(
                            parts.get(i).table(),
                            s.rowsCopied(),
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
            parts.add(
                    v != null && v.matches("-?\\d{1,18}")
                            ? v
                            : StateStore.json(List.of(String.valueOf(v)))
                                    .replaceAll("^\\[|]$", ""));
        }
        return "[" + String.join(",", parts) + "]";
    }
}

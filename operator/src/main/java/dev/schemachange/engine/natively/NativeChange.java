package dev.schemachange.engine.natively;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.ServerErrors;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.state.State;
import dev.schemachange.engine.state.StateStore;
import dev.schemachange.engine.swap.VersionRow;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A native change after Validating: it waits at AwaitingSwap like a copy (approval, window,
 * swap-not-before, pause), then Swapping runs the user's ALTER on the real table with the chosen
 * ALGORITHM in the statement itself, so the server refuses rather than copies if it no longer can
 * do it natively; the lock waits are bounded by swap.lockWaitTimeout and retried with backoff up to
 * swap.maxAttempts, like the RENAME of a copy. The migration version row follows in the same
 * session. The two are not atomic: a crash between them is completed by the next run, which sees
 * that the live table already has the ALTER's shape.
 *
 * <p>Retention has no old table: while a reverse ALTER exists (checked on the scratch copy), the
 * change stays Swapped for retention.keepOldTableFor and a rollback applies it natively; without
 * one (a dropped column's values are gone) it goes to Completed at once.
 */
public final class NativeChange {
    private static final Logger log = LoggerFactory.getLogger(NativeChange.class);

    /** ER_ALTER_OPERATION_NOT_SUPPORTED(_REASON): the ALGORITHM asked for is not possible. */
    private static final java.util.Set<Integer> NOT_NATIVE = java.util.Set.of(1845, 1846);

    private final SchemaChangeSpec spec;
    private final StateStore store;
    private final NativeStore choices;
    private final Clock clock;
    private final Applier applier;
    private final CrashPoints crash;

    public NativeChange(
            SchemaChangeSpec spec,
            StateStore store,
            Clock clock,
            Applier applier,
            CrashPoints crash) {
        this.spec = spec;
        this.store = store;
        this.choices = new NativeStore(spec.workSchema());
        this.clock = clock;
        this.applier = applier;
        this.crash = crash;
    }

    /** The native choice of this change, or empty for a copy. */
    public Optional<Choice> choice(Connection c, State state) throws SQLException {
        return choices.load(c, state.schema(), state.table(), state.specHash());
    }

    /**
     * Records the choice, then the state row, straight at AwaitingSwap: there is nothing to build
     * or copy.
     */
    public State prepare(
            Connection c,
            String owner,
            String specHash,
            long rowEstimate,
            Choice choice,
            List<Plan.ColumnPair> columns)
            throws SQLException {
        store.ensure(c);
        choices.save(c, schema(), spec.table(), specHash, choice);
        Sessions.exec(c, previewSql(columns));
        State state =
                State.start(schema(), spec.table(), owner, specHash, rowEstimate, clock.instant())
                        .withPhase(
                                Phase.AwaitingSwap,
                                choice.summary() + "; the ALTER runs at the swap");
        store.save(c, state, clock.instant());
        return state;
    }

    /**
     * {@code <workSchema>.<table>} while the change waits for its swap: where a copy shows its
     * shadow (CONTRACT: a runner compares it with the original in AwaitingSwap), a native change
     * shows the rows the table will hold after the ALTER — each column it keeps, under its new
     * name, in the new order (a column the ALTER adds is not there: it takes its default). A view
     * over the original, so it costs nothing and is always current; dropped when the swap starts,
     * as the ALTER may drop or rename a column it reads.
     */
    public String previewSql(List<Plan.ColumnPair> columns) {
        return "CREATE OR REPLACE SQL SECURITY INVOKER VIEW "
                + preview()
                + " AS SELECT "
                + columns.stream()
                        .map(
                                p ->
                                        Identifiers.quote(p.source())
                                                + " AS "
                                                + Identifiers.quote(p.shadow()))
                        .collect(Collectors.joining(", "))
                + " FROM "
                + quoted();
    }

    private String preview() {
        return Identifiers.quote(spec.workSchema(), spec.table());
    }

    private void dropPreview(Connection c) throws SQLException {
        Sessions.exec(c, "DROP VIEW IF EXISTS " + preview());
    }

    /** A copy was chosen: a native choice stored by an earlier change of the table is stale. */
    public void forget(Connection c) throws SQLException {
        choices.forget(c, schema(), spec.table());
    }

    /** Swapping: the ALTER (unless it landed before a crash), then the version row. */
    public State swap(Connection c, State state, Choice choice) throws SQLException {
        int attempts = state.swapAttempts();
        long lockMillis = 0;
        dropPreview(c);
        if (!applied(c, choice)) {
            String sql =
                    "ALTER TABLE "
                            + quoted()
                            + " "
                            + spec.alter()
                            + ", "
                            + choice.algorithmClause();
            int[] tried = {0};
            try {
                lockMillis = run(c, sql, choice.algorithm(), tried);
            } catch (SQLException e) {
                if (ServerErrors.isTransient(e)) {
                    store.save(
                            c, state.withSwap(attempts + tried[0], 0, null, null), clock.instant());
                    throw e;
                }
                if (!NOT_NATIVE.contains(e.getErrorCode())) {
                    throw e;
                }
                if (spec.strategy() == SchemaChangeSpec.Strategy.Auto) {
                    // Auto means native when the server can, else a copy: the refusal changed
                    // nothing, so the copy can start from here
                    throw new NoLongerNative(choice.algorithm(), e.getMessage());
                }
                throw new Refused(
                        new Problem(
                                "spec.strategy",
                                "the server no longer applies the ALTER to "
                                        + schema()
                                        + "."
                                        + spec.table()
                                        + " as "
                                        + choice.algorithm()
                                        + ": "
                                        + e.getMessage()
                                        + " (the table is unchanged)",
                                "set strategy: Copy to change it with a shadow table and a copy"));
            }
            attempts += tried[0];
            log.info(
                    "{}.{}: native ALTER ({}) in {} ms, attempt {}",
                    schema(),
                    spec.table(),
                    choice.algorithm(),
                    lockMillis,
                    attempts);
        }
        crash.reached("native:after-alter");
        Optional<VersionRow> version = VersionRow.of(schema(), spec);
        if (version.isPresent()) {
            version.get().insert(c);
        }
        Instant at = clock.instant();
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        State next = state.withSwap(attempts, lockMillis, at, null);
        String done = "changed natively (" + choice.algorithm() + ") in " + lockMillis + " ms";
        next =
                choice.reverse() != null && !keep.isZero()
                        ? next.withPhase(
                                Phase.Swapped,
                                done
                                        + "; until "
                                        + at.plus(keep)
                                        + " a rollback applies the reverse ALTER \""
                                        + choice.reverse()
                                        + "\"")
                        : next.withPhase(
                                Phase.Completed,
                                done
                                        + (choice.reverse() == null
                                                ? "; no rollback: " + choice.noReverse()
                                                : ""));
        store.save(c, next, at);
        return next;
    }

    /** Swapped: the reverse ALTER is offered until retention ends. */
    public State retain(Connection c, State state) throws SQLException {
        Duration keep = Durations.parse(spec.retention().keepOldTableFor());
        if (state.swappedAt() != null && clock.instant().isBefore(state.swappedAt().plus(keep))) {
            return state;
        }
        State next =
                state.withPhase(
                        Phase.Completed, "retention ended; the reverse ALTER is no longer offered");
        store.save(c, next, clock.instant());
        return next;
    }

    /**
     * Rollback: before the ALTER ran, nothing to undo; after it, the reverse ALTER and the version
     * row's removal, or a refusal naming why there is no reverse.
     */
    public State rollBack(Connection c, State state, Choice choice) throws SQLException {
        boolean after = applied(c, choice);
        dropPreview(c);
        if (!state.phase().isSwapped() && state.phase() != Phase.RollingBack && !after) {
            return rolledBack(
                    c, state, "rolled back: the native ALTER had not run, the table is untouched");
        }
        if (state.phase() == Phase.Completed) {
            throw new Refused(
                    new Problem(
                            "metadata.annotations",
                            "the native change is completed"
                                    + (choice.reverse() == null
                                            ? ": " + choice.noReverse()
                                            : " and its retention ended"),
                            "write a new change"));
        }
        if (choice.reverse() == null) {
            throw new Refused(
                    new Problem("metadata.annotations", choice.noReverse(), "write a new change"));
        }
        if (state.phase() != Phase.RollingBack) {
            state =
                    state.withPhase(
                            Phase.RollingBack, "rolling back: the reverse ALTER runs natively");
            store.save(c, state, clock.instant());
        }
        long lockMillis = 0;
        if (after) {
            String algorithm =
                    choice.reverse().contains("ALGORITHM=INPLACE") ? "INPLACE" : "INSTANT";
            lockMillis =
                    run(
                            c,
                            "ALTER TABLE " + quoted() + " " + choice.reverse(),
                            algorithm,
                            new int[1]);
        }
        crash.reached("native:after-reverse");
        Optional<VersionRow> version = VersionRow.of(schema(), spec);
        if (version.isPresent()) {
            version.get().delete(c);
        }
        return rolledBack(
                c,
                state.withSwap(state.swapAttempts(), lockMillis, state.swappedAt(), null),
                "rolled back natively in "
                        + lockMillis
                        + " ms: \""
                        + choice.reverse()
                        + "\"; the columns' values written since the change are gone with it");
    }

    private State rolledBack(Connection c, State state, String message) throws SQLException {
        State next = state.withPhase(Phase.RolledBack, message);
        store.save(c, next, clock.instant());
        return next;
    }

    /** Whether the live table already has the shape the ALTER makes. */
    private boolean applied(Connection c, Choice choice) throws SQLException {
        Inspector inspector = new Inspector(c);
        return inspector.tableExists(schema(), spec.table())
                && Shapes.of(inspector.showCreate(schema(), spec.table()), schema())
                        .equals(choice.afterShape());
    }

    /**
     * Runs the ALTER with bounded lock waits, retried on lock conflicts; returns the milliseconds
     * of the attempt that landed. INSTANT goes through the {@link Applier} (it first tries without
     * waiting at all). INPLACE waits at most lockWaitTimeout at its start and at its end: without
     * waiting, the lock upgrade at the end of a long rebuild would fail at the first reader.
     */
    private long run(Connection c, String sql, String algorithm, int[] tried) throws SQLException {
        applier.setLockWait(c);
        String seconds =
                Sessions.firstRow(c, "SELECT @@SESSION.lock_wait_timeout", java.util.List.of())
                        .get(0);
        return SessionVariable.with(
                c,
                "innodb_lock_wait_timeout",
                seconds,
                () ->
                        Retry.of(spec.swap().maxAttempts(), Retry.exponential(200, 5_000))
                                .run(
                                        "native ALTER of " + schema() + "." + spec.table(),
                                        attempt -> {
                                            tried[0] = attempt;
                                            if ("INPLACE".equals(algorithm)) {
                                                long start = System.nanoTime();
                                                Sessions.exec(c, sql);
                                                return (System.nanoTime() - start) / 1_000_000;
                                            }
                                            return applier.run(c, sql);
                                        }));
    }

    private String quoted() {
        return Identifiers.quote(schema(), spec.table());
    }

    private String schema() {
        return spec.database().schema();
    }
}

package dev.schemachange.operator;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.check.SpecValidation;
import dev.schemachange.engine.db.JdbcConnections;
import dev.schemachange.engine.swap.SwapWindow;
import dev.schemachange.logging.ChangeMdc;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks one SchemaChange a bounded slice further per reconcile: check the spec (never trusting
 * admission), read the steering annotations, get the credentials, let the engine work for at most
 * one slice, write what it reports into the status when that changed, and come back later.
 * Generation-aware filtering is off because annotations steer a change without bumping the
 * generation; {@link SteeringEventFilter} keeps our own status patches from waking us.
 */
@ControllerConfiguration(
        name = SchemaChangeReconciler.NAME,
        generationAwareEventProcessing = false,
        informer = @Informer(onUpdateFilter = SteeringEventFilter.class))
public final class SchemaChangeReconciler
        implements Reconciler<SchemaChange>, Cleaner<SchemaChange> {
    public static final String NAME = "schemachange";
    private static final Logger log = LoggerFactory.getLogger(SchemaChangeReconciler.class);

    private final EngineCache engines;
    private final OperatorSettings settings;
    private final CredentialsReader credentials;
    private final EventRecorder events;
    private final Backoff backoff;
    private final ChangeCleanup cleanup;
    private final OperatorMetrics metrics;
    private final KubernetesSerialization json = new KubernetesSerialization();

    public SchemaChangeReconciler(
            KubernetesClient client, Engine.Factory engines, OperatorSettings settings) {
        this(client, engines, settings, null);
    }

    /**
     * @param metrics where each change's progress goes after every slice; null: nowhere
     */
    public SchemaChangeReconciler(
            KubernetesClient client,
            Engine.Factory engines,
            OperatorSettings settings,
            OperatorMetrics metrics) {
        this.metrics = metrics;
        this.engines = new EngineCache(engines);
        this.settings = settings;
        this.credentials = new CredentialsReader(client);
        this.events = new EventRecorder(client, settings.clock());
        this.backoff = new Backoff(settings.backoffInitial(), settings.backoffMax());
        this.cleanup = new ChangeCleanup(credentials, events, engines, settings, backoff);
    }

    @Override
    public UpdateControl<SchemaChange> reconcile(
            SchemaChange change, Context<SchemaChange> context) {
        // every line logged in this reconcile, the engine's included, names the change
        try (ChangeMdc ignored =
                ChangeMdc.of(change.getMetadata().getNamespace(), change.getMetadata().getName())) {
            return reconcileNamed(change);
        }
    }

    private UpdateControl<SchemaChange> reconcileNamed(SchemaChange change) {
        Instant now = settings.clock().instant();
        SchemaChangeStatus before =
                change.getStatus() == null ? new SchemaChangeStatus() : change.getStatus();
        SchemaChangeStatus after = copy(before);
        Conditions conditions = new Conditions(before.getConditions(), generation(change), now);
        Duration again = step(change, before, after, conditions, now);
        after.setConditions(conditions.toList());
        if (metrics != null) {
            metrics.status(
                    change.getMetadata().getNamespace(), change.getMetadata().getName(), after);
            metrics.spec(
                    change.getMetadata().getNamespace(),
                    change.getMetadata().getName(),
                    change.getSpec());
        }
        announce(change, before, after);
        UpdateControl<SchemaChange> control =
                sameStatus(before, after)
                        ? UpdateControl.noUpdate()
                        : UpdateControl.patchStatus(statusOnly(change, after));
        return again == null ? control : control.rescheduleAfter(again);
    }

    /**
     * Does the work and fills {@code after}; returns when to look again, or null for "on the next
     * change".
     */
    private Duration step(
            SchemaChange change,
            SchemaChangeStatus before,
            SchemaChangeStatus after,
            Conditions conditions,
            Instant now) {
        SchemaChangeSpec spec = change.getSpec();
        List<Problem> invalid = SpecValidation.checkForCluster(spec);
        if (!invalid.isEmpty()) {
            return invalid(change, before, after, conditions, invalid);
        }
        String target = ChangeTarget.where(spec) + " via " + spec.workSchema();
        String hash = SpecHash.of(spec);
        if (refused(before, after, conditions, target, hash)) {
            return null;
        }
        if (finished(change, before)) {
            return null;
        }
        AnnotationControls.Parsed steering =
                AnnotationControls.read(change.getMetadata().getAnnotations());
        String key = owner(change);
        CredentialsReader.Result login =
                credentials.read(
                        change.getMetadata().getNamespace(), spec.database().credentialsSecret());
        if (!login.ok()) {
            return unavailable(after, conditions, login.reason(), login.problem(), key);
        }
        ChangeTarget where =
                new ChangeTarget(
                        spec, key, JdbcConnections.url(spec.database()), login.credentials());
        Problem connection = where.probe();
        if (connection != null) {
            String reason =
                    connection.reason().startsWith("access denied")
                            ? Reasons.CREDENTIALS_REJECTED
                            : Reasons.DATABASE_UNREACHABLE;
            return unavailable(after, conditions, reason, connection, key);
        }
        SwapWindow window = SwapWindow.of(spec.swap().window());
        Progress progress;
        try {
            // rollback goes through advance too: it checks that the table's state row is this
            // change's first
            progress =
                    engines.get(where, hash)
                            .advance(
                                    withinWindow(steering.controls(), window, spec, now),
                                    settings.slice(),
                                    Phase.Completed);
        } catch (RuntimeException e) {
            savedSwapAttempts(change, after, where, hash);
            engines.forget(key);
            log.warn("engine slice failed", e);
            return unavailable(
                    after,
                    conditions,
                    Reasons.ENGINE_ERROR,
                    new Problem(
                            null,
                            "the engine failed: " + e.getMessage(),
                            "see the operator log; the change retries with backoff"),
                    key);
        }
        backoff.reset(key);
        if (metrics != null) {
            metrics.record(
                    change.getMetadata().getNamespace(), change.getMetadata().getName(), progress);
        }
        if (before.getObservedGeneration() != null
                && !before.getObservedGeneration().equals(generation(change))
                && !Phase.Pending.name().equals(before.getPhase())
                && before.getPhase() != null) {
            events.normal(
                    change,
                    Reasons.SPEC_CHANGED,
                    "spec changed (generation "
                            + generation(change)
                            + ")"
                            + (progress.notes().isEmpty()
                                    ? ": the engine compared the plans"
                                    : ": " + String.join("; ", progress.notes())));
        }
        after.setObservedGeneration(generation(change));
        after.setTarget(target);
        after.setSpecHash(hash);
        Condition lossless = Conditions.find(before.getConditions(), Conditions.ROLLBACK_LOSSLESS);
        if (progress.rollbackLoss() != null
                && (lossless == null || !Reasons.ROWS_NOT_CARRIED.equals(lossless.getReason()))) {
            events.warning(change, Reasons.ROWS_NOT_CARRIED, ProgressStatus.lossText(progress));
        }
        new ProgressStatus(spec, steering.controls(), window, now)
                .apply(progress, after, conditions);
        if ((after.getPlan() == null
                        || !hash.equals(before.getSpecHash())
                        || wentBack(before, progress))
                && progress.phase().isBefore(Phase.Swapping)
                && progress.problem() == null) {
            after.setPlan(planSummary(engines.get(where, hash)));
        }
        annotationProblems(steering, conditions);
        return again(progress, steering.controls(), window, now);
    }

    /**
     * Whether the engine went back to an earlier phase, as Auto does when the native ALTER is no
     * longer instant at the swap and the change starts over as a copy: the stored plan is stale.
     */
    private static boolean wentBack(SchemaChangeStatus before, Progress progress) {
        return Arrays.stream(Phase.values())
                .filter(p -> p.name().equals(before.getPhase()))
                .anyMatch(p -> progress.phase().isBefore(p) && progress.phase() != Phase.Failed);
    }

    /**
     * After a failed slice, the swap attempts the engine saved: a swap that ran out of attempts
     * throws, so only its state row counts them; status.swap.attempts and osc_change_swap_attempts
     * say how many were made (the attempts-exhausted alert compares them with maxAttempts).
     */
    private void savedSwapAttempts(
            SchemaChange change, SchemaChangeStatus after, ChangeTarget where, String hash) {
        Progress saved;
        try {
            saved = engines.get(where, hash).read().orElse(null);
        } catch (RuntimeException e) {
            return; // the database that failed the slice fails this too; the slice's error says why
        }
        SchemaChangeStatus.SwapStatus w = after.getSwap();
        if (saved == null || saved.swapAttempts() == 0 || w != null && w.swappedAt() != null) {
            return;
        }
        after.setSwap(
                new SchemaChangeStatus.SwapStatus(
                        w == null ? null : w.nextWindowStart(),
                        saved.swapAttempts(),
                        null,
                        w == null ? null : w.lockMillis()));
        if (metrics != null) {
            metrics.swapAttempts(
                    change.getMetadata().getNamespace(),
                    change.getMetadata().getName(),
                    saved.swapAttempts());
        }
    }

    /** status.plan: the strategy, estimates and number of statements of osc plan. */
    private static SchemaChangeStatus.PlanStatus planSummary(Engine engine) {
        try {
            return engine.plan()
                    .filter(p -> p.problem() == null)
                    .map(
                            p ->
                                    new SchemaChangeStatus.PlanStatus(
                                            p.strategy(),
                                            p.why(),
                                            p.estimates().rows(),
                                            p.estimates().dataBytes(),
                                            p.estimates().indexBytes(),
                                            p.estimates().diskNeededBytes(),
                                            p.estimates().freeBytes(),
                                            p.estimates().copyTime(),
                                            p.statementCount()))
                    .orElse(null);
        } catch (RuntimeException e) {
            log.warn("the plan summary failed; status.plan stays empty", e);
            return null;
        }
    }

    /**
     * Holds the swap until the window opens by moving swap-not-before there, so a swap never starts
     * outside the window, nor so late in it that the attempts allowed by lockWaitTimeout ×
     * maxAttempts could overrun its end. The engine checks the window too; this makes the rule hold
     * whatever the engine's version.
     */
    private Controls withinWindow(
            Controls controls, SwapWindow window, SchemaChangeSpec spec, Instant now) {
        Duration attempt =
                settings.slice()
                        .plus(
                                Durations.parse(spec.swap().lockWaitTimeout())
                                        .multipliedBy(spec.swap().maxAttempts()));
        if (window.allows(now, attempt)) {
            return controls;
        }
        Instant from = window.currentEnd(now).orElse(now);
        Instant opens =
                window.nextStart(from)
                        .filter(t -> !t.isBefore(from))
                        .orElse(AnnotationControls.HELD);
        Instant notBefore =
                controls.swapNotBefore() != null && controls.swapNotBefore().isAfter(opens)
                        ? controls.swapNotBefore()
                        : opens;
        return new Controls(
                controls.swapApproved(),
                notBefore,
                controls.paused(),
                controls.rollback(),
                controls.acceptLoss());
    }

    /**
     * Reports a bad spec. Before any work it fails the change; once work started it halts it where
     * it is.
     */
    private Duration invalid(
            SchemaChange change,
            SchemaChangeStatus before,
            SchemaChangeStatus after,
            Conditions conditions,
            List<Problem> problems) {
        String text = problems.stream().map(Problem::toString).collect(Collectors.joining("; "));
        boolean started =
                before.getPhase() != null
                        && !Phase.Pending.name().equals(before.getPhase())
                        && !Phase.Failed.name().equals(before.getPhase());
        after.setObservedGeneration(generation(change));
        conditions.set(Conditions.VALIDATED, false, Reasons.INVALID_SPEC, text);
        conditions.set(
                Conditions.READY,
                false,
                Reasons.INVALID_SPEC,
                "fix the spec; a new generation retries");
        conditions.set(
                Conditions.PROGRESSING,
                false,
                Reasons.INVALID_SPEC,
                "halted until the spec is fixed");
        if (started) {
            after.setMessage("halted: invalid spec: " + text);
            conditions.set(Conditions.DEGRADED, true, Reasons.INVALID_SPEC, text);
        } else {
            after.setPhase(Phase.Failed.name());
            after.setMessage("invalid spec: " + text);
            conditions.set(
                    Conditions.FAILED,
                    true,
                    Reasons.INVALID_SPEC,
                    text + "; nothing was changed in the " + "database");
            conditions.set(
                    Conditions.DEGRADED, false, Reasons.INVALID_SPEC, "failed before any work");
        }
        return null;
    }

    /** Table and database are fixed once work started, and after the swap the spec is. */
    private boolean refused(
            SchemaChangeStatus before,
            SchemaChangeStatus after,
            Conditions conditions,
            String target,
            String hash) {
        Phase phase = phase(before);
        String why = null;
        String reason = null;
        if (before.getTarget() != null
                && !before.getTarget().equals(target)
                && phase != Phase.Pending
                && !phase.isTerminal()) {
            reason = Reasons.TARGET_CHANGED;
            why =
                    "spec.table/spec.database/spec.workSchema changed from "
                            + before.getTarget()
                            + " to "
                            + target
                            + " while the change runs: restore them (then roll back with the annotation "
                            + AnnotationControls.ROLLBACK
                            + " if needed) and create a new SchemaChange for the other table";
        } else if (phase.isSwapped()
                && before.getSpecHash() != null
                && !before.getSpecHash().equals(hash)) {
            reason = Reasons.SPEC_CHANGE_REFUSED;
            why =
                    "the spec changed after the swap: restore it; a further change needs a new SchemaChange";
        }
        if (why == null) {
            return false;
        }
        conditions.set(Conditions.DEGRADED, true, reason, why);
        after.setMessage(why);
        return true;
    }

    /** A finished change stays finished until its spec changes; nothing to ask the database. */
    private static boolean finished(SchemaChange change, SchemaChangeStatus before) {
        return phase(before).isTerminal()
                && Objects.equals(before.getObservedGeneration(), generation(change))
                && Conditions.isTrue(before.getConditions(), Conditions.VALIDATED);
    }

    /**
     * Credentials or database not usable: say why and how to fix it, keep the rest, retry with
     * backoff.
     */
    private Duration unavailable(
            SchemaChangeStatus after,
            Conditions conditions,
            String reason,
            Problem problem,
            String key) {
        if (after.getPhase() == null || Phase.Failed.name().equals(after.getPhase())) {
            // a Failed of the same generation never gets here (finished()), so it belongs to an
            // older spec
            after.setPhase(Phase.Pending.name());
            conditions.set(Conditions.FAILED, false, Reasons.AS_EXPECTED, "not failed");
        }
        conditions.set(Conditions.VALIDATED, true, Reasons.SPEC_VALID, "the spec is valid");
        conditions.set(Conditions.PROGRESSING, false, reason, problem.toString());
        conditions.set(Conditions.DEGRADED, true, reason, problem.toString());
        after.setMessage(problem.toString());
        Duration wait = backoff.next(key);
        log.info("{} — retrying in {}", problem, wait);
        return wait;
    }

    private static void annotationProblems(
            AnnotationControls.Parsed steering, Conditions conditions) {
        if (!steering.problems().isEmpty()) {
            conditions.set(
                    Conditions.DEGRADED,
                    true,
                    Reasons.INVALID_ANNOTATION,
                    steering.problems().stream()
                            .map(Problem::toString)
                            .collect(Collectors.joining("; ")));
        }
    }

    /**
     * When to come back: soon while moving, at the next window or poll interval while waiting,
     * never when done.
     */
    private Duration again(Progress p, Controls controls, SwapWindow window, Instant now) {
        Phase phase = p.phase() == null ? Phase.Pending : p.phase();
        if (phase.isTerminal()) {
            return null;
        }
        boolean waiting =
                p.waitingFor() != null
                        || controls.paused()
                        || p.problem() != null
                        || phase == Phase.Swapped;
        if (!waiting) {
            return settings.busyDelay();
        }
        Instant wake = now.plus(settings.waitPoll());
        Instant next =
                p.nextWindowStart() != null
                        ? p.nextWindowStart()
                        : window.nextStart(now).orElse(null);
        if (controls.swapNotBefore() != null
                && controls.swapNotBefore().isAfter(now)
                && controls.swapNotBefore().isBefore(wake)) {
            wake = controls.swapNotBefore();
        }
        if (next != null && next.isAfter(now) && next.isBefore(wake)) {
            wake = next;
        }
        Duration d = Duration.between(now, wake);
        return d.compareTo(settings.busyDelay()) < 0 ? settings.busyDelay() : d;
    }

    /**
     * Events for what a human should see in {@code kubectl describe}: phase changes and new
     * problems.
     */
    private void announce(
            SchemaChange change, SchemaChangeStatus before, SchemaChangeStatus after) {
        if (after.getPhase() != null && !after.getPhase().equals(before.getPhase())) {
            // one slice may pass several phases; the engine does not list them, so the Event says
            // from where
            String text =
                    (before.getPhase() == null
                                    ? ""
                                    : before.getPhase() + " → " + after.getPhase() + ": ")
                            + after.getMessage();
            if (Phase.Failed.name().equals(after.getPhase())) {
                events.warning(change, Phase.Failed.name(), text);
            } else {
                events.normal(change, after.getPhase(), text);
            }
        }
        for (String type : List.of(Conditions.DEGRADED, Conditions.FAILED)) {
            Condition now = Conditions.find(after.getConditions(), type);
            Condition was = Conditions.find(before.getConditions(), type);
            boolean raised =
                    now != null
                            && "True".equals(now.getStatus())
                            && (was == null
                                    || !"True".equals(was.getStatus())
                                    || !Objects.equals(was.getReason(), now.getReason()));
            if (raised
                    && !(Conditions.FAILED.equals(type)
                            && !after.getPhase().equals(before.getPhase()))) {
                events.warning(change, now.getReason(), now.getMessage());
            }
        }
    }

    @Override
    public DeleteControl cleanup(SchemaChange change, Context<SchemaChange> context) {
        try (ChangeMdc ignored =
                ChangeMdc.of(change.getMetadata().getNamespace(), change.getMetadata().getName())) {
            engines.forget(owner(change));
            DeleteControl done = cleanup.run(change);
            if (metrics != null && done.isRemoveFinalizer()) {
                metrics.remove(change.getMetadata().getNamespace(), change.getMetadata().getName());
            }
            return done;
        }
    }

    static String owner(SchemaChange change) {
        return change.getMetadata().getNamespace() + "/" + change.getMetadata().getName();
    }

    private static Long generation(SchemaChange change) {
        return change.getMetadata().getGeneration();
    }

    private static Phase phase(SchemaChangeStatus status) {
        try {
            return status.getPhase() == null ? Phase.Pending : Phase.valueOf(status.getPhase());
        } catch (IllegalArgumentException e) {
            return Phase.Pending;
        }
    }

    private SchemaChangeStatus copy(SchemaChangeStatus status) {
        return json.clone(status);
    }

    private boolean sameStatus(SchemaChangeStatus a, SchemaChangeStatus b) {
        return json.asJson(a).equals(json.asJson(b));
    }

    /**
     * Only name, namespace and status: what a status patch (merge or server-side apply) should
     * carry.
     */
    private static SchemaChange statusOnly(SchemaChange change, SchemaChangeStatus status) {
        SchemaChange patch = new SchemaChange();
        patch.getMetadata().setName(change.getMetadata().getName());
        patch.getMetadata().setNamespace(change.getMetadata().getNamespace());
        patch.setStatus(status);
        return patch;
    }
}

package dev.schemachange.operator;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait.Reason;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;

/**
 * What {@code /metrics} serves: one Prometheus registry holding JOSDK's reconcile metrics, the
 * JVM's, and a set of series per SchemaChange tagged {@code namespace} and {@code name}, taken from
 * the engine's {@link Progress} after every slice and removed when the change is deleted.
 *
 * <p>Per change ({@code osc_change_*}):
 *
 * <ul>
 *   <li>{@code rows_copied}, {@code rows_estimated}, {@code rows_per_second}, {@code chunk_rows}
 *       (the adaptive chunk size the chunk-time target settled on), {@code chunks_repaired} (chunks
 *       re-copied after a checksum mismatch), {@code swap_attempts} (every attempt made, those of a
 *       swap that ran out of them included), {@code swap_max_attempts} (spec.swap.maxAttempts),
 *       {@code swap_stall_seconds} (how long the swap held its lock): gauges, since a spec change
 *       before the swap starts the copy over and the engine's numbers go back to zero;
 *   <li>{@code phase}: one series per phase with a {@code phase} label, 1 for the current phase and
 *       0 for the others (the state-set idiom of kube-state-metrics' {@code
 *       kube_pod_status_phase}): {@code osc_change_phase{phase="Failed"} == 1} alerts, {@code sum
 *       by (phase) (osc_change_phase)} counts, and no dashboard has to know the enum's ordinals;
 *   <li>{@code waiting_seconds_total{reason=…}}: a counter of the time the change was seen waiting,
 *       by what the engine said it waits for (throttled, paused, approval, window, not_before,
 *       table_held, retention, other). The interval between two slices is counted for the reason
 *       reported at the start of the interval.
 *   <li>{@code waiting_for{reason=…}}: 1 for what the change waits for now, 0 for the other reasons
 *       (all 0 while it moves); {@code condition{condition=…}}: 1 while that status condition is
 *       True (Degraded, Throttled, Paused, ...);
 *   <li>{@code progress_ratio} (0 to 1, as status.backfill.percent), {@code eta_timestamp_seconds}
 *       (NaN when unknown) and {@code last_progress_timestamp_seconds}: when rows copied or the
 *       phase last changed, so {@code time() - osc_change_last_progress_timestamp_seconds} is how
 *       long the change has not moved.
 * </ul>
 */
public final class OperatorMetrics implements AutoCloseable {
    static final String PREFIX = "osc.change.";

    private final PrometheusMeterRegistry registry;
    private final Clock clock;
    private final Metrics reconcileMetrics;
    private final JvmGcMetrics gc;
    private final Map<String, ChangeMeters> changes = new ConcurrentHashMap<>();

    public OperatorMetrics(Clock clock) {
        this.clock = clock;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // controller-level only: per-resource reconcile series would double what the osc_change_*
        // series say
        this.reconcileMetrics = MicrometerMetrics.withoutPerResourceMetrics(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        gc = new JvmGcMetrics();
        gc.bindTo(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /**
     * For JOSDK's {@code withMetrics}: reconciliations started, succeeded, failed, retried and
     * their timing.
     */
    public Metrics reconcileMetrics() {
        return reconcileMetrics;
    }

    /** The Prometheus text exposition (format 0.0.4) of everything registered. */
    public String scrape() {
        return registry.scrape();
    }

    public String contentType() {
        return "text/plain; version=0.0.4; charset=utf-8";
    }

    /** Takes in what the engine reported after one slice of the change {@code namespace/name}. */
    public void record(String namespace, String name, Progress p) {
        meters(namespace, name).update(p, clock.instant());
    }

    /**
     * Takes in the status a reconcile wrote: always its phase; its numbers only while no engine
     * slice was seen for the change in this process (a finished change after an operator restart is
     * never handed to the engine again, and should not read as zero rows copied).
     */
    public void status(String namespace, String name, SchemaChangeStatus status) {
        meters(namespace, name).status(status, clock.instant());
    }

    /** Takes in what the spec sets that a series compares with: swap.maxAttempts. */
    public void spec(String namespace, String name, SchemaChangeSpec spec) {
        if (spec != null) {
            meters(namespace, name).maxSwapAttempts = spec.swap().maxAttempts();
        }
    }

    /**
     * The swap attempts saved in the state row, read after a slice failed: a swap that ran out of
     * attempts reports no progress, only its error.
     */
    public void swapAttempts(String namespace, String name, int attempts) {
        ChangeMeters m = meters(namespace, name);
        m.swapAttempts = attempts;
        // the swap was tried, so whatever the last good slice waited for (approval) no longer holds
        m.waitingNow = null;
    }

    /** Drops every series of the change: it was deleted. */
    public void remove(String namespace, String name) {
        ChangeMeters m = changes.remove(namespace + "/" + name);
        if (m != null) {
            m.meters.forEach(registry::remove);
        }
    }

    private ChangeMeters meters(String namespace, String name) {
        return changes.computeIfAbsent(
                namespace + "/" + name,
                k -> new ChangeMeters(registry, Tags.of("namespace", namespace, "name", name)));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }

    /**
     * The label value of a wait reason: the reason's name in lower case ("not_before",
     * "throttled").
     */
    static String waitLabel(Reason wait) {
        return wait.name().toLowerCase(Locale.ROOT);
    }

    /**
     * One change's current numbers; the registered meters read them (gauges hold only weak
     * references).
     */
    private static final class ChangeMeters {
        final List<Meter> meters = new ArrayList<>();
        volatile long rowsCopied;
        volatile long rowsEstimated;
        volatile double rowsPerSecond;
        volatile int chunkRows;
        volatile int chunksRepaired;
        volatile int swapAttempts;
        volatile int maxSwapAttempts;
        volatile long lockMillis;
        volatile long rowsNotCarried;
        volatile Phase phase = Phase.Pending;
        volatile double progress;
        volatile double etaSeconds = Double.NaN;
        volatile double lastProgressSeconds = Double.NaN;
        volatile Reason waitingNow;
        final Map<String, Boolean> conditionsTrue = new ConcurrentHashMap<>();
        final Map<Reason, DoubleAdder> waited = new EnumMap<>(Reason.class);

        /** What the last update waited for; null when it did not wait. */
        Reason lastWait;

        Instant lastSeen;

        ChangeMeters(MeterRegistry registry, Tags tags) {
            gauge(
                    registry,
                    tags,
                    "rows.copied",
                    "rows copied into the shadow table so far",
                    m -> m.rowsCopied);
            gauge(
                    registry,
                    tags,
                    "rows.estimated",
                    "rows the original table holds, as estimated at the start",
                    m -> m.rowsEstimated);
            gauge(
                    registry,
                    tags,
                    "rows.per.second",
                    "copy rate over the last slice",
                    m -> m.rowsPerSecond);
            gauge(
                    registry,
                    tags,
                    "chunk.rows",
                    "rows per chunk, adapted to the chunk-time target",
                    m -> m.chunkRows);
            gauge(
                    registry,
                    tags,
                    "chunks.repaired",
                    "chunks re-copied after a checksum mismatch",
                    m -> m.chunksRepaired);
            gauge(
                    registry,
                    tags,
                    "swap.attempts",
                    "swap attempts so far (lock wait timeouts retry)",
                    m -> m.swapAttempts);
            gauge(
                    registry,
                    tags,
                    "swap.max.attempts",
                    "spec.swap.maxAttempts: the attempts one swap makes before the operator backs"
                            + " off and retries",
                    m -> m.maxSwapAttempts);
            gauge(
                    registry,
                    tags,
                    "rollback.rows.not.carried",
                    "rows written after the swap that did not fit the old table: a rollback loses"
                            + " them (0: lossless)",
                    m -> m.rowsNotCarried);
            meters.add(
                    Gauge.builder(PREFIX + "swap.stall", this, m -> m.lockMillis / 1000.0)
                            .tags(tags)
                            .baseUnit("seconds")
                            .description("how long the swap held the table lock (writes stalled)")
                            .strongReference(true)
                            .register(registry));
            for (Phase p : Phase.values()) {
                meters.add(
                        Gauge.builder(PREFIX + "phase", this, m -> m.phase == p ? 1 : 0)
                                .tags(tags.and("phase", p.name()))
                                .description("1 for the change's current phase, 0 for the others")
                                .strongReference(true)
                                .register(registry));
            }
            gauge(
                    registry,
                    tags,
                    "progress.ratio",
                    "share of the rows copied, 0 to 1 (1 once verifying)",
                    m -> m.progress);
            gauge(
                    registry,
                    tags,
                    "eta.timestamp.seconds",
                    "when the copy is expected to end, as Unix time; NaN when unknown",
                    m -> m.etaSeconds);
            gauge(
                    registry,
                    tags,
                    "last.progress.timestamp.seconds",
                    "when rows copied or the phase last changed, as Unix time",
                    m -> m.lastProgressSeconds);
            for (Reason w : Reason.values()) {
                meters.add(
                        Gauge.builder(PREFIX + "waiting.for", this, m -> m.waitingNow == w ? 1 : 0)
                                .tags(tags.and("reason", waitLabel(w)))
                                .description("1 for what the change waits for now, 0 otherwise")
                                .strongReference(true)
                                .register(registry));
            }
            for (String type : Conditions.TYPES) {
                meters.add(
                        Gauge.builder(
                                        PREFIX + "condition",
                                        this,
                                        m -> m.conditionsTrue.getOrDefault(type, false) ? 1 : 0)
                                .tags(tags.and("condition", type))
                                .description("1 while the status condition is True")
                                .strongReference(true)
                                .register(registry));
            }
            for (Reason w : Reason.values()) {
                DoubleAdder adder = new DoubleAdder();
                waited.put(w, adder);
                meters.add(
                        FunctionCounter.builder(PREFIX + "waiting", adder, DoubleAdder::sum)
                                .tags(tags.and("reason", waitLabel(w)))
                                .baseUnit("seconds")
                                .description("time the change spent waiting, by what it waited for")
                                .register(registry));
            }
        }

        private void gauge(
                MeterRegistry registry,
                Tags tags,
                String name,
                String help,
                java.util.function.ToDoubleFunction<ChangeMeters> value) {
            meters.add(
                    Gauge.builder(PREFIX + name, this, value)
                            .tags(tags)
                            .description(help)
                            .strongReference(true)
                            .register(registry));
        }

        synchronized void status(SchemaChangeStatus s, Instant now) {
            for (String type : Conditions.TYPES) {
                conditionsTrue.put(type, Conditions.isTrue(s.getConditions(), type));
            }
            Phase before = phase;
            phase = phaseOf(s.getPhase());
            if (lastSeen != null) {
                return;
            }
            SchemaChangeStatus.BackfillStatus b = s.getBackfill();
            long copiedBefore = rowsCopied;
            if (b != null) {
                progress = b.percent() == null ? 0 : b.percent() / 100.0;
                etaSeconds = epochSeconds(b.eta());
                rowsCopied = b.rowsCopied() == null ? 0 : b.rowsCopied();
                rowsEstimated = b.rowsEstimated() == null ? 0 : b.rowsEstimated();
                rowsPerSecond = b.rowsPerSecond() == null ? 0 : b.rowsPerSecond();
                chunkRows = b.chunkRows() == null ? 0 : b.chunkRows();
                chunksRepaired = b.chunksRepaired() == null ? 0 : b.chunksRepaired();
            }
            SchemaChangeStatus.SwapStatus w = s.getSwap();
            if (w != null) {
                swapAttempts = w.attempts() == null ? 0 : w.attempts();
                lockMillis = w.lockMillis() == null ? 0 : w.lockMillis();
            }
            moved(before, copiedBefore, now);
        }

        /** Progress is rows copied or a phase change; the first observation counts as one. */
        private void moved(Phase before, long copiedBefore, Instant now) {
            if (Double.isNaN(lastProgressSeconds)
                    || before != phase
                    || copiedBefore != rowsCopied) {
                lastProgressSeconds = now.toEpochMilli() / 1000.0;
            }
        }

        private static double epochSeconds(String time) {
            if (time == null) {
                return Double.NaN;
            }
            try {
                return Instant.parse(time).toEpochMilli() / 1000.0;
            } catch (java.time.format.DateTimeParseException e) {
                return Double.NaN;
            }
        }

        private static Phase phaseOf(String name) {
            try {
                return name == null ? Phase.Pending : Phase.valueOf(name);
            } catch (IllegalArgumentException e) {
                return Phase.Pending;
            }
        }

        synchronized void update(Progress p, Instant now) {
            if (lastSeen != null && lastWait != null && now.isAfter(lastSeen)) {
                waited.get(lastWait).add(Duration.between(lastSeen, now).toNanos() / 1e9);
            }
            lastSeen = now;
            Reason wait = p.waitReason();
            lastWait = wait;
            waitingNow = wait;
            Phase before = phase;
            long copiedBefore = rowsCopied;
            if (wait == Reason.TABLE_HELD) {
                // the numbers are the other change's, which holds the table
                phase = Phase.Pending;
                moved(before, copiedBefore, now);
                return;
            }
            rowsCopied = p.rowsCopied();
            rowsEstimated = p.rowsEstimated();
            rowsPerSecond = p.rowsPerSecond();
            chunkRows = p.chunkRows();
            chunksRepaired = p.chunksRepaired();
            swapAttempts = p.swapAttempts();
            lockMillis = p.lockMillis();
            rowsNotCarried = p.rollbackLoss() == null ? 0 : p.rollbackLoss().rows();
            phase = p.phase() == null ? Phase.Pending : p.phase();
            progress = p.percent() / 100.0;
            etaSeconds = p.eta() == null ? Double.NaN : p.eta().toEpochMilli() / 1000.0;
            moved(before, copiedBefore, now);
        }
    }
}

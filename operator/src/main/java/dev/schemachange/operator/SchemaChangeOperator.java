package dev.schemachange.operator;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires the reconciler into a JOSDK {@link Operator}: client, namespaces, leader election, patch
 * style, and the metrics. Tells the health endpoints whether it is alive ({@link #live()}) and
 * started ({@link #ready()}).
 */
public final class SchemaChangeOperator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaChangeOperator.class);

    enum State {
        CREATED,
        STARTED,
        STOPPED
    }

    private final Operator operator;
    private final OperatorMetrics metrics;
    private final AtomicReference<State> state = new AtomicReference<>(State.CREATED);
    private final java.util.concurrent.atomic.AtomicBoolean closed =
            new java.util.concurrent.atomic.AtomicBoolean();

    public SchemaChangeOperator(
            KubernetesClient client,
            Engine.Factory engines,
            OperatorSettings settings,
            OperatorOptions options) {
        this(client, engines, settings, options, null);
    }

    /**
     * @param metrics JOSDK's reconcile metrics and every change's series go there; null: no metrics
     */
    public SchemaChangeOperator(
            KubernetesClient client,
            Engine.Factory engines,
            OperatorSettings settings,
            OperatorOptions options,
            OperatorMetrics metrics) {
        this.metrics = metrics;
        operator =
                new Operator(
                        o -> {
                            o.withKubernetesClient(client)
                                    .withCloseClientOnStop(false)
                                    .withUseSSAToPatchPrimaryResource(options.serverSideApply());
                            if (options.leaderElection() != null) {
                                o.withLeaderElectionConfiguration(options.leaderElection());
                            }
                            if (metrics != null) {
                                o.withMetrics(metrics.reconcileMetrics());
                            }
                        });
        operator.register(
                new SchemaChangeReconciler(client, engines, settings, metrics),
                c -> {
                    if (!options.namespaces().isEmpty()) {
                        c.settingNamespaces(options.namespaces());
                    }
                });
        log.info(
                "watching SchemaChanges in {}",
                options.namespaces().isEmpty() ? "all namespaces" : options.namespaces());
    }

    /**
     * Starts the informers, or with leader election the race for the Lease; returns once JOSDK says
     * started. A replica waiting for the Lease is started in this sense: its controllers begin when
     * it leads.
     */
    public void start() {
        try {
            operator.start();
        } catch (RuntimeException e) {
            state.set(State.STOPPED);
            throw e;
        }
        state.compareAndSet(State.CREATED, State.STARTED);
    }

    /** Liveness: true from construction until {@link #close()} or a failed start. */
    public boolean live() {
        return state.get() != State.STOPPED;
    }

    /**
     * Readiness: JOSDK's operator has started (a stand-by replica waiting for the Lease included).
     */
    public boolean ready() {
        return state.get() == State.STARTED && operator.getRuntimeInfo().isStarted();
    }

    /**
     * For the readiness body: event sources JOSDK reports unhealthy (informers that cannot list or
     * watch).
     */
    public String unhealthyEventSources() {
        try {
            var bad = operator.getRuntimeInfo().unhealthyEventSources();
            return bad.isEmpty() ? "" : bad.toString();
        } catch (RuntimeException e) {
            return "";
        }
    }

    public OperatorMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        state.set(State.STOPPED);
        if (closed.compareAndSet(false, true)) {
            operator.stop();
        }
    }
}

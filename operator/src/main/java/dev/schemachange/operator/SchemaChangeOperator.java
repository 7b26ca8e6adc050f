package dev.schemachange.operator;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;

/** Wires the reconciler into a JOSDK {@link Operator}: client, namespaces, leader election, patch style. */
public final class SchemaChangeOperator implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SchemaChangeOperator.class);

    private final Operator operator;

    public SchemaChangeOperator(KubernetesClient client, Engine.Factory engines, OperatorSettings settings,
                                OperatorOptions options) {
        operator = new Operator(o -> {
            o.withKubernetesClient(client)
                    .withCloseClientOnStop(false)
                    .withUseSSAToPatchPrimaryResource(options.serverSideApply());
            if (options.leaderElection() != null) {
                o.withLeaderElectionConfiguration(options.leaderElection());
            }
        });
        operator.register(new SchemaChangeReconciler(client, engines, settings), c -> {
            if (!options.namespaces().isEmpty()) {
                c.settingNamespaces(options.namespaces());
            }
        });
        log.info("watching SchemaChanges in {}", options.namespaces().isEmpty() ? "all namespaces"
                : options.namespaces());
    }

    public void start() {
        operator.start();
    }

    @Override
    public void close() {
        operator.stop();
    }
}

package dev.schemachange.cli;

import dev.schemachange.logging.LogFormat;
import dev.schemachange.logging.LogSetup;
import dev.schemachange.operator.MigratorEngine;
import dev.schemachange.operator.OperatorHttpServer;
import dev.schemachange.operator.OperatorMetrics;
import dev.schemachange.operator.OperatorOptions;
import dev.schemachange.operator.OperatorSettings;
import dev.schemachange.operator.SchemaChangeOperator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;

@Command(
        name = "operator",
        mixinStandardHelpOptions = true,
        description = {
            "Run the Kubernetes operator (the container's default command).",
            "Connects with the in-cluster config, else KUBECONFIG / ~/.kube/config.",
            "Environment: "
                    + OperatorOptions.NAMESPACES_ENV
                    + " (comma-separated namespaces to watch, default all), "
                    + OperatorOptions.LEADER_ELECTION_ENV
                    + " (default true), "
                    + OperatorOptions.LEASE_NAMESPACE_ENV
                    + " (default: the pod's namespace), "
                    + OperatorSettings.SLICE_ENV
                    + " (engine work per reconcile, default 10s), "
                    + OperatorHttpServer.PORT_ENV
                    + " (port of /metrics, /healthz and /readyz, default "
                    + OperatorHttpServer.DEFAULT_PORT
                    + "), "
                    + LogFormat.ENV
                    + " (text or json: one JSON object per line, default text), "
                    + LogSetup.LEVEL_ENV
                    + " (default info)."
        })
final class OperatorCommand implements Callable<Integer> {
    private static final Logger log = LoggerFactory.getLogger(OperatorCommand.class);

    @Override
    public Integer call() throws InterruptedException, IOException {
        OperatorOptions options = OperatorOptions.fromEnvironment(System.getenv());
        Clock clock = Clock.systemUTC();
        CountDownLatch stopped = new CountDownLatch(1);
        int port = OperatorHttpServer.port(System.getenv());
        KubernetesClient client = new KubernetesClientBuilder().build();
        OperatorMetrics metrics = new OperatorMetrics(clock);
        SchemaChangeOperator operator =
                new SchemaChangeOperator(
                        client,
                        MigratorEngine.factory(clock),
                        OperatorSettings.fromEnvironment(System.getenv()).withClock(clock),
                        options,
                        metrics);
        // up before the operator starts, so liveness answers while informers sync (JOSDK's start()
        // waits for them)
        OperatorHttpServer http = OperatorHttpServer.serve(port, operator);
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    log.info("stopping");
                                    operator.close();
                                    http.close();
                                    metrics.close();
                                    client.close();
                                    stopped.countDown();
                                },
                                "osc-operator-shutdown"));
        operator.start();
        log.info("osc operator running against {}", client.getMasterUrl());
        stopped.await();
        return 0;
    }
}

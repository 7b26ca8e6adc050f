package dev.schemachange.operator;

import dev.schemachange.cli.Osc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code osc operator} as a separate JVM (the test's classpath, as the CLI crash test does),
 * pointed at the mock API server through a KUBECONFIG file, so a test can kill it with SIGKILL like
 * a crashed pod.
 */
final class OperatorProcess implements AutoCloseable {
    private final Process process;
    final Path log;

    private OperatorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static OperatorProcess start(MockCluster cluster, Path dir, String name) throws IOException {
        return start(cluster, dir, name, Map.of());
    }

    /**
     * @param env more environment for the process, over the defaults below
     */
    static OperatorProcess start(
            MockCluster cluster, Path dir, String name, Map<String, String> env)
            throws IOException {
        Path kubeconfig = dir.resolve("kubeconfig");
        Files.writeString(
                kubeconfig,
                """
                apiVersion: v1
                kind: Config
                clusters: [{name: mock, cluster: {server: "%s", insecure-skip-tls-verify: true}}]
                users: [{name: mock, user: {token: mock}}]
                contexts: [{name: mock, context: {cluster: mock, user: mock, namespace: default}}]
                current-context: mock
                """
                        .formatted(cluster.client.getMasterUrl().toString()));
        List<String> cmd =
                new ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                Osc.class.getName(),
                                "operator"));
        Path log = dir.resolve(name + ".log");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put(OperatorOptions.LEADER_ELECTION_ENV, "false");
        // short slices, so the status moves often enough to kill the process mid-backfill
        pb.environment().put(OperatorSettings.SLICE_ENV, "500ms");
        // the mock server rejects server-side apply
        pb.environment().put(OperatorOptions.SERVER_SIDE_APPLY_ENV, "false");
        // any free port for /metrics and the probes: 8080 may be taken, and a restart test runs two
        // in a row
        pb.environment().put(OperatorHttpServer.PORT_ENV, "0");
        pb.environment().putAll(env);
        return new OperatorProcess(pb.start(), log);
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no cleanup, like a node that died. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String output() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}

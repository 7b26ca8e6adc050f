package dev.schemachange.bench;

import dev.schemachange.operator.MockCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java <jvm options> -jar osc-operator.jar operator} as its own process, as the container
 * runs it, pointed at the mock API server through a KUBECONFIG file; no leader election (one
 * replica), merge patches (the mock server has no server-side apply), any free port for /metrics.
 */
final class OperatorJar implements AutoCloseable {
    private final Process process;
    private final Path log;

    private OperatorJar(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static OperatorJar start(Path jar, List<String> jvmOptions, MockCluster cluster, Path dir)
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
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-jar", jar.toString(), "operator"));
        Path log = dir.resolve("operator.log");
        ProcessBuilder pb =
                new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("KUBECONFIG", kubeconfig.toString());
        pb.environment().put("OSC_LEADER_ELECTION", "false");
        pb.environment().put("OSC_SERVER_SIDE_APPLY", "false");
        pb.environment().put("OSC_HTTP_PORT", "0");
        pb.environment()
                .remove("JAVA_TOOL_OPTIONS"); // the options above are the whole JVM configuration
        return new OperatorJar(pb.start(), log);
    }

    ProcessHandle handle() {
        return process.toHandle();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    /** SIGTERM, as Kubernetes stops a pod: the shutdown hook closes the operator. */
    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}

package dev.schemachange.bench;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.local.MariaDbServer;
import dev.schemachange.operator.MockCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The operator's footprint (a benchmark, not a test; bench/footprint runs it): the shaded jar as
 * its own JVM against fabric8's mock API server (CRUD mode) and a throwaway MariaDB, driving N
 * SchemaChanges on N small tables at once to Completed, then the process's peak RSS (VmHWM) and CPU
 * time. Row data never passes through the JVM (copies are server-side INSERT ... SELECT), so the
 * figure should not grow with the rows.
 *
 * <p>Arguments: {@code JAR [CHANGES [ROWS]]}, defaults 20 changes of 20,000 rows; JVM options of
 * the operator from {@code BENCH_JAVA_OPTS} (default the Deployment's {@code -Xmx192m
 * -XX:+ExitOnOutOfMemoryError}). Run with the working directory {@code operator/}, as the tests
 * (the CRD is read from ../crds).
 */
public final class Footprint {
    private static final String NAMESPACE = "bench";
    private static final Duration TIMEOUT = Duration.ofMinutes(15);

    private Footprint() {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]).toAbsolutePath();
        int changes = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int rows = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        List<String> jvm =
                Arrays.asList(
                        System.getenv()
                                .getOrDefault(
                                        "BENCH_JAVA_OPTS", "-Xmx192m -XX:+ExitOnOutOfMemoryError")
                                .trim()
                                .split("\\s+"));
        Path dir = Files.createTempDirectory("osc-footprint-");
        try (MariaDbServer db = MariaDbServer.start();
                MockCluster cluster = new MockCluster()) {
            createTables(db, changes, rows);
            cluster.namespace(NAMESPACE);
            cluster.secret(
                    NAMESPACE,
                    "bench-db",
                    Map.of("username", db.user(), "password", db.password()));
            try (OperatorJar operator = OperatorJar.start(jar, jvm, cluster, dir)) {
                Thread.sleep(5_000); // started, informers synced, idle: the baseline
                ProcessUsage idle = ProcessUsage.of(operator.handle());
                long t0 = System.nanoTime();
                for (int i = 1; i <= changes; i++) {
                    cluster.client.resource(change(i, db.port())).create();
                }
                Map<String, Long> phases = awaitDone(cluster, changes, operator);
                double wall = (System.nanoTime() - t0) / 1e9;
                ProcessUsage end = ProcessUsage.of(operator.handle());
                report(changes, rows, jvm, phases, wall, idle, end);
                Files.copy(
                        operator.log(),
                        Path.of("target", "footprint-operator.log"),
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void createTables(MariaDbServer db, int changes, int rows) throws Exception {
        try (Connection c = db.connect("");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE bench");
        }
        // seq_1_to_N (the SEQUENCE engine) needs a current database
        try (Connection c = db.connect("bench");
                Statement s = c.createStatement()) {
            for (int i = 1; i <= changes; i++) {
                s.execute(
                        "CREATE TABLE bench.t"
                                + i
                                + " (id INT AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, "
                                + "payload VARCHAR(64) NULL, KEY (k))");
                s.execute(
                        "INSERT INTO bench.t"
                                + i
                                + " (k, payload) SELECT seq % 1000, CONCAT('row ', seq) "
                                + "FROM seq_1_to_"
                                + rows);
            }
        }
    }

    private static SchemaChange change(int i, int port) throws Exception {
        return Manifests.parse(
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: t%d-note, namespace: %s}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: bench, credentialsSecret: bench-db}
                  table: t%d
                  alter: "ADD COLUMN note VARCHAR(64) NULL"
                  retention: {keepOldTableFor: "0"}
                """
                        .formatted(i, NAMESPACE, port, i));
    }

    /** Waits until every change is Completed or Failed; returns how many ended in each phase. */
    private static Map<String, Long> awaitDone(
            MockCluster cluster, int changes, OperatorJar operator) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Map<String, Long> phases =
                    cluster
                            .client
                            .resources(SchemaChange.class)
                            .inNamespace(NAMESPACE)
                            .list()
                            .getItems()
                            .stream()
                            .map(
                                    sc ->
                                            sc.getStatus() == null
                                                            || sc.getStatus().getPhase() == null
                                                    ? "Pending"
                                                    : sc.getStatus().getPhase())
                            .collect(
                                    Collectors.groupingBy(
                                            Function.identity(), Collectors.counting()));
            long done = phases.getOrDefault("Completed", 0L) + phases.getOrDefault("Failed", 0L);
            if (done == changes || !operator.isAlive() || System.nanoTime() > deadline) {
                return phases;
            }
            Thread.sleep(200);
        }
    }

    private static void report(
            int changes,
            int rows,
            List<String> jvm,
            Map<String, Long> phases,
            double wall,
            ProcessUsage idle,
            ProcessUsage end) {
        System.out.printf(
                """
                osc operator footprint: %d SchemaChanges on %d tables x %,d rows, all at once (%s, fat jar)
                completed %d/%d (phases at the end: %s) in %.1f s wall, apply to last Completed
                peak RSS (VmHWM) %d MiB; RSS idle before the changes %d MiB, at the end %d MiB
                CPU %.1f s in all: %.1f s start-up and idle, %.1f s driving the changes
                """,
                changes,
                changes,
                rows,
                String.join(" ", jvm),
                phases.getOrDefault("Completed", 0L),
                changes,
                phases,
                wall,
                end.peakRssMib(),
                idle.rssMib(),
                end.rssMib(),
                end.cpuSeconds(),
                idle.cpuSeconds(),
                end.cpuSeconds() - idle.cpuSeconds());
    }
}

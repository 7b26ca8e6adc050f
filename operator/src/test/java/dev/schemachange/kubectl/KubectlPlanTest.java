package dev.schemachange.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeStatus.PlanStatus;
import dev.schemachange.cli.Osc;
import dev.schemachange.operator.Conditions;
import dev.schemachange.operator.Reasons;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kubectl schemachange plan NAME}: the summary the operator stored in status.plan, a clear
 * refusal while there is none; and with connection flags the full plan of the cluster's spec from
 * the database, which is exactly what {@code osc plan -f} prints for the same spec, in each format.
 */
@MariaDb
class KubectlPlanTest {
    private static final String NS = "shop";
    private static final PlanStatus COPY_PLAN =
            new PlanStatus(
                    "Copy",
                    "the server cannot apply \"MODIFY id BIGINT\" in place without a table copy",
                    48_000_000L,
                    3_435_973_837L,
                    1_181_116_006L,
                    9_556_302_233L,
                    null,
                    "about 2 h at the 6,500 rows/s this server copied before",
                    14);
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final PluginCluster k8s = new PluginCluster(NS);

    @AfterEach
    void stop() {
        k8s.close();
    }

    private PluginCluster.Result run(String... args) {
        return k8s.run("", clock, args);
    }

    @Test
    void planPrintsTheSummaryTheOperatorStoredInStatusPlan() {
        k8s.create(NS, "orders-bigint", "orders", "");
        k8s.status(NS, "orders-bigint", Phase.Backfilling, s -> s.status.setPlan(COPY_PLAN));

        PluginCluster.Result r = run("plan", "orders-bigint", "-n", NS);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        """
                        plan for shop.orders (shop/orders-bigint: status.plan, as the operator validated it)
                        strategy: Copy
                        why: the server cannot apply "MODIFY id BIGINT" in place without a table copy
                        estimates: ~48,000,000 rows, data 3.2 GiB, indexes 1.1 GiB; disk needed 8.9 GiB; free unknown; copy time about 2 h at the 6,500 rows/s this server copied before
                        statements: 14
                        every statement: kubectl schemachange plan orders-bigint -n shop --jdbc-url jdbc:mysql://HOST:PORT/shop [-o sql]
                        """);
        assertThat(run("describe", "orders-bigint", "-n", NS).out())
                .contains(
                        "Plan:        Copy, 14 statements (kubectl schemachange plan"
                                + " orders-bigint)\n");
    }

    @Test
    void planAsJsonIsTheStatusPlanWithTheChangeAndItsTable() throws Exception {
        k8s.create(NS, "orders-bigint", "orders", "");
        k8s.status(NS, "orders-bigint", Phase.AwaitingSwap, s -> s.status.setPlan(COPY_PLAN));

        PluginCluster.Result r = run("plan", "orders-bigint", "-n", NS, "-o", "json");

        assertThat(r.exit()).as(r.err()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("schemaChange").asText()).isEqualTo("shop/orders-bigint");
        assertThat(doc.get("table").asText()).isEqualTo("shop.orders");
        assertThat(new ObjectMapper().treeToValue(doc.get("plan"), PlanStatus.class))
                .isEqualTo(COPY_PLAN);
    }

    @Test
    void withoutStatusPlanItSaysWhyAndHowToPlanOnTheDatabase() {
        k8s.create(NS, "fresh", "fresh", "");
        k8s.create(NS, "no-secret", "items", "");
        k8s.status(
                NS,
                "no-secret",
                Phase.Pending,
                s ->
                        s.condition(
                                Conditions.DEGRADED,
                                true,
                                Reasons.CREDENTIALS_MISSING,
                                "Secret shop/db not found"));
        k8s.create(NS, "broken", "broken", "");
        k8s.status(
                NS,
                "broken",
                Phase.Failed,
                s -> s.message("spec.table: table shop.broken does not exist"));

        PluginCluster.Result fresh = run("plan", "fresh", "-n", NS);
        PluginCluster.Result noSecret = run("plan", "no-secret", "-n", NS);
        PluginCluster.Result broken = run("plan", "broken", "-n", NS);

        assertThat(List.of(fresh.exit(), noSecret.exit(), broken.exit())).containsOnly(1);
        assertThat(fresh.out() + noSecret.out() + broken.out()).isEmpty();
        String how = "; to plan its spec on the database now: kubectl schemachange plan ";
        assertThat(fresh.err())
                .isEqualTo(
                        "error: shop/fresh has no status.plan: the operator has not validated it"
                                + " yet (no status: is the operator running?)"
                                + how
                                + "fresh -n shop --jdbc-url jdbc:mysql://HOST:PORT/shop\n");
        assertThat(noSecret.err())
                .startsWith(
                        "error: shop/no-secret has no status.plan: the operator has not"
                                + " validated it yet (phase Pending, fix: CredentialsMissing;"
                                + " kubectl schemachange describe no-secret says why)"
                                + how);
        assertThat(broken.err())
                .startsWith(
                        "error: shop/broken has no status.plan: it failed before the operator"
                                + " planned it: spec.table: table shop.broken does not exist"
                                + how);
    }

    @Test
    void sqlNeedsTheDatabaseAndAMissingChangeIsNamed() {
        k8s.create(NS, "orders-bigint", "orders", "");
        k8s.status(NS, "orders-bigint", Phase.Backfilling, s -> s.status.setPlan(COPY_PLAN));

        PluginCluster.Result sql = run("plan", "orders-bigint", "-n", NS, "-o", "sql");
        PluginCluster.Result missing = run("plan", "nope", "-n", NS);

        assertThat(sql.exit()).isEqualTo(1);
        assertThat(sql.err())
                .isEqualTo(
                        "error: -o sql prints the statements, which only the database can give:"
                                + " add --jdbc-url jdbc:mysql://HOST:PORT/shop (and --user,"
                                + " --password-env), e.g. through kubectl port-forward\n");
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).contains("schemachange shop/nope not found");
    }

    @Test
    void withConnectionFlagsItPrintsWhatOscPlanPrintsForTheClustersSpec(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.exec(
                "DROP TABLE IF EXISTS orders",
                "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, total INT NULL)",
                "INSERT INTO orders (total) SELECT seq FROM seq_1_to_1000");
        String manifest =
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: orders-bigint, namespace: shop}
                spec:
                  database: {host: mysql.shop.svc, port: 3306, schema: shop, credentialsSecret: db}
                  table: orders
                  alter: "MODIFY id BIGINT NOT NULL AUTO_INCREMENT, ADD COLUMN note VARCHAR(20) NULL"
                  strategy: Copy
                """;
        // the same change in the cluster and as a file for osc plan; both take the database from
        // --jdbc-url
        k8s.cluster.client.resource(Manifests.parse(manifest)).create();
        Path file = dir.resolve("change.yaml");
        Files.writeString(file, manifest);

        for (String format : List.of("text", "sql", "json")) {
            PluginCluster.Result plugin =
                    run(
                            "plan",
                            "orders-bigint",
                            "-n",
                            NS,
                            "-o",
                            format,
                            "--jdbc-url",
                            db.jdbcUrl(),
                            "--user",
                            db.server().user());
            String osc =
                    captured(
                            () ->
                                    Osc.execute(
                                            "plan",
                                            "-f",
                                            file.toString(),
                                            "-o",
                                            format,
                                            "--jdbc-url",
                                            db.jdbcUrl(),
                                            "--user",
                                            db.server().user()));

            assertThat(plugin.exit()).as(plugin.err()).isZero();
            assertThat(plugin.out()).as(format).isEqualTo(osc);
        }
        PluginCluster.Result text =
                run(
                        "plan",
                        "orders-bigint",
                        "-n",
                        NS,
                        "--jdbc-url",
                        db.jdbcUrl(),
                        "--user",
                        db.server().user());
        assertThat(text.out())
                .startsWith("plan for " + db.name() + ".orders\nstrategy: Copy\n")
                .contains("CREATE TRIGGER", "RENAME TABLE");
    }

    @Test
    void withConnectionFlagsARefusalIsTheOneOscPlanGives(TestDatabase db) {
        db.exec("DROP TABLE IF EXISTS orders");
        k8s.create(NS, "orders-bigint", "orders", "");

        PluginCluster.Result r =
                run(
                        "plan",
                        "orders-bigint",
                        "-n",
                        NS,
                        "--jdbc-url",
                        db.jdbcUrl(),
                        "--user",
                        db.server().user());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("error: spec.table: ").contains(db.name() + ".orders");
    }

    /** What {@code osc plan} printed on stdout; it must exit 0. */
    private static String captured(java.util.function.IntSupplier run) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(run.getAsInt()).isZero();
        } finally {
            System.setOut(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}

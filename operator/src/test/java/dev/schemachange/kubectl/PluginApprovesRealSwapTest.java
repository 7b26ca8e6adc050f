package dev.schemachange.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.MigratorEngine;
import dev.schemachange.operator.MockCluster;
import dev.schemachange.operator.OperatorOptions;
import dev.schemachange.operator.OperatorSettings;
import dev.schemachange.operator.SchemaChangeOperator;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The whole loop: the real operator (JOSDK on the mock API server, the real engine on a throwaway
 * MariaDB) holds a change that needs approval in AwaitingSwap, {@code kubectl schemachange list}
 * says it waits for approval, and {@code kubectl schemachange approve} makes it swap.
 */
@MariaDb
class PluginApprovesRealSwapTest {
    @Test
    void approveFromThePluginLetsTheOperatorSwap(TestDatabase db) throws Exception {
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
        db.exec(
                "CREATE TABLE approve (id INT AUTO_INCREMENT PRIMARY KEY, total INT NOT NULL)",
                "INSERT INTO approve (total) SELECT seq FROM seq_1_to_500");
        try (PluginCluster k8s = new PluginCluster("shop")) {
            MockCluster cluster = k8s.cluster;
            cluster.secret(
                    "shop",
                    "db",
                    Map.of("username", db.server().user(), "password", db.server().password()));
            OperatorSettings settings =
                    new OperatorSettings(
                            clock,
                            Duration.ofSeconds(2),
                            Duration.ofMillis(100),
                            Duration.ofMillis(300),
                            Duration.ofMillis(200),
                            Duration.ofSeconds(1));
            try (SchemaChangeOperator operator =
                    new SchemaChangeOperator(
                            cluster.client,
                            MigratorEngine.factory(clock),
                            settings,
                            new OperatorOptions(Set.of(), null, false))) {
                operator.start();
                cluster.client
                        .resource(
                                Manifests.parse(
                                        """
                                        apiVersion: schemachange.dev/v1alpha1
                                        kind: SchemaChange
                                        metadata: {name: approve, namespace: shop}
                                        spec:
                                          database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: db}
                                          table: approve
                                          alter: "ADD COLUMN note VARCHAR(20) NULL"
                                          swap: {approval: Required}
                                        """
                                                .formatted(db.server().port(), db.name())))
                        .create();
                awaitPhase(k8s, Phase.AwaitingSwap);
                PluginCluster.Result list = k8s.run("", clock, "list", "-n", "shop");
                assertThat(list.out().lines().skip(1).findFirst().orElseThrow())
                        .startsWith("approve ")
                        .contains("AwaitingSwap", "100.0%")
                        .endsWith("approval");

                PluginCluster.Result approved =
                        k8s.run("", clock, "approve", "approve", "-n", "shop");
                assertThat(approved.exit()).as(approved.err()).isZero();

                awaitPhase(k8s, Phase.Swapped);
                assertThat(
                                db.count(
                                        "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE"
                                                + " TABLE_SCHEMA = DATABASE() AND TABLE_NAME ="
                                                + " 'approve' AND COLUMN_NAME = 'note'"))
                        .isEqualTo(1);
                assertThat(db.count("SELECT COUNT(*) FROM approve")).isEqualTo(500);
                PluginCluster.Result late = k8s.run("", clock, "approve", "approve", "-n", "shop");
                assertThat(late.exit()).isEqualTo(1);
                assertThat(late.err()).contains("it is Swapped");
            }
        }
    }

    private static void awaitPhase(PluginCluster k8s, Phase phase) {
        SchemaChange c =
                await().atMost(Duration.ofSeconds(90))
                        .pollInterval(Duration.ofMillis(100))
                        .until(
                                () -> k8s.get("shop", "approve"),
                                x ->
                                        x.getStatus() != null
                                                && (phase.name().equals(x.getStatus().getPhase())
                                                        || "Failed"
                                                                .equals(x.getStatus().getPhase())));
        assertThat(c.getStatus().getPhase()).as(c.getStatus().getMessage()).isEqualTo(phase.name());
    }
}

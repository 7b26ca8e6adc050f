package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The whole path: a SchemaChange applied to the mock cluster changes a real table under writes, via
 * the real engine.
 */
@MariaDb
class OperatorLifecycleTest {
    private MockCluster cluster;
    private SchemaChangeOperator operator;

    @BeforeEach
    void start() {
        cluster = OperatorTestSupport.cluster();
        Clock clock = Clock.systemUTC();
        // short slices: the status passes through the phases instead of jumping to the end in one
        // reconcile
        OperatorSettings settings =
                new OperatorSettings(
                        clock,
                        Duration.ofMillis(200),
                        Duration.ofMillis(100),
                        Duration.ofHours(1),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        operator = OperatorTestSupport.started(cluster, MigratorEngine.factory(clock), settings);
    }

    @AfterEach
    void stop() {
        operator.close();
        cluster.close();
    }

    private final java.util.List<Long> copiedSeen =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private SchemaChange seen(SchemaChange c) {
        if (c != null && c.getStatus() != null && c.getStatus().getBackfill() != null) {
            copiedSeen.add(c.getStatus().getBackfill().rowsCopied());
        }
        return c;
    }

    @Test
    void aChangeWalksThePhasesUnderWritesAndSwapsWithoutLosingData(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("orders", 20_000);
        OperatorTestSupport.secret(cluster, db);
        SchemaChange swapped;
        try (Workload app = db.startWorkload("orders", 20_000, 2, "")) {
            cluster.apply(
                    change(
                            "orders-note",
                            db,
                            "orders",
                            """
                    alter: "ADD COLUMN note VARCHAR(64) NULL"
                    backfill: {chunkTime: 20ms, maxChunkRows: 300}
                    """));

            swapped =
                    await().atMost(Duration.ofSeconds(120))
                            .pollInterval(Duration.ofMillis(100))
                            .until(
                                    () -> seen(cluster.change(NAMESPACE, "orders-note").get()),
                                    c ->
                                            c.getStatus() != null
                                                    && (Phase.Swapped.name()
                                                                    .equals(
                                                                            c.getStatus()
                                                                                    .getPhase())
                                                            || Phase.Failed.name()
                                                                    .equals(
                                                                            c.getStatus()
                                                                                    .getPhase())));
            app.close();
            assertThat(swapped.getStatus().getPhase())
                    .as(swapped.getStatus().getMessage())
                    .isEqualTo("Swapped");
            // deadlocks are measured apart from errors by the Workload, as applications retry them
            assertThat(app.errors()).as("application errors").isEmpty();
            assertThat(app.writes()).isPositive();
        }
        assertThat(db.rows("SELECT id, k, payload FROM orders ORDER BY id"))
                .as("every committed write is in the new table")
                .isEqualTo(db.rows("SELECT id, k, payload FROM orders_ref ORDER BY id"));
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                                        + "AND TABLE_NAME = 'orders' AND COLUMN_NAME = 'note'"))
                .isEqualTo(1);

        assertThat(swapped.getStatus().getObservedGeneration())
                .isEqualTo(swapped.getMetadata().getGeneration());
        assertThat(swapped.getStatus().getOldTable()).isEqualTo(db.name() + ".orders__osc_old");
        assertThat(swapped.getStatus().getSwap().swappedAt()).isNotNull();
        assertThat(swapped.getStatus().getPlan().strategy()).as("status.plan").isEqualTo("Copy");
        assertThat(swapped.getStatus().getPlan().statements()).isPositive();
        assertThat(swapped.getStatus().getBackfill().percent()).isEqualTo(100.0);
        for (String type :
                new String[] {
                    Conditions.VALIDATED,
                    Conditions.READY,
                    Conditions.BACKFILL_COMPLETE,
                    Conditions.VERIFIED,
                    Conditions.SWAPPED
                }) {
            Condition c = Conditions.find(swapped.getStatus().getConditions(), type);
            assertThat(c.getStatus()).as(type + ": " + c.getMessage()).isEqualTo("True");
        }
        assertThat(
                        Conditions.find(swapped.getStatus().getConditions(), Conditions.FAILED)
                                .getStatus())
                .isEqualTo("False");
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(
                        () ->
                                assertThat(cluster.events(NAMESPACE, "orders-note"))
                                        .extracting(Event::getReason)
                                        .contains("Backfilling", "Swapped"));
        assertThat(copiedSeen)
                .as("progress was visible on the way")
                .anySatisfy(n -> assertThat(n).isBetween(1L, 19_999L));
    }
}

package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** With the real engine: one change per table at a time, and a table that does not exist. */
@MariaDb
class ContendedAndBadInputTest {
    private MockCluster cluster;
    private SchemaChangeOperator operator;

    @BeforeEach
    void start(TestDatabase db) {
        cluster = OperatorTestSupport.cluster();
        OperatorTestSupport.secret(cluster, db);
        OperatorSettings settings =
                new OperatorSettings(
                        Clock.systemUTC(),
                        Duration.ofSeconds(2),
                        Duration.ofMillis(100),
                        Duration.ofMillis(300),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        operator =
                OperatorTestSupport.started(
                        cluster, MigratorEngine.factory(Clock.systemUTC()), settings);
    }

    @AfterEach
    void stop() {
        operator.close();
        cluster.close();
    }

    private SchemaChange awaitChange(String name, Predicate<SchemaChange> until) {
        return await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> cluster.change(NAMESPACE, name).get(),
                        c -> c != null && c.getStatus() != null && until.test(c));
    }

    private static Condition condition(SchemaChange c, String type) {
        return Conditions.find(c.getStatus().getConditions(), type);
    }

    @Test
    void aSecondChangeOfTheSameTableWaitsNamingTheOneThatHoldsIt(TestDatabase db) {
        db.exec(
                "CREATE TABLE shared (id INT PRIMARY KEY, v INT)",
                "INSERT INTO shared VALUES (1, 1), (2, 2)");
        cluster.apply(
                change(
                        "first",
                        db,
                        "shared",
                        """
                alter: "ADD COLUMN a INT NULL"
                swap: {approval: Required}
                """));
        awaitChange("first", c -> Phase.AwaitingSwap.name().equals(c.getStatus().getPhase()));

        cluster.apply(change("second", db, "shared", "alter: \"ADD COLUMN b INT NULL\""));

        SchemaChange waiting =
                awaitChange(
                        "second",
                        c ->
                                condition(c, Conditions.PROGRESSING) != null
                                        && Reasons.TABLE_HELD.equals(
                                                condition(c, Conditions.PROGRESSING).getReason()));
        assertThat(waiting.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(waiting.getStatus().getBackfill())
                .as("not the other change's progress")
                .isNull();
        assertThat(condition(waiting, Conditions.PROGRESSING).getMessage()).contains("shop/first");

        // deleting the waiting change must not undo the one that holds the table
        cluster.change(NAMESPACE, "second").delete();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> cluster.change(NAMESPACE, "second").get() == null);
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
                                        + "AND EVENT_OBJECT_TABLE = 'shared'"))
                .as("first's triggers")
                .isPositive();
        assertThat(cluster.events(NAMESPACE, "second"))
                .anySatisfy(
                        e ->
                                assertThat(e.getMessage())
                                        .contains("nothing of this change in the database"));

        cluster.change(NAMESPACE, "first")
                .edit(
                        c -> {
                            c.getMetadata()
                                    .getAnnotations()
                                    .put(AnnotationControls.SWAP_APPROVED, "true");
                            return c;
                        });

        awaitChange("first", c -> Phase.Swapped.name().equals(c.getStatus().getPhase()));
    }

    @Test
    void anUnknownTableFailsNamingTheFieldAndTouchesNothing(TestDatabase db) {
        cluster.apply(change("missing", db, "no_such_table", "alter: \"ADD COLUMN a INT NULL\""));

        SchemaChange failed =
                awaitChange("missing", c -> Phase.Failed.name().equals(c.getStatus().getPhase()));

        assertThat(condition(failed, Conditions.FAILED).getMessage())
                .contains("spec.table", "no_such_table");
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"))
                .isZero();
        assertThat(cluster.events(NAMESPACE, "missing"))
                .anySatisfy(
                        e -> {
                            assertThat(e.getType()).isEqualTo("Warning");
                            assertThat(e.getReason()).isEqualTo("Failed");
                        });
    }
}

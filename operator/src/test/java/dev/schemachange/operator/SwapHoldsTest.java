package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Approval, window, swap-not-before, pause and rollback with the real engine and an injected clock:
 * the swap waits for each of them and happens once they allow it.
 */
@MariaDb
class SwapHoldsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private MockCluster cluster;
    private SchemaChangeOperator operator;
    private TestDatabase db;

    @BeforeEach
    void start(TestDatabase db) {
        this.db = db;
        cluster = OperatorTestSupport.cluster();
        OperatorTestSupport.secret(cluster, db);
        // waiting changes look again every 300 ms, so moving the clock takes effect without a long
        // wait
        OperatorSettings settings =
                new OperatorSettings(
                        clock,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(100),
                        Duration.ofMillis(300),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        operator = OperatorTestSupport.started(cluster, MigratorEngine.factory(clock), settings);
    }

    @AfterEach
    void stop() {
        operator.close();
        cluster.close();
    }

    private void table(String name) {
        db.exec(
                "CREATE TABLE " + name + " (id INT AUTO_INCREMENT PRIMARY KEY, total INT NOT NULL)",
                "INSERT INTO " + name + " (total) SELECT seq FROM seq_1_to_500");
    }

    private SchemaChange awaitChange(String name, Predicate<SchemaChange> until) {
        return await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> cluster.change(NAMESPACE, name).get(),
                        c -> c != null && c.getStatus() != null && until.test(c));
    }

    private static Predicate<SchemaChange> phase(Phase phase) {
        return c -> phase.name().equals(c.getStatus().getPhase());
    }

    private static Condition condition(SchemaChange c, String type) {
        return Conditions.find(c.getStatus().getConditions(), type);
    }

    private void annotate(String name, String key, String value) {
        cluster.change(NAMESPACE, name)
                .edit(
                        c -> {
                            if (value == null) {
                                c.getMetadata().getAnnotations().remove(key);
                            } else {
                                c.getMetadata().getAnnotations().put(key, value);
                            }
                            return c;
                        });
    }

    @Test
    void withApprovalRequiredTheSwapWaitsForTheAnnotation() {
        table("approve");
        cluster.apply(
                change(
                        "approve",
                        db,
                        "approve",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                swap: {approval: Required}
                """));

        SchemaChange waiting = awaitChange("approve", phase(Phase.AwaitingSwap));
        assertThat(condition(waiting, Conditions.SWAP_SCHEDULED).getReason())
                .isEqualTo(Reasons.APPROVAL_REQUIRED);
        assertThat(condition(waiting, Conditions.VERIFIED).getStatus()).isEqualTo("True");
        assertThat(db.count("SELECT COUNT(*) FROM _schemachange.approve"))
                .as("the shadow can be compared")
                .isEqualTo(500);

        String version =
                cluster.change(NAMESPACE, "approve").get().getMetadata().getResourceVersion();
        await().during(Duration.ofSeconds(2))
                .atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                cluster.change(NAMESPACE, "approve")
                                        .get()
                                        .getMetadata()
                                        .getResourceVersion(),
                        version::equals);
        // several reconciles ran meanwhile (one every 300 ms) and found nothing new to write

        annotate("approve", AnnotationControls.SWAP_APPROVED, "true");

        awaitChange("approve", phase(Phase.Swapped));
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() "
                                        + "AND TABLE_NAME = 'approve' AND COLUMN_NAME = 'note'"))
                .isEqualTo(1);
    }

    @Test
    void outsideTheWindowTheSwapWaitsAndHappensWhenItOpens() {
        table("windowed");
        cluster.apply(
                change(
                        "windowed",
                        db,
                        "windowed",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                swap: {window: {schedule: "0 2 * * 6", duration: 2h, timeZone: Europe/Berlin}}
                """));

        SchemaChange waiting = awaitChange("windowed", phase(Phase.AwaitingSwap));
        assertThat(waiting.getStatus().getSwap().nextWindowStart())
                .isEqualTo("2026-11-28T01:00:00Z");
        assertThat(condition(waiting, Conditions.SWAP_SCHEDULED).getReason())
                .isEqualTo(Reasons.WAITING_FOR_WINDOW);
        assertThat(condition(waiting, Conditions.PROGRESSING).getReason())
                .isEqualTo(Reasons.WAITING_FOR_WINDOW);

        // 30 s before the end; an attempt may take slice + lockWaitTimeout × maxAttempts = 2 s + 2
        // s × 20
        clock.set(Instant.parse("2026-11-28T02:59:30Z"));
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(
                        () -> cluster.change(NAMESPACE, "windowed").get().getStatus().getPhase(),
                        "AwaitingSwap"::equals);
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange_undo'"
                                        + " AND TABLE_NAME LIKE 'windowed%'"))
                .as("too late in the window to start")
                .isZero();

        clock.set(Instant.parse("2026-11-28T01:00:30Z"));

        SchemaChange swapped = awaitChange("windowed", phase(Phase.Swapped));
        assertThat(swapped.getStatus().getSwap().swappedAt()).isEqualTo("2026-11-28T01:00:30Z");
    }

    @Test
    void swapNotBeforeInTheFutureHoldsTheSwap() {
        table("later");
        SchemaChange manifest =
                change("later", db, "later", "alter: \"ADD COLUMN note VARCHAR(20) NULL\"");
        manifest.getMetadata()
                .setAnnotations(Map.of(AnnotationControls.SWAP_NOT_BEFORE, "2026-11-25T00:00:00Z"));
        cluster.apply(manifest);

        SchemaChange waiting = awaitChange("later", phase(Phase.AwaitingSwap));
        assertThat(condition(waiting, Conditions.SWAP_SCHEDULED).getReason())
                .isEqualTo(Reasons.NOT_BEFORE);
        assertThat(condition(waiting, Conditions.SWAP_SCHEDULED).getMessage())
                .contains("2026-11-25T00:00:00Z");

        clock.set(Instant.parse("2026-11-25T00:00:01Z"));

        awaitChange("later", phase(Phase.Swapped));
    }

    @Test
    void pausedCopiesNothingUntilTheAnnotationIsRemoved() {
        table("paused");
        SchemaChange manifest =
                change("paused", db, "paused", "alter: \"ADD COLUMN note VARCHAR(20) NULL\"");
        manifest.getMetadata().setAnnotations(Map.of(AnnotationControls.PAUSED, "true"));
        cluster.apply(manifest);

        SchemaChange paused =
                awaitChange(
                        "paused",
                        c ->
                                "True".equals(condition(c, Conditions.PAUSED).getStatus())
                                        && Phase.Backfilling.name()
                                                .equals(c.getStatus().getPhase()));
        await().during(Duration.ofSeconds(1))
                .atMost(Duration.ofSeconds(5))
                .until(
                        () ->
                                cluster.change(NAMESPACE, "paused")
                                        .get()
                                        .getStatus()
                                        .getBackfill()
                                        .rowsCopied(),
                        n -> n == 0);
        assertThat(condition(paused, Conditions.PROGRESSING).getReason()).isEqualTo(Reasons.PAUSED);

        annotate("paused", AnnotationControls.PAUSED, null);

        awaitChange("paused", phase(Phase.Swapped));
    }

    @Test
    void rollbackBeforeTheSwapRemovesEverythingAndLeavesTheTableAsItWas() {
        table("reverted");
        String before = String.join(",", db.rows("SHOW CREATE TABLE reverted"));
        cluster.apply(
                change(
                        "reverted",
                        db,
                        "reverted",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                swap: {approval: Required}
                """));
        awaitChange("reverted", phase(Phase.AwaitingSwap));

        annotate("reverted", AnnotationControls.ROLLBACK, "true");

        awaitChange("reverted", phase(Phase.RolledBack));
        assertThat(String.join(",", db.rows("SHOW CREATE TABLE reverted"))).isEqualTo(before);
        assertThat(db.count("SELECT COUNT(*) FROM reverted")).isEqualTo(500);
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = 'reverted'"))
                .isZero();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                                        + "AND TABLE_NAME = 'reverted'"))
                .isZero();
    }

    @Test
    void deletingBeforeTheSwapRemovesTriggersShadowAndState() {
        table("dropped");
        String before = String.join(",", db.rows("SHOW CREATE TABLE dropped"));
        cluster.apply(
                change(
                        "dropped",
                        db,
                        "dropped",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                swap: {approval: Required}
                """));
        awaitChange("dropped", phase(Phase.AwaitingSwap));

        cluster.change(NAMESPACE, "dropped").delete();

        await().atMost(PATIENCE).until(() -> cluster.change(NAMESPACE, "dropped").get() == null);
        assertThat(String.join(",", db.rows("SHOW CREATE TABLE dropped"))).isEqualTo(before);
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = 'dropped'"))
                .isZero();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                                        + "AND TABLE_NAME = 'dropped'"))
                .isZero();
        assertThat(cluster.events(NAMESPACE, "dropped"))
                .anySatisfy(
                        e ->
                                assertThat(e.getMessage())
                                        .contains("no triggers, shadow table or state left"));
    }

    @Test
    void deletingAfterTheSwapOnceRetentionPassedDropsTheOldTable() {
        table("retired");
        cluster.apply(
                change(
                        "retired",
                        db,
                        "retired",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                retention: {keepOldTableFor: 1h}
                """));
        SchemaChange swapped = awaitChange("retired", phase(Phase.Swapped));
        String oldTable = swapped.getStatus().getOldTable();
        String[] name = oldTable.split("\\.");
        String oldExists =
                "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '"
                        + name[0]
                        + "' AND TABLE_NAME = '"
                        + name[1]
                        + "'";
        assertThat(db.count(oldExists)).isEqualTo(1);

        clock.set(Instant.parse("2026-11-24T11:30:00Z"));
        cluster.change(NAMESPACE, "retired").delete();

        await().atMost(PATIENCE).until(() -> cluster.change(NAMESPACE, "retired").get() == null);
        assertThat(db.count(oldExists)).isZero();
        assertThat(db.count("SELECT COUNT(*) FROM retired")).isEqualTo(500);
        // either the deletion dropped it or a reconcile just before did (retention passed): gone
        // either way
        assertThat(cluster.events(NAMESPACE, "retired"))
                .anySatisfy(e -> assertThat(e.getMessage()).contains("is left alone"));
    }
}

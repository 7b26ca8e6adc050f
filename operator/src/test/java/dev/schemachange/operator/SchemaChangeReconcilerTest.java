package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.SECRET;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static dev.schemachange.operator.ScriptedEngine.progress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.ProgressBuilder;
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
 * The reconciler against a mock API server and the real throwaway MariaDB, with a scripted engine:
 * what users see in status, conditions and events, and how annotations reach the engine.
 */
@MariaDb
class SchemaChangeReconcilerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private MockCluster cluster;
    private SchemaChangeOperator operator;
    private ScriptedEngine engine;

    @BeforeEach
    void start(TestDatabase db) {
        db.exec("CREATE TABLE IF NOT EXISTS orders (id INT PRIMARY KEY, total INT)");
        cluster = OperatorTestSupport.cluster();
        engine = new ScriptedEngine(controls -> progress(Phase.Backfilling, null));
        operator =
                OperatorTestSupport.started(cluster, engine, OperatorTestSupport.settings(clock));
    }

    @AfterEach
    void stop() {
        operator.close();
        cluster.close();
    }

    private void rootLogin(TestDatabase db) {
        OperatorTestSupport.secret(cluster, db);
    }

    private SchemaChange awaitChange(String name, Predicate<SchemaChange> until) {
        return await().atMost(PATIENCE)
                .until(
                        () -> cluster.change(NAMESPACE, name).get(),
                        c -> c != null && c.getStatus() != null && until.test(c));
    }

    private static Condition condition(SchemaChange c, String type) {
        return Conditions.find(c.getStatus().getConditions(), type);
    }

    private static Predicate<SchemaChange> conditionIs(String type, String status, String reason) {
        return c -> {
            Condition cond = condition(c, type);
            return cond != null
                    && status.equals(cond.getStatus())
                    && reason.equals(cond.getReason());
        };
    }

    @Test
    void anInvalidSpecFailsNamingFieldAndFixWithoutTouchingTheDatabase(TestDatabase db) {
        rootLogin(db);
        cluster.apply(
                change(
                        "bad",
                        db,
                        "\"orders`; DROP TABLE orders; --\"",
                        """
                alter: "ADD COLUMN x INT"
                split: [{table: part, columns: [id]}]
                swap: {window: {schedule: "every saturday", duration: 2h}}
                """));

        SchemaChange failed =
                awaitChange("bad", c -> Phase.Failed.name().equals(c.getStatus().getPhase()));

        Condition validated = condition(failed, Conditions.VALIDATED);
        assertThat(validated.getStatus()).isEqualTo("False");
        assertThat(validated.getReason()).isEqualTo(Reasons.INVALID_SPEC);
        assertThat(validated.getMessage())
                .contains(
                        "spec.table: '",
                        "no quotes, dots or semicolons",
                        "both alter and split are set",
                        "set exactly one",
                        "spec.swap.window.schedule",
                        "0 2 * * 6");
        assertThat(condition(failed, Conditions.FAILED).getMessage())
                .contains("nothing was changed");
        assertThat(failed.getStatus().getObservedGeneration())
                .isEqualTo(failed.getMetadata().getGeneration());
        assertThat(engine.targets).as("the engine was never asked").isEmpty();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()"))
                .isZero();
        await().atMost(PATIENCE)
                .until(
                        () -> cluster.events(NAMESPACE, "bad"),
                        events ->
                                events.stream()
                                        .anyMatch(
                                                e ->
                                                        "Warning".equals(e.getType())
                                                                && "Failed".equals(e.getReason())));
    }

    @Test
    void aMissingSecretIsReportedAndRetriedUntilItExists(TestDatabase db) {
        cluster.apply(change("nosecret", db, "orders", "alter: \"ADD COLUMN x INT\""));

        SchemaChange waiting =
                awaitChange(
                        "nosecret",
                        conditionIs(Conditions.DEGRADED, "True", Reasons.CREDENTIALS_MISSING));
        assertThat(condition(waiting, Conditions.DEGRADED).getMessage())
                .contains(
                        "Secret shop/shop-db-osc does not exist",
                        "kubectl -n shop create secret generic");
        assertThat(condition(waiting, Conditions.VALIDATED).getStatus()).isEqualTo("True");
        assertThat(engine.targets).isEmpty();

        rootLogin(db);

        awaitChange("nosecret", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));
        assertThat(engine.targets)
                .first()
                .satisfies(t -> assertThat(t.owner()).isEqualTo("shop/nosecret"));
    }

    @Test
    void aWrongPasswordIsReportedAsSuch(TestDatabase db) {
        cluster.secret(
                NAMESPACE,
                SECRET,
                Map.of("username", db.server().user(), "password", "not-the-password"));
        cluster.apply(change("wrongpw", db, "orders", "alter: \"ADD COLUMN x INT\""));

        SchemaChange rejected =
                awaitChange(
                        "wrongpw",
                        conditionIs(Conditions.DEGRADED, "True", Reasons.CREDENTIALS_REJECTED));

        assertThat(condition(rejected, Conditions.DEGRADED).getMessage())
                .contains("access denied", "fix username/password in the Secret")
                .doesNotContain("not-the-password");
        assertThat(engine.targets).isEmpty();
    }

    @Test
    void annotationsReachTheEngineWithoutAGenerationChange(TestDatabase db) {
        rootLogin(db);
        engine.script =
                controls ->
                        progress(
                                Phase.AwaitingSwap,
                                controls.paused()
                                        ? Wait.of(Reason.PAUSED, "paused")
                                        : Wait.of(Reason.APPROVAL, "approval"));
        cluster.apply(
                change(
                        "steer",
                        db,
                        "orders",
                        """
                alter: "ADD COLUMN x INT"
                swap: {approval: Required}
                """));
        SchemaChange waiting =
                awaitChange(
                        "steer",
                        conditionIs(Conditions.SWAP_SCHEDULED, "False", Reasons.APPROVAL_REQUIRED));
        assertThat(condition(waiting, Conditions.SWAP_SCHEDULED).getMessage())
                .contains("schemachange.dev/swap-approved=true");
        long generation = waiting.getMetadata().getGeneration();

        cluster.change(NAMESPACE, "steer")
                .edit(
                        c -> {
                            c.getMetadata()
                                    .getAnnotations()
                                    .put(AnnotationControls.SWAP_APPROVED, "true");
                            c.getMetadata()
                                    .getAnnotations()
                                    .put(
                                            AnnotationControls.SWAP_NOT_BEFORE,
                                            "2026-11-28T02:00:00Z");
                            c.getMetadata().getAnnotations().put(AnnotationControls.PAUSED, "true");
                            return c;
                        });

        SchemaChange paused =
                awaitChange("steer", conditionIs(Conditions.PAUSED, "True", Reasons.PAUSED));
        assertThat(paused.getMetadata().getGeneration()).isEqualTo(generation);
        assertThat(engine.lastControls())
                .isEqualTo(new Controls(true, Instant.parse("2026-11-28T02:00:00Z"), true, false));
        assertThat(condition(paused, Conditions.SWAP_SCHEDULED).getReason())
                .isEqualTo(Reasons.NOT_BEFORE);
        assertThat(condition(paused, Conditions.PROGRESSING).getMessage())
                .contains("remove the annotation");
    }

    @Test
    void statusShowsTheNextSwapWindowByTheInjectedClock(TestDatabase db) {
        rootLogin(db);
        engine.script = controls -> progress(Phase.AwaitingSwap, Wait.of(Reason.WINDOW, "window"));
        cluster.apply(
                change(
                        "window",
                        db,
                        "orders",
                        """
                alter: "ADD COLUMN x INT"
                swap: {window: {schedule: "0 2 * * 6", duration: 2h, timeZone: Europe/Berlin}}
                """));

        SchemaChange waiting =
                awaitChange(
                        "window",
                        conditionIs(Conditions.SWAP_SCHEDULED, "True", Reasons.WAITING_FOR_WINDOW));

        assertThat(waiting.getStatus().getSwap().nextWindowStart())
                .isEqualTo("2026-11-28T01:00:00Z");
        assertThat(condition(waiting, Conditions.PROGRESSING).getReason())
                .isEqualTo(Reasons.WAITING_FOR_WINDOW);
    }

    @Test
    void everyPhaseChangeIsAnEventAndProgressIsInTheStatus(TestDatabase db) {
        rootLogin(db);
        engine.script =
                controls ->
                        ProgressBuilder.at(Phase.Backfilling)
                                .cursor("[500]")
                                .rows(500, 2000)
                                .rowsPerSecond(250.4)
                                .eta(Instant.parse("2026-11-24T10:00:06Z"))
                                .chunkRows(100)
                                .build();
        cluster.apply(change("progress", db, "orders", "alter: \"ADD COLUMN x INT\""));

        SchemaChange copying = awaitChange("progress", c -> c.getStatus().getBackfill() != null);

        assertThat(copying.getStatus().getBackfill())
                .satisfies(
                        b -> {
                            assertThat(b.cursor()).isEqualTo("[500]");
                            assertThat(b.percent()).isEqualTo(25.0);
                            assertThat(b.rowsPerSecond()).isEqualTo(250);
                            assertThat(b.eta()).isEqualTo("2026-11-24T10:00:06Z");
                        });
        assertThat(copying.getStatus().getMessage())
                .isEqualTo("copying 25.0% at 250 rows/s, ETA 2026-11-24T10:00:06Z");
        assertThat(condition(copying, Conditions.PROGRESSING).getStatus()).isEqualTo("True");

        engine.script = controls -> progress(Phase.Completed, null);

        awaitChange("progress", c -> Phase.Completed.name().equals(c.getStatus().getPhase()));
        await().atMost(PATIENCE)
                .until(
                        () ->
                                cluster.events(NAMESPACE, "progress").stream()
                                        .map(e -> e.getReason())
                                        .toList(),
                        reasons ->
                                reasons.containsAll(java.util.List.of("Backfilling", "Completed")));
    }

    @Test
    void aRowNotCarriedBackIsAConditionAndOneWarningEventAndConsentReachesTheEngine(
            TestDatabase db) {
        rootLogin(db);
        Progress.RollbackLoss loss =
                new Progress.RollbackLoss(
                        1,
                        "3000000000",
                        "id",
                        Instant.parse("2026-11-24T10:00:00Z"),
                        "1 row not carried: key 3000000000 (id, insert at 2026-11-24T10:00:00Z)");
        engine.script =
                controls ->
                        ProgressBuilder.at(Phase.Swapped)
                                .swapped(1, Instant.parse("2026-11-24T09:00:00Z"), 30)
                                .oldTable(db.name() + ".orders__osc_old")
                                .rollbackLoss(loss)
                                .build();
        cluster.apply(change("wide", db, "orders", "alter: \"MODIFY id BIGINT NOT NULL\""));

        SchemaChange lossy =
                awaitChange(
                        "wide",
                        c ->
                                Conditions.find(
                                                c.getStatus().getConditions(),
                                                Conditions.ROLLBACK_LOSSLESS)
                                        != null);
        assertThat(condition(lossy, Conditions.ROLLBACK_LOSSLESS).getStatus()).isEqualTo("False");
        assertThat(condition(lossy, Conditions.ROLLBACK_LOSSLESS).getMessage())
                .contains("first: key 3000000000, column id");
        await().atMost(PATIENCE)
                .until(
                        () ->
                                cluster.events(NAMESPACE, "wide").stream()
                                        .filter(e -> Reasons.ROWS_NOT_CARRIED.equals(e.getReason()))
                                        .toList(),
                        events ->
                                events.size() == 1
                                        && "Warning".equals(events.get(0).getType())
                                        && events.get(0).getMessage().contains("key 3000000000"));

        cluster.change(NAMESPACE, "wide")
                .edit(
                        c -> {
                            c.getMetadata()
                                    .getAnnotations()
                                    .put(AnnotationControls.ROLLBACK_ACCEPT_LOSS, "true");
                            return c;
                        });
        await().atMost(PATIENCE)
                .until(() -> engine.lastControls() != null && engine.lastControls().acceptLoss());
    }

    @Test
    void theRollbackAnnotationBeforeTheSwapRollsBack(TestDatabase db) {
        rootLogin(db);
        cluster.apply(change("undo", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("undo", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));

        cluster.change(NAMESPACE, "undo")
                .edit(
                        c -> {
                            c.getMetadata()
                                    .getAnnotations()
                                    .put(AnnotationControls.ROLLBACK, "true");
                            return c;
                        });

        SchemaChange rolledBack =
                awaitChange("undo", c -> Phase.RolledBack.name().equals(c.getStatus().getPhase()));
        assertThat(engine.rollbacks).isEqualTo(1);
        assertThat(condition(rolledBack, Conditions.PROGRESSING).getReason())
                .isEqualTo("RolledBack");
    }

    @Test
    void deletingBeforeTheSwapCleansUpThroughTheEngine(TestDatabase db) {
        rootLogin(db);
        cluster.apply(change("gone", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("gone", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));

        cluster.change(NAMESPACE, "gone").delete();

        await().atMost(PATIENCE).until(() -> cluster.change(NAMESPACE, "gone").get() == null);
        assertThat(engine.rollbacks).isEqualTo(1);
        assertThat(cluster.events(NAMESPACE, "gone"))
                .anySatisfy(
                        e -> {
                            assertThat(e.getReason()).isEqualTo(Reasons.CLEANED_UP);
                            assertThat(e.getMessage())
                                    .contains(
                                            "no triggers, shadow table or state left", "untouched");
                        });
    }

    @Test
    void deletingAStartedChangeWhoseSpecBecameInvalidKeepsTheFinalizerAndSaysWhy(TestDatabase db) {
        rootLogin(db);
        cluster.apply(change("broken", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("broken", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));
        cluster.change(NAMESPACE, "broken").edit(c -> withTable(c, "orders;"));
        awaitChange("broken", conditionIs(Conditions.DEGRADED, "True", Reasons.INVALID_SPEC));

        cluster.change(NAMESPACE, "broken").delete();

        await().atMost(PATIENCE)
                .until(
                        () -> cluster.events(NAMESPACE, "broken"),
                        events ->
                                events.stream()
                                        .anyMatch(
                                                e ->
                                                        Reasons.CLEANUP_FAILED.equals(e.getReason())
                                                                && e.getMessage()
                                                                        .contains(
                                                                                "restore the spec")));
        assertThat(cluster.change(NAMESPACE, "broken").get())
                .as("kept by the finalizer")
                .isNotNull();
        assertThat(engine.rollbacks).isZero();

        cluster.change(NAMESPACE, "broken").edit(c -> withTable(c, "orders"));

        await().atMost(PATIENCE).until(() -> cluster.change(NAMESPACE, "broken").get() == null);
        assertThat(engine.rollbacks).isEqualTo(1);
    }

    @Test
    void deletingAfterTheSwapLeavesTheLiveAndOldTablesAlone(TestDatabase db) {
        rootLogin(db);
        engine.script =
                controls ->
                        ProgressBuilder.at(Phase.Swapped)
                                .rows(9, 9)
                                .swapped(1, Instant.parse("2026-11-24T09:00:00Z"), 40)
                                .oldTable("_schemachange_undo.orders__x")
                                .build();
        cluster.apply(change("kept", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("kept", c -> Phase.Swapped.name().equals(c.getStatus().getPhase()));

        cluster.change(NAMESPACE, "kept").delete();

        await().atMost(PATIENCE).until(() -> cluster.change(NAMESPACE, "kept").get() == null);
        assertThat(engine.rollbacks).isZero();
        assertThat(cluster.events(NAMESPACE, "kept"))
                .anySatisfy(
                        e ->
                                assertThat(e.getMessage())
                                        .contains(
                                                "is left alone",
                                                "the old table _schemachange_undo.orders__x is kept until 2026-11-27T09:00:00Z"));
    }

    @Test
    void aSpecChangeAfterTheSwapIsRefused(TestDatabase db) {
        rootLogin(db);
        engine.script = controls -> progress(Phase.Swapped, null);
        cluster.apply(change("late", db, "orders", "alter: \"ADD COLUMN x INT\""));
        SchemaChange swapped =
                awaitChange("late", c -> Phase.Swapped.name().equals(c.getStatus().getPhase()));
        int slices = engine.slices.size();

        cluster.change(NAMESPACE, "late").edit(c -> withAlter(c, "ADD COLUMN y INT"));

        SchemaChange refused =
                awaitChange(
                        "late",
                        conditionIs(Conditions.DEGRADED, "True", Reasons.SPEC_CHANGE_REFUSED));
        assertThat(condition(refused, Conditions.DEGRADED).getMessage())
                .contains("new SchemaChange");
        assertThat(refused.getStatus().getObservedGeneration())
                .isEqualTo(swapped.getMetadata().getGeneration());
        assertThat(engine.slices)
                .as("the engine is not asked with the changed spec")
                .hasSize(slices);
    }

    @Test
    void anotherTableWhileTheChangeRunsIsRefused(TestDatabase db) {
        rootLogin(db);
        cluster.apply(change("moved", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("moved", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));

        cluster.change(NAMESPACE, "moved").edit(c -> withTable(c, "customers"));

        SchemaChange refused =
                awaitChange(
                        "moved", conditionIs(Conditions.DEGRADED, "True", Reasons.TARGET_CHANGED));
        assertThat(condition(refused, Conditions.DEGRADED).getMessage())
                .contains(".orders via _schemachange to ", ".customers");
        assertThat(engine.targets).extracting(t -> t.spec().table()).containsOnly("orders");
    }

    @Test
    void aSpecChangeBeforeTheSwapIsAnnouncedAndObserved(TestDatabase db) {
        rootLogin(db);
        cluster.apply(change("edited", db, "orders", "alter: \"ADD COLUMN x INT\""));
        awaitChange("edited", c -> Phase.Backfilling.name().equals(c.getStatus().getPhase()));
        engine.script =
                controls ->
                        ProgressBuilder.at(Phase.Backfilling)
                                .notes(
                                        "the spec changed: the previous shadow table was dropped and the change started over")
                                .build();

        cluster.change(NAMESPACE, "edited").edit(c -> withAlter(c, "ADD COLUMN y INT"));

        awaitChange("edited", c -> c.getStatus().getObservedGeneration() == 2L);
        await().atMost(PATIENCE)
                .until(
                        () -> cluster.events(NAMESPACE, "edited"),
                        events ->
                                events.stream()
                                        .anyMatch(
                                                e ->
                                                        Reasons.SPEC_CHANGED.equals(e.getReason())
                                                                && e.getMessage()
                                                                        .contains("started over")));
        assertThat(engine.targets)
                .extracting(t -> t.spec().alter())
                .containsExactly("ADD COLUMN x INT", "ADD COLUMN y INT");
    }

    private static SchemaChange withAlter(SchemaChange c, String alter) {
        var s = c.getSpec();
        c.setSpec(
                new dev.schemachange.api.SchemaChangeSpec(
                        s.database(),
                        s.table(),
                        alter,
                        s.split(),
                        s.dropColumns(),
                        s.compatibilityView(),
                        s.strategy(),
                        s.backfill(),
                        s.swap(),
                        s.foreignKeys(),
                        s.migrationVersion(),
                        s.retention(),
                        s.workSchema(),
                        s.undoSchema(),
                        s.nativeOptions()));
        return c;
    }

    private static SchemaChange withTable(SchemaChange c, String table) {
        var s = c.getSpec();
        c.setSpec(
                new dev.schemachange.api.SchemaChangeSpec(
                        s.database(),
                        table,
                        s.alter(),
                        s.split(),
                        s.dropColumns(),
                        s.compatibilityView(),
                        s.strategy(),
                        s.backfill(),
                        s.swap(),
                        s.foreignKeys(),
                        s.migrationVersion(),
                        s.retention(),
                        s.workSchema(),
                        s.undoSchema(),
                        s.nativeOptions()));
        return c;
    }
}

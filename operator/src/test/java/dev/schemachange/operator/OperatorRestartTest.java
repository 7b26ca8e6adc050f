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
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restarts mid-backfill: the operator process killed with SIGKILL and started again, and the
 * resource coming back without status (restored from Git into a new cluster). Both resume from the
 * state row in the database.
 */
@MariaDb
class OperatorRestartTest {
    private static final int ROWS = 60_000;
    private static final int CHUNK = 500;
    private static final String SPEC =
            """
            alter: "ADD COLUMN note VARCHAR(64) NULL"
            backfill: {chunkTime: 20ms, maxChunkRows: %d}
            retention: {keepOldTableFor: "0"}
            """
                    .formatted(CHUNK);

    private final ScheduledExecutorService watcher = Executors.newSingleThreadScheduledExecutor();
    private final List<Long> copiedSeen = new CopyOnWriteArrayList<>();
    private MockCluster cluster;

    @BeforeEach
    void cluster(TestDatabase db) {
        cluster = OperatorTestSupport.cluster();
        OperatorTestSupport.secret(cluster, db);
    }

    @AfterEach
    void stop() {
        watcher.shutdownNow();
        cluster.close();
    }

    /**
     * Records status.backfill.rowsCopied as users would see it, to check that it never goes back.
     */
    private void watch(MockCluster c, String name) {
        watcher.scheduleWithFixedDelay(
                () -> {
                    try {
                        SchemaChange sc = c.change(NAMESPACE, name).get();
                        if (sc != null
                                && sc.getStatus() != null
                                && sc.getStatus().getBackfill() != null) {
                            copiedSeen.add(sc.getStatus().getBackfill().rowsCopied());
                        }
                    } catch (RuntimeException stopped) {
                        // the cluster was replaced; the next look goes to the new one
                    }
                },
                0,
                50,
                TimeUnit.MILLISECONDS);
    }

    private SchemaChange awaitStatus(
            MockCluster c,
            String name,
            java.util.function.Predicate<SchemaChange> until,
            Duration atMost) {
        return await().atMost(atMost)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> c.change(NAMESPACE, name).get(),
                        sc -> sc != null && sc.getStatus() != null && until.test(sc));
    }

    private static long copied(SchemaChange sc) {
        return sc.getStatus().getBackfill() == null ? 0 : sc.getStatus().getBackfill().rowsCopied();
    }

    private static String state(TestDatabase db, String column, String table) {
        return db.value(
                "SELECT "
                        + column
                        + " FROM `_schemachange`.schemachange_state WHERE table_schema = '"
                        + db.name()
                        + "' AND table_name = '"
                        + table
                        + "'");
    }

    @Test
    void aKilledOperatorResumesFromTheCheckpoint(TestDatabase db, @TempDir Path dir)
            throws Exception {
        db.createWorkloadTable("ledger", ROWS);
        cluster.apply(change("ledger-note", db, "ledger", SPEC));
        watch(cluster, "ledger-note");
        try (Workload app = db.startWorkload("ledger", ROWS, 2, "")) {
            long copiedAtKill;
            try (OperatorProcess first = OperatorProcess.start(cluster, dir, "first")) {
                awaitStatus(
                        cluster, "ledger-note", sc -> copied(sc) >= 5_000, Duration.ofSeconds(90));
                first.kill();
                copiedAtKill = Long.parseLong(state(db, "rows_copied", "ledger"));
            }
            assertThat(state(db, "phase", "ledger"))
                    .as("killed mid-backfill")
                    .isEqualTo("Backfilling");

            try (OperatorProcess second = OperatorProcess.start(cluster, dir, "second")) {
                awaitStatus(
                        cluster,
                        "ledger-note",
                        sc ->
                                Phase.Completed.name().equals(sc.getStatus().getPhase())
                                        || Phase.Failed.name().equals(sc.getStatus().getPhase()),
                        Duration.ofSeconds(180));
                SchemaChange done = cluster.change(NAMESPACE, "ledger-note").get();
                assertThat(done.getStatus().getPhase()).as(second.output()).isEqualTo("Completed");
            }
            app.close();
            assertThat(app.errors()).as("application errors").isEmpty();
            assertThat(copiedAtKill).isPositive();
        }
        assertThat(Long.parseLong(state(db, "rows_copied", "ledger")))
                .as("rows copied over both processes")
                .isLessThanOrEqualTo(ROWS + CHUNK);
        assertThat(copiedSeen).as("the status continued rather than restarted").isSorted();
        assertThat(db.rows("SELECT id, k, payload FROM ledger ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM ledger_ref ORDER BY id"));
    }

    @Test
    void aResourceRestoredWithoutStatusResumesFromTheDatabase(TestDatabase db) throws Exception {
        db.createWorkloadTable("restored", ROWS);
        OperatorSettings settings =
                new OperatorSettings(
                        Clock.systemUTC(),
                        Duration.ofSeconds(1),
                        Duration.ofMillis(100),
                        Duration.ofMillis(300),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        SchemaChange manifest = change("restored-note", db, "restored", SPEC);
        long copiedBefore;
        try (SchemaChangeOperator first =
                new SchemaChangeOperator(
                        cluster.client,
                        MigratorEngine.factory(Clock.systemUTC()),
                        settings,
                        OperatorTestSupport.options())) {
            first.start();
            cluster.apply(manifest);
            awaitStatus(
                    cluster, "restored-note", sc -> copied(sc) >= 5_000, Duration.ofSeconds(90));
        }
        copiedBefore = Long.parseLong(state(db, "rows_copied", "restored"));
        cluster.close();

        // a new cluster, the same manifest from Git, no status: the state row is all that is left
        cluster = OperatorTestSupport.cluster();
        OperatorTestSupport.secret(cluster, db);
        try (SchemaChangeOperator second =
                new SchemaChangeOperator(
                        cluster.client,
                        MigratorEngine.factory(Clock.systemUTC()),
                        settings,
                        OperatorTestSupport.options())) {
            second.start();
            cluster.apply(change("restored-note", db, "restored", SPEC));

            SchemaChange resumed =
                    awaitStatus(
                            cluster,
                            "restored-note",
                            sc ->
                                    sc.getStatus().getPhase() != null
                                            && !"Pending".equals(sc.getStatus().getPhase()),
                            Duration.ofSeconds(30));
            if (Phase.Backfilling.name().equals(resumed.getStatus().getPhase())) {
                assertThat(copied(resumed))
                        .as("resumed, not restarted")
                        .isGreaterThanOrEqualTo(copiedBefore);
            }
            awaitStatus(
                    cluster,
                    "restored-note",
                    sc -> Phase.Completed.name().equals(sc.getStatus().getPhase()),
                    Duration.ofSeconds(180));
        }
        assertThat(Long.parseLong(state(db, "rows_copied", "restored")))
                .isLessThanOrEqualTo(ROWS + CHUNK);
        assertThat(db.rows("SELECT id, k, payload FROM restored ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM restored_ref ORDER BY id"));
    }
}

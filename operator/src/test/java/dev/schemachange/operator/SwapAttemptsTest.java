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
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A swap held off by a long transaction: every failed attempt is counted in the state row, in
 * status.swap.attempts and in {@code osc_change_swap_attempts}, so the attempts-exhausted alert
 * ({@code osc_change_swap_attempts >= osc_change_swap_max_attempts} while the swap is due) holds
 * exactly once a swap ran out of its attempts; and the swap lands once the transaction ends.
 */
@MariaDb
class SwapAttemptsTest {
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final int MAX_ATTEMPTS = 2;
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private MockCluster cluster;
    private OperatorMetrics metrics;
    private SchemaChangeOperator operator;
    private TestDatabase db;

    @BeforeEach
    void start(TestDatabase db) {
        this.db = db;
        cluster = OperatorTestSupport.cluster();
        OperatorTestSupport.secret(cluster, db);
        metrics = new OperatorMetrics(clock);
        OperatorSettings settings =
                new OperatorSettings(
                        clock,
                        Duration.ofSeconds(2),
                        Duration.ofMillis(100),
                        Duration.ofMillis(300),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        operator =
                new SchemaChangeOperator(
                        cluster.client,
                        MigratorEngine.factory(clock),
                        settings,
                        OperatorTestSupport.options(),
                        metrics);
        operator.start();
    }

    @AfterEach
    void stop() {
        operator.close();
        metrics.close();
        cluster.close();
    }

    @Test
    void aSwapHeldOffByALongTransactionCountsEveryFailedAttempt() throws Exception {
        db.exec(
                "CREATE TABLE held (id INT AUTO_INCREMENT PRIMARY KEY, total INT NOT NULL)",
                "INSERT INTO held (total) SELECT seq FROM seq_1_to_500");
        List<String> rows = db.rows("SELECT CONCAT(id, ':', total) FROM held ORDER BY id");
        cluster.apply(
                change(
                        "held",
                        db,
                        "held",
                        """
                alter: "ADD COLUMN note VARCHAR(20) NULL"
                swap: {approval: Required, lockWaitTimeout: 1s, maxAttempts: %d}
                """
                                .formatted(MAX_ATTEMPTS)));
        awaitChange(c -> Phase.AwaitingSwap.name().equals(c.getStatus().getPhase()));
        assertThat(served("osc_change_swap_attempts")).isZero();
        assertThat(served("osc_change_swap_max_attempts")).isEqualTo(MAX_ATTEMPTS);
        // the slice that reached AwaitingSwap may have ended before it saw the approval missing
        await().atMost(Duration.ofSeconds(10))
                .until(() -> served("osc_change_waiting_for", ",reason=\"approval\"") == 1);

        int failed;
        try (Connection application = db.connect()) {
            // an open transaction that read the table holds its metadata lock: every RENAME waits
            application.setAutoCommit(false);
            try (Statement s = application.createStatement();
                    ResultSet r = s.executeQuery("SELECT COUNT(*) FROM held")) {
                assertThat(r.next()).isTrue();
            }
            // a merge patch without resourceVersion, as kubectl annotate: the operator writes
            // status
            cluster.change(NAMESPACE, "held")
                    .patch(
                            PatchContext.of(PatchType.JSON_MERGE),
                            "{\"metadata\":{\"annotations\":{\""
                                    + AnnotationControls.SWAP_APPROVED
                                    + "\":\"true\"}}}");

            SchemaChange exhausted = awaitChange(c -> attempts(c) >= MAX_ATTEMPTS);
            failed = attempts(exhausted);
            assertThat(failed % MAX_ATTEMPTS)
                    .as("each try of the operator makes maxAttempts attempts, all failed")
                    .isZero();
            assertThat(exhausted.getStatus().getPhase()).isIn("AwaitingSwap", "Swapping");
            assertThat(
                            Conditions.find(
                                            exhausted.getStatus().getConditions(),
                                            Conditions.DEGRADED)
                                    .getStatus())
                    .isEqualTo("True");
            assertThat(
                            db.count(
                                    "SELECT swap_attempts FROM _schemachange.schemachange_state"
                                            + " WHERE table_schema = DATABASE() AND table_name ="
                                            + " 'held'"))
                    .as("the state row counts them durably")
                    .isGreaterThanOrEqualTo(failed);
            // what the alert compares: the series as served
            double servedAttempts = served("osc_change_swap_attempts");
            assertThat(servedAttempts).isGreaterThanOrEqualTo(failed);
            assertThat(servedAttempts % MAX_ATTEMPTS).isZero();
            assertThat(servedAttempts)
                    .isGreaterThanOrEqualTo(served("osc_change_swap_max_attempts"));
            assertThat(served("osc_change_waiting_for", ",reason=\"approval\""))
                    .as("approved and tried: no longer waiting for approval")
                    .isZero();
            assertThat(db.count("SELECT COUNT(*) FROM held")).isEqualTo(500);
            application.rollback();
        }

        SchemaChange swapped =
                awaitChange(c -> Phase.Swapped.name().equals(c.getStatus().getPhase()));
        assertThat(attempts(swapped))
                .as("the failed ones and the one that landed")
                .isGreaterThan(failed);
        assertThat(served("osc_change_swap_attempts")).isEqualTo(attempts(swapped));
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA ="
                                        + " DATABASE() AND TABLE_NAME = 'held' AND COLUMN_NAME = 'note'"))
                .isEqualTo(1);
        assertThat(db.rows("SELECT CONCAT(id, ':', total) FROM held ORDER BY id")).isEqualTo(rows);
    }

    private static int attempts(SchemaChange c) {
        return c.getStatus().getSwap() == null || c.getStatus().getSwap().attempts() == null
                ? 0
                : c.getStatus().getSwap().attempts();
    }

    private SchemaChange awaitChange(Predicate<SchemaChange> until) {
        return await().atMost(PATIENCE)
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> cluster.change(NAMESPACE, "held").get(),
                        c -> c != null && c.getStatus() != null && until.test(c));
    }

    /** The value of one of the change's series in a scrape of the operator's registry. */
    private double served(String metric) {
        return served(metric, "");
    }

    /** As {@link #served(String)}, for the series with more labels (sorted by name, as served). */
    private double served(String metric, String labels) {
        Matcher m =
                Pattern.compile(
                                "(?m)^"
                                        + metric
                                        + "\\{name=\"held\",namespace=\""
                                        + NAMESPACE
                                        + "\""
                                        + Pattern.quote(labels)
                                        + ",?} (\\S+)$")
                        .matcher(metrics.scrape());
        assertThat(m.find()).as(metric + " is served").isTrue();
        return Double.parseDouble(m.group(1));
    }
}

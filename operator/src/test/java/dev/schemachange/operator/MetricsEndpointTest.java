package dev.schemachange.operator;

import static dev.schemachange.operator.OperatorTestSupport.NAMESPACE;
import static dev.schemachange.operator.OperatorTestSupport.change;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.ProgressBuilder;
import dev.schemachange.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator's HTTP port as Prometheus and the kubelet use it: a real change runs through the
 * real engine against a throwaway MariaDB, then {@code /metrics} holds its series under its
 * namespace and name (and loses them when it is deleted), JOSDK's reconcile metrics and the JVM's;
 * {@code /healthz} and {@code /readyz} answer 200 while the operator runs and 503 once it stopped.
 */
@MariaDb
class MetricsEndpointTest {
    private static final String NAME = "orders-note";

    private final HttpClient http = HttpClient.newHttpClient();
    private MockCluster cluster;
    private OperatorMetrics metrics;
    private SchemaChangeOperator operator;
    private OperatorHttpServer server;

    @BeforeEach
    void start() throws Exception {
        cluster = OperatorTestSupport.cluster();
        Clock clock = Clock.systemUTC();
        OperatorSettings settings =
                new OperatorSettings(
                        clock,
                        Duration.ofMillis(200),
                        Duration.ofMillis(100),
                        Duration.ofHours(1),
                        Duration.ofMillis(200),
                        Duration.ofSeconds(1));
        metrics = new OperatorMetrics(clock);
        operator =
                new SchemaChangeOperator(
                        cluster.client,
                        MigratorEngine.factory(clock),
                        settings,
                        OperatorTestSupport.options(),
                        metrics);
        server = OperatorHttpServer.serve(0, operator);
    }

    @AfterEach
    void stop() {
        operator.close();
        server.close();
        metrics.close();
        cluster.close();
    }

    @Test
    void metricsHoldTheChangesSeriesAndHealthFollowsTheOperator(TestDatabase db) throws Exception {
        assertThat(get("/healthz").statusCode()).as("alive while informers sync").isEqualTo(200);
        assertThat(get("/readyz").statusCode())
                .as("not ready before the operator started")
                .isEqualTo(503);
        operator.start();
        assertThat(get("/readyz").statusCode()).isEqualTo(200);
        assertThat(get("/healthz").statusCode()).isEqualTo(200);

        db.createWorkloadTable("orders", 3_000);
        OperatorTestSupport.secret(cluster, db);
        cluster.apply(
                change(
                        NAME,
                        db,
                        "orders",
                        """
                alter: "ADD COLUMN note VARCHAR(64) NULL"
                backfill: {chunkTime: 20ms, maxChunkRows: 500}
                """));
        SchemaChange swapped =
                await().atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(100))
                        .until(
                                () -> cluster.change(NAMESPACE, NAME).get(),
                                c ->
                                        c.getStatus() != null
                                                && (Phase.Swapped.name()
                                                                .equals(c.getStatus().getPhase())
                                                        || Phase.Failed.name()
                                                                .equals(c.getStatus().getPhase())));
        assertThat(swapped.getStatus().getPhase())
                .as(swapped.getStatus().getMessage())
                .isEqualTo("Swapped");

        HttpResponse<String> scrape = get("/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type"))
                .hasValueSatisfying(t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
        String text = scrape.body();
        String labels = "name=\"" + NAME + "\",namespace=\"" + NAMESPACE + "\"";
        assertThat(value(text, "osc_change_rows_copied", labels))
                .hasValueSatisfying(
                        v ->
                                assertThat(v)
                                        .isEqualTo(
                                                (double)
                                                        swapped.getStatus()
                                                                .getBackfill()
                                                                .rowsCopied())
                                        .isPositive());
        assertThat(value(text, "osc_change_rows_estimated", labels)).isPresent();
        assertThat(value(text, "osc_change_rows_per_second", labels)).isPresent();
        assertThat(value(text, "osc_change_chunk_rows", labels))
                .hasValueSatisfying(v -> assertThat(v).isBetween(1.0, 500.0));
        assertThat(value(text, "osc_change_chunks_repaired", labels)).hasValue(0.0);
        assertThat(value(text, "osc_change_swap_attempts", labels))
                .hasValueSatisfying(
                        v ->
                                assertThat(v)
                                        .isEqualTo(
                                                (double) swapped.getStatus().getSwap().attempts())
                                        .isGreaterThanOrEqualTo(1.0));
        assertThat(value(text, "osc_change_swap_stall_seconds", labels))
                .hasValueSatisfying(
                        v ->
                                assertThat(v)
                                        .isEqualTo(
                                                swapped.getStatus().getSwap().lockMillis()
                                                        / 1000.0));
        assertThat(value(text, "osc_change_phase", labels + ",phase=\"Swapped\"")).hasValue(1.0);
        assertThat(value(text, "osc_change_phase", labels + ",phase=\"Backfilling\""))
                .hasValue(0.0);
        assertThat(
                        value(
                                text,
                                "osc_change_waiting_seconds_total",
                                labels + ",reason=\"throttled\""))
                .isPresent();
        assertThat(value(text, "osc_change_waiting_seconds_total", labels + ",reason=\"paused\""))
                .isPresent();
        assertThat(text)
                .as("JOSDK's reconcile metrics")
                .containsPattern("(?m)^operator_sdk_reconciliations_\\w+");
        assertThat(text).as("the JVM's").contains("jvm_memory_used_bytes");

        cluster.change(NAMESPACE, NAME).delete();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () ->
                                assertThat(get("/metrics").body())
                                        .as("the deleted change's series are gone")
                                        .doesNotContain("name=\"" + NAME + "\""));

        assertThat(get("/nothing").statusCode()).isEqualTo(404);
        assertThat(
                        http.send(
                                        HttpRequest.newBuilder(uri("/metrics"))
                                                .POST(HttpRequest.BodyPublishers.noBody())
                                                .build(),
                                        HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                .isEqualTo(405);
        operator.close();
        assertThat(get("/healthz").statusCode()).as("stopped").isEqualTo(503);
        assertThat(get("/readyz").statusCode()).isEqualTo(503);
    }

    @Test
    void waitingTimeIsCountedByWhatTheEngineWaitsFor() {
        MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));
        try (OperatorMetrics m = new OperatorMetrics(clock)) {
            m.record(
                    "ns",
                    "c",
                    progress(
                            Phase.Backfilling,
                            Wait.of(Reason.THROTTLED, "throttled: replica lag 12s > 5s")));
            clock.advance(Duration.ofSeconds(30));
            m.record(
                    "ns",
                    "c",
                    progress(Phase.Backfilling, Wait.of(Reason.PAUSED, "paused (annotation)")));
            clock.advance(Duration.ofSeconds(20));
            m.record("ns", "c", progress(Phase.Backfilling, null));
            clock.advance(Duration.ofSeconds(50));
            m.record(
                    "ns",
                    "c",
                    progress(
                            Phase.AwaitingSwap,
                            Wait.of(Reason.APPROVAL, "approval (swap.approval: Required)")));
            String text = m.scrape();
            String labels = "name=\"c\",namespace=\"ns\"";
            assertThat(
                            value(
                                    text,
                                    "osc_change_waiting_seconds_total",
                                    labels + ",reason=\"throttled\""))
                    .hasValue(30.0);
            assertThat(
                            value(
                                    text,
                                    "osc_change_waiting_seconds_total",
                                    labels + ",reason=\"paused\""))
                    .hasValue(20.0);
            assertThat(
                            value(
                                    text,
                                    "osc_change_waiting_seconds_total",
                                    labels + ",reason=\"approval\""))
                    .as("counted from the next observation on")
                    .hasValue(0.0);
            assertThat(value(text, "osc_change_phase", labels + ",phase=\"AwaitingSwap\""))
                    .hasValue(1.0);
            assertThat(value(text, "osc_change_rows_copied", labels)).hasValue(10.0);

            m.remove("ns", "c");
            assertThat(m.scrape()).doesNotContain("namespace=\"ns\"");
        }
    }

    @Test
    void rowsARollbackWouldLoseAreAGaugeThatIsZeroWhileItIsLossless() {
        try (OperatorMetrics m = new OperatorMetrics(Clock.systemUTC())) {
            String labels = "name=\"w\",namespace=\"ns\"";
            m.record("ns", "w", ProgressBuilder.at(Phase.Swapped).build());
            assertThat(value(m.scrape(), "osc_change_rollback_rows_not_carried", labels))
                    .hasValue(0.0);
            m.record(
                    "ns",
                    "w",
                    ProgressBuilder.at(Phase.Swapped)
                            .rollbackLoss(
                                    new Progress.RollbackLoss(
                                            3, "3000000000", "id", Instant.EPOCH, "3 rows"))
                            .build());
            assertThat(value(m.scrape(), "osc_change_rollback_rows_not_carried", labels))
                    .hasValue(3.0);
        }
    }

    @Test
    void aFinishedChangeSeenFirstThroughItsStatusKeepsItsNumbers() {
        try (OperatorMetrics m = new OperatorMetrics(Clock.systemUTC())) {
            dev.schemachange.api.SchemaChangeStatus status =
                    new dev.schemachange.api.SchemaChangeStatus();
            status.setPhase(Phase.Completed.name());
            status.setBackfill(
                    new dev.schemachange.api.SchemaChangeStatus.BackfillStatus(
                            null, 500L, 480L, 100.0, 0L, null, 200, 1));
            status.setSwap(
                    new dev.schemachange.api.SchemaChangeStatus.SwapStatus(null, 2, null, 35L));
            m.status("ns", "done", status);
            String text = m.scrape();
            String labels = "name=\"done\",namespace=\"ns\"";
            assertThat(value(text, "osc_change_phase", labels + ",phase=\"Completed\""))
                    .hasValue(1.0);
            assertThat(value(text, "osc_change_rows_copied", labels)).hasValue(500.0);
            assertThat(value(text, "osc_change_chunks_repaired", labels)).hasValue(1.0);
            assertThat(value(text, "osc_change_swap_attempts", labels)).hasValue(2.0);
            assertThat(value(text, "osc_change_swap_stall_seconds", labels)).hasValue(0.035);
        }
    }

    @Test
    void thePortComesFromTheEnvironment() {
        assertThat(OperatorHttpServer.port(Map.of())).isEqualTo(8080);
        assertThat(OperatorHttpServer.port(Map.of(OperatorHttpServer.PORT_ENV, " 9090 ")))
                .isEqualTo(9090);
        assertThatThrownBy(
                        () -> OperatorHttpServer.port(Map.of(OperatorHttpServer.PORT_ENV, "http")))
                .hasMessageContaining(OperatorHttpServer.PORT_ENV);
    }

    private static Progress progress(Phase phase, Wait waitingFor) {
        return ProgressBuilder.at(phase)
                .waiting(waitingFor)
                .rows(10, 100)
                .rowsPerSecond(5.0)
                .chunkRows(50)
                .build();
    }

    /**
     * The sample's value of {@code name{labels}} in a Prometheus text exposition, labels as
     * Micrometer sorts them.
     */
    static Optional<Double> value(String text, String name, String labels) {
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$")
                        .matcher(text);
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }
}

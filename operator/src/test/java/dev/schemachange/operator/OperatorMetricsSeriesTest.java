package dev.schemachange.operator;

import static dev.schemachange.operator.MetricsEndpointTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.ProgressBuilder;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The series the dashboard and alerts of deploy/monitoring read besides the original ones: what the
 * change waits for now, its conditions, progress and ETA, and when it last moved.
 */
class OperatorMetricsSeriesTest {
    private static final String LABELS = "name=\"c\",namespace=\"ns\"";
    private final MovableClock clock = new MovableClock(Instant.parse("2026-01-01T00:00:00Z"));

    @Test
    void waitingForProgressEtaAndLastProgressFollowTheEngine() {
        try (OperatorMetrics m = new OperatorMetrics(clock)) {
            m.record(
                    "ns",
                    "c",
                    ProgressBuilder.at(Phase.Backfilling)
                            .rows(250, 1000)
                            .eta(Instant.parse("2026-01-01T01:00:00Z"))
                            .build());
            clock.advance(Duration.ofMinutes(10));
            m.record(
                    "ns",
                    "c",
                    ProgressBuilder.at(Phase.Backfilling)
                            .rows(250, 1000)
                            .waiting(Reason.THROTTLED, "replica lag")
                            .build());
            String text = m.scrape();
            assertThat(value(text, "osc_change_waiting_for", LABELS + ",reason=\"throttled\""))
                    .hasValue(1.0);
            assertThat(value(text, "osc_change_waiting_for", LABELS + ",reason=\"paused\""))
                    .hasValue(0.0);
            assertThat(value(text, "osc_change_progress_ratio", LABELS)).hasValue(0.25);
            assertThat(value(text, "osc_change_eta_timestamp_seconds", LABELS))
                    .hasValueSatisfying(v -> assertThat(v).isNaN());
            assertThat(value(text, "osc_change_last_progress_timestamp_seconds", LABELS))
                    .as("no row copied in the last ten minutes")
                    .hasValue((double) Instant.parse("2026-01-01T00:00:00Z").getEpochSecond());

            m.record(
                    "ns",
                    "c",
                    ProgressBuilder.at(Phase.Backfilling)
                            .rows(300, 1000)
                            .eta(Instant.parse("2026-01-01T01:00:00Z"))
                            .build());
            text = m.scrape();
            assertThat(value(text, "osc_change_last_progress_timestamp_seconds", LABELS))
                    .hasValue((double) Instant.parse("2026-01-01T00:10:00Z").getEpochSecond());
            assertThat(value(text, "osc_change_eta_timestamp_seconds", LABELS))
                    .hasValue((double) Instant.parse("2026-01-01T01:00:00Z").getEpochSecond());
            assertThat(value(text, "osc_change_waiting_for", LABELS + ",reason=\"throttled\""))
                    .hasValue(0.0);
        }
    }

    @Test
    void conditionsAreOneWhileTrue() {
        try (OperatorMetrics m = new OperatorMetrics(clock)) {
            SchemaChangeStatus s = new SchemaChangeStatus();
            s.setPhase(Phase.Backfilling.name());
            s.setConditions(
                    List.of(
                            new ConditionBuilder()
                                    .withType(Conditions.DEGRADED)
                                    .withStatus("True")
                                    .withReason(Reasons.CREDENTIALS_MISSING)
                                    .build(),
                            new ConditionBuilder()
                                    .withType(Conditions.PAUSED)
                                    .withStatus("False")
                                    .withReason(Reasons.NOT_PAUSED)
                                    .build()));
            m.status("ns", "c", s);
            String text = m.scrape();
            assertThat(value(text, "osc_change_condition", "condition=\"Degraded\"," + LABELS))
                    .hasValue(1.0);
            assertThat(value(text, "osc_change_condition", "condition=\"Paused\"," + LABELS))
                    .hasValue(0.0);
            assertThat(value(text, "osc_change_phase", LABELS + ",phase=\"Backfilling\""))
                    .hasValue(1.0);
        }
    }
}

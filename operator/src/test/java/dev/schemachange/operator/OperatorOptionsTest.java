package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorOptionsTest {

    @Test
    void byDefaultWatchesAllNamespacesWithLeaderElectionAndServerSideApply() {
        OperatorOptions options = OperatorOptions.fromEnvironment(Map.of());

        assertThat(options.namespaces()).isEmpty();
        assertThat(options.leaderElection()).isNotNull();
        assertThat(options.leaderElection().getLeaseName()).isEqualTo("schemachange-operator");
        assertThat(options.leaderElection().isExitOnStopLeading()).isTrue();
        assertThat(options.serverSideApply()).isTrue();
    }

    @Test
    void readsNamespacesAndSwitchesFromTheEnvironment() {
        OperatorOptions options =
                OperatorOptions.fromEnvironment(
                        Map.of(
                                "OSC_WATCH_NAMESPACES", " shop, billing ,,",
                                "OSC_LEADER_ELECTION", "false",
                                "OSC_SERVER_SIDE_APPLY", "false"));

        assertThat(options.namespaces()).containsExactlyInAnyOrder("shop", "billing");
        assertThat(options.leaderElection()).isNull();
        assertThat(options.serverSideApply()).isFalse();
    }

    @Test
    void theSliceComesFromTheEnvironment() {
        assertThat(OperatorSettings.fromEnvironment(Map.of("OSC_SLICE", "3s")).slice())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(OperatorSettings.fromEnvironment(Map.of()).slice())
                .isEqualTo(Duration.ofSeconds(10));
    }
}

package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.Controls;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AnnotationControlsTest {

    @Test
    void noAnnotationsMeanNoControls() {
        assertThat(AnnotationControls.read(null).controls()).isEqualTo(Controls.NONE);
        assertThat(AnnotationControls.read(Map.of("other/thing", "true")).controls())
                .isEqualTo(Controls.NONE);
    }

    @Test
    void readsEveryAnnotationOfTheContract() {
        AnnotationControls.Parsed parsed =
                AnnotationControls.read(
                        Map.of(
                                "schemachange.dev/swap-approved", "true",
                                "schemachange.dev/swap-not-before", "2026-11-28T03:00:00+01:00",
                                "schemachange.dev/paused", "True",
                                "schemachange.dev/rollback", "false"));

        assertThat(parsed.controls())
                .isEqualTo(new Controls(true, Instant.parse("2026-11-28T02:00:00Z"), true, false));
        assertThat(parsed.problems()).isEmpty();
    }

    @Test
    void consentToALossyRollbackIsItsOwnAnnotation() {
        AnnotationControls.Parsed parsed =
                AnnotationControls.read(
                        Map.of(
                                "schemachange.dev/rollback", "true",
                                "schemachange.dev/rollback-accept-loss", "true"));

        assertThat(parsed.controls()).isEqualTo(new Controls(false, null, false, true, true));
        assertThat(AnnotationControls.read(Map.of("schemachange.dev/rollback", "true")).controls())
                .as("without it, no consent")
                .isEqualTo(new Controls(false, null, false, true, false));
        assertThat(
                        AnnotationControls.read(
                                        Map.of("schemachange.dev/rollback-accept-loss", "maybe"))
                                .problems())
                .singleElement()
                .satisfies(
                        p ->
                                assertThat(p.field())
                                        .isEqualTo(
                                                "metadata.annotations[schemachange.dev/rollback-accept-loss]"));
    }

    @Test
    void anUnreadableValueHoldsOnTheSafeSideAndSaysSo() {
        AnnotationControls.Parsed parsed =
                AnnotationControls.read(
                        Map.of(
                                "schemachange.dev/swap-approved", "yes please",
                                "schemachange.dev/swap-not-before", "next saturday"));

        assertThat(parsed.controls().swapApproved()).isFalse();
        assertThat(parsed.controls().swapNotBefore())
                .isAfter(Instant.parse("9000-01-01T00:00:00Z"));
        assertThat(parsed.problems())
                .extracting(Problem::field)
                .containsExactlyInAnyOrder(
                        "metadata.annotations[schemachange.dev/swap-approved]",
                        "metadata.annotations[schemachange.dev/swap-not-before]");
        assertThat(parsed.problems()).allSatisfy(p -> assertThat(p.fix()).contains("remove it"));
    }
}

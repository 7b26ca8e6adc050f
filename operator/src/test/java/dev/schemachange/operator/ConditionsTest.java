package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
    private static final Instant T1 = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant T2 = Instant.parse("2026-11-24T11:00:00Z");

    @Test
    void keepsTheTransitionTimeWhileTheStatusStaysAndMovesItWhenItChanges() {
        List<Condition> first =
                new Conditions(null, 1L, T1)
                        .set(Conditions.PAUSED, true, "PausedByAnnotation", "paused")
                        .set(Conditions.READY, false, "Backfilling", "not yet")
                        .toList();

        List<Condition> second =
                new Conditions(first, 2L, T2)
                        .set(Conditions.PAUSED, true, "PausedByAnnotation", "still paused")
                        .set(Conditions.READY, true, "Swapped", "live")
                        .toList();

        assertThat(Conditions.find(second, Conditions.PAUSED).getLastTransitionTime())
                .isEqualTo("2026-11-24T10:00:00Z");
        assertThat(Conditions.find(second, Conditions.PAUSED).getObservedGeneration())
                .isEqualTo(2L);
        assertThat(Conditions.find(second, Conditions.READY).getLastTransitionTime())
                .isEqualTo("2026-11-24T11:00:00Z");
    }

    @Test
    void keepsConditionsThatAreNotSetAgain() {
        List<Condition> first =
                new Conditions(null, 1L, T1).set(Conditions.SWAPPED, true, "Swapped", "").toList();

        List<Condition> second =
                new Conditions(first, 1L, T2)
                        .set(Conditions.DEGRADED, true, "Blocked", "")
                        .toList();

        assertThat(second).extracting(Condition::getType).containsExactly("Swapped", "Degraded");
    }

    @Test
    void listsConditionsInTheContractsOrder() {
        List<Condition> list =
                new Conditions(null, 1L, T1)
                        .set(Conditions.FAILED, false, "AsExpected", "")
                        .set(Conditions.VALIDATED, true, "SpecValid", "")
                        .set(Conditions.READY, false, "Pending", "")
                        .toList();

        assertThat(list)
                .extracting(Condition::getType)
                .containsExactly("Validated", "Ready", "Failed");
    }
}

package dev.schemachange.engine.throttle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.SchemaChangeSpec;
import org.junit.jupiter.api.Test;

/** When Threads_running holds the copy back: a fixed ceiling, and a rise over the baseline. */
class ThrottleDecisionTest {
    private static final SchemaChangeSpec.Throttle DEFAULTS =
            new SchemaChangeSpec.Throttle(null, null, null, null);

    @Test
    void aFewThreadsAboveTheBaselineAreNoReasonToWait() {
        assertThat(Throttler.threadsReason(10, 0, 2, DEFAULTS)).isNull();
    }

    @Test
    void applicationThreadsRisingMoreThanTheAllowedRiseAboveTheBaselineHoldTheCopy() {
        assertThat(Throttler.threadsReason(11, 0, 2, DEFAULTS))
                .isEqualTo(
                        "throttled: Threads_running 11 rose more than 8 above the 2 measured before"
                                + " copying");
    }

    @Test
    void ourOwnCopiersDoNotCountAsTheApplicationsRise() {
        assertThat(Throttler.threadsReason(14, 4, 2, DEFAULTS)).isNull();
        assertThat(Throttler.threadsReason(15, 4, 2, DEFAULTS))
                .isEqualTo(
                        "throttled: Threads_running 11 (not counting our 4 copiers) rose more than"
                                + " 8 above the 2 measured before copying");
    }

    @Test
    void theFixedCeilingCountsEveryThreadAndComesFirst() {
        assertThat(Throttler.threadsReason(26, 4, 20, DEFAULTS))
                .isEqualTo("throttled: Threads_running 26 > 25");
    }

    @Test
    void withoutABaselineOrWithTheRiseTurnedOffOnlyTheCeilingApplies() {
        assertThat(Throttler.threadsReason(20, 0, -1, DEFAULTS)).isNull();
        assertThat(
                        Throttler.threadsReason(
                                20, 0, 1, new SchemaChangeSpec.Throttle(null, null, null, 0)))
                .isNull();
    }
}

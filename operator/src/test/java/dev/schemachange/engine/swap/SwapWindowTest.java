package dev.schemachange.engine.swap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.SchemaChangeSpec.Window;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class SwapWindowTest {
    private static final Duration ONE_MINUTE = Duration.ofMinutes(1);

    private static Instant at(String instant) {
        return Instant.parse(instant);
    }

    @Test
    void noWindowMeansAnyTime() {
        SwapWindow any = SwapWindow.of(null);

        assertThat(any.allows(at("2026-11-24T13:37:00Z"), Duration.ofDays(3))).isTrue();
        assertThat(any.nextStart(at("2026-11-24T13:37:00Z"))).isEmpty();
    }

    @Nested
    class SaturdayNightsInBerlin {
        // Saturdays 02:00–04:00 Berlin time; in November Berlin is UTC+1, so 01:00Z–03:00Z
        private final SwapWindow window =
                SwapWindow.of(new Window("0 2 * * 6", "2h", "Europe/Berlin"));

        @Test
        void isClosedBeforeTheStartAndNamesTheNextStart() {
            Instant tuesday = at("2026-11-24T10:00:00Z");

            assertThat(window.allows(tuesday, ONE_MINUTE)).isFalse();
            assertThat(window.nextStart(tuesday)).contains(at("2026-11-28T01:00:00Z"));
        }

        @Test
        void opensExactlyAtTheStart() {
            assertThat(window.allows(at("2026-11-28T00:59:59Z"), ONE_MINUTE)).isFalse();
            assertThat(window.allows(at("2026-11-28T01:00:00Z"), ONE_MINUTE)).isTrue();
            assertThat(window.nextStart(at("2026-11-28T01:00:00Z")))
                    .contains(at("2026-11-28T01:00:00Z"));
        }

        @Test
        void reportsTheCurrentWindowsStartWhileOpen() {
            assertThat(window.nextStart(at("2026-11-28T02:30:00Z")))
                    .contains(at("2026-11-28T01:00:00Z"));
            assertThat(window.currentEnd(at("2026-11-28T02:30:00Z")))
                    .contains(at("2026-11-28T03:00:00Z"));
        }

        @Test
        void refusesAnAttemptThatWouldOverrunTheEnd() {
            Instant tenToThree = at("2026-11-28T02:50:00Z");

            assertThat(window.allows(tenToThree, Duration.ofMinutes(10))).isTrue();
            assertThat(window.allows(tenToThree, Duration.ofMinutes(11))).isFalse();
        }

        @Test
        void isClosedFromTheEndOnAndPointsToNextWeek() {
            Instant end = at("2026-11-28T03:00:00Z");

            assertThat(window.allows(end, Duration.ZERO)).isFalse();
            assertThat(window.nextStart(end)).contains(at("2026-12-05T01:00:00Z"));
        }
    }

    @Test
    void overlappingWindowsUseTheOneThatStaysOpenLongest() {
        // every 15 minutes for an hour: always open, and an attempt may take up to an hour from the
        // latest start
        SwapWindow window = SwapWindow.of(new Window("*/15 * * * *", "1h", "UTC"));
        Instant now = at("2026-11-24T10:20:00Z");

        assertThat(window.nextStart(now)).contains(at("2026-11-24T10:15:00Z"));
        assertThat(window.allows(now, Duration.ofMinutes(55))).isTrue();
        assertThat(window.allows(now, Duration.ofMinutes(56))).isFalse();
    }

    @Nested
    class DaylightSavingTimeInBerlin {
        // 2026-03-29: 02:00 CET → 03:00 CEST; 2026-10-25: 03:00 CEST → 02:00 CET

        @Test
        void aWindowLastsItsDurationInElapsedTimeAcrossTheSpringChange() {
            // Sunday 01:00 CET = 00:00Z; three hours later it is 03:00Z = 05:00 CEST
            SwapWindow window = SwapWindow.of(new Window("0 1 * * 0", "3h", "Europe/Berlin"));

            assertThat(window.nextStart(at("2026-03-28T12:00:00Z")))
                    .contains(at("2026-03-29T00:00:00Z"));
            assertThat(window.allows(at("2026-03-29T02:40:00Z"), Duration.ofMinutes(20))).isTrue();
            assertThat(window.allows(at("2026-03-29T03:00:00Z"), Duration.ZERO)).isFalse();
        }

        @Test
        void followsLocalTimeAfterTheChange() {
            SwapWindow window = SwapWindow.of(new Window("0 1 * * 0", "3h", "Europe/Berlin"));

            // the next Sunday 01:00 is CEST, i.e. 23:00Z on Saturday
            assertThat(window.nextStart(at("2026-03-29T03:00:00Z")))
                    .contains(at("2026-04-04T23:00:00Z"));
        }

        @Test
        void aStartInTheSkippedSpringHourDoesNotOpenThatDay() {
            SwapWindow daily = SwapWindow.of(new Window("30 2 * * *", "1h", "Europe/Berlin"));

            // 02:30 does not exist on 2026-03-29: no window that day rather than one at a time
            // nobody chose
            assertThat(daily.nextStart(at("2026-03-28T12:00:00Z")))
                    .contains(at("2026-03-30T00:30:00Z"));
            assertThat(daily.allows(at("2026-03-29T01:15:00Z"), ONE_MINUTE)).isFalse();
        }

        @Test
        void aStartInTheRepeatedAutumnHourOpensOnceAtItsFirstOccurrence() {
            SwapWindow daily = SwapWindow.of(new Window("30 2 * * *", "30m", "Europe/Berlin"));

            // 02:30 CEST = 00:30Z; the second 02:30 (CET) = 01:30Z opens nothing
            assertThat(daily.nextStart(at("2026-10-24T12:00:00Z")))
                    .contains(at("2026-10-25T00:30:00Z"));
            assertThat(daily.allows(at("2026-10-25T00:45:00Z"), ONE_MINUTE)).isTrue();
            assertThat(daily.allows(at("2026-10-25T01:45:00Z"), ONE_MINUTE)).isFalse();
            assertThat(daily.nextStart(at("2026-10-25T01:00:00Z")))
                    .contains(at("2026-10-26T01:30:00Z"));
        }
    }

    @Nested
    class RefusesBadInputNamingTheFieldAndTheFix {
        @Test
        void aCronWithoutFiveFields() {
            assertThatThrownBy(() -> SwapWindow.of(new Window("0 2 * * 6 2026", "2h", "UTC")))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("spec.swap.window.schedule")
                    .hasMessageContaining("minute hour day-of-month month day-of-week");
        }

        @Test
        void aCronValueOutOfRange() {
            assertThatThrownBy(() -> SwapWindow.of(new Window("61 2 * * *", "2h", "UTC")))
                    .hasMessageContaining("spec.swap.window.schedule")
                    .hasMessageContaining("61");
        }

        @Test
        void aScheduleThatNeverFires() {
            assertThatThrownBy(() -> SwapWindow.of(new Window("0 0 30 2 *", "2h", "UTC")))
                    .hasMessageContaining("spec.swap.window.schedule")
                    .hasMessageContaining("never fires");
        }

        @Test
        void anUnknownTimeZone() {
            assertThatThrownBy(
                            () -> SwapWindow.of(new Window("0 2 * * 6", "2h", "Europe/Atlantis")))
                    .hasMessageContaining("spec.swap.window.timeZone")
                    .hasMessageContaining("IANA");
        }

        @Test
        void aMissingOrZeroDuration() {
            assertThatThrownBy(() -> SwapWindow.of(new Window("0 2 * * 6", null, "UTC")))
                    .hasMessageContaining("spec.swap.window.duration");
            assertThatThrownBy(() -> SwapWindow.of(new Window("0 2 * * 6", "0", "UTC")))
                    .hasMessageContaining("spec.swap.window.duration");
            assertThatThrownBy(() -> SwapWindow.of(new Window("0 2 * * 6", "two hours", "UTC")))
                    .hasMessageContaining("spec.swap.window.duration")
                    .hasMessageContaining("2h");
        }
    }
}

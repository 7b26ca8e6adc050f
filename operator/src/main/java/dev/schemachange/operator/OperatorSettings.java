package dev.schemachange.operator;

import dev.schemachange.api.Durations;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * The reconciler's knobs. {@code slice} bounds one reconcile's engine work so no thread is held for
 * minutes; {@code busyDelay} spaces slices of a moving change (and so its status patches, about
 * once per second at most); {@code waitPoll} is how often a waiting change looks again; {@code
 * backoff*} space retries of problems that need a human.
 */
public record OperatorSettings(
        Clock clock,
        Duration slice,
        Duration busyDelay,
        Duration waitPoll,
        Duration backoffInitial,
        Duration backoffMax) {
    public static OperatorSettings defaults() {
        return new OperatorSettings(
                Clock.systemUTC(),
                Duration.ofSeconds(10),
                Duration.ofSeconds(1),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Duration.ofMinutes(5));
    }

    /**
     * {@value #SLICE_ENV} (a duration like "10s") bounds one reconcile's engine work; the rest are
     * defaults.
     */
    public static OperatorSettings fromEnvironment(Map<String, String> env) {
        OperatorSettings d = defaults();
        String slice = env.get(SLICE_ENV);
        return slice == null || slice.isBlank()
                ? d
                : new OperatorSettings(
                        d.clock,
                        Durations.parse(slice),
                        d.busyDelay,
                        d.waitPoll,
                        d.backoffInitial,
                        d.backoffMax);
    }

    public static final String SLICE_ENV = "OSC_SLICE";

    public OperatorSettings withClock(Clock c) {
        return new OperatorSettings(c, slice, busyDelay, waitPoll, backoffInitial, backoffMax);
    }

    public OperatorSettings withBackoff(Duration initial, Duration max) {
        return new OperatorSettings(clock, slice, busyDelay, waitPoll, initial, max);
    }
}

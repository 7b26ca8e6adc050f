package dev.schemachange.operator;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exponential delays per change for problems only time or a human fixes (no Secret, wrong password,
 * database down): first {@code initial}, doubling up to {@code max}, back to the start after a
 * success. Kept in memory: a restarted operator starts again from {@code initial}, which is what a
 * human who just fixed it wants.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** Records one more failure of {@code key} and returns how long to wait before the next try. */
    public Duration next(String key) {
        int n = failures.merge(key, 1, Integer::sum);
        Duration d = initial.multipliedBy(1L << Math.min(n - 1, 20));
        return d.compareTo(max) > 0 ? max : d;
    }

    public void reset(String key) {
        failures.remove(key);
    }
}

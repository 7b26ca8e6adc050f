package dev.schemachange.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

/**
 * The lock conflicts (deadlocks, lock wait timeouts) an application — an {@link AppWorkload} or a
 * test's own {@link Observed} workload — gets from itself, measured in the same test before the
 * change starts, to compare with what it gets during the change — the measure {@code
 * LockFootprintTest} applies to every phase, for tests that only need the total.
 */
public final class LockBaseline {
    /** What the baseline reads of a running application. */
    public interface Observed {
        /** Committed transactions and lock conflicts so far. */
        AppWorkload.Counts counts();

        /** The first few lock conflicts, for the failure message. */
        List<String> conflicts();

        /** Errors other than lock conflicts. */
        List<String> errors();
    }

    private final Observed app;
    private final AppWorkload.Counts baseline;
    private final long baselineNanos;
    private final AppWorkload.Counts atChangeStart;
    private final long changeStart;

    private LockBaseline(Observed app, AppWorkload.Counts baseline, long baselineNanos) {
        this.app = app;
        this.baseline = baseline;
        this.baselineNanos = baselineNanos;
        this.atChangeStart = app.counts();
        this.changeStart = System.nanoTime();
    }

    /**
     * Lets the started application run for {@code time} without a change; the change period starts
     * when this returns.
     */
    public static LockBaseline measure(Observed app, Duration time) throws InterruptedException {
        AppWorkload.Counts before = app.counts();
        long start = System.nanoTime();
        Thread.sleep(time.toMillis());
        return new LockBaseline(app, app.counts().minus(before), System.nanoTime() - start);
    }

    /**
     * The application wrote through the change and got no more lock conflicts than the baseline,
     * scaled to the change's duration, and no other error.
     */
    public void assertNoMoreLockConflictsThanTheBaseline() {
        long changeNanos = System.nanoTime() - changeStart;
        AppWorkload.Counts during = app.counts().minus(atChangeStart);
        long allowed = baseline.lockConflicts() * changeNanos / baselineNanos;
        String summary =
                "baseline %d lock conflicts in %d transactions (%d ms), during the change %d (%d lock wait timeouts) in %d transactions (%d ms); the first: %s"
                        .formatted(
                                baseline.lockConflicts(),
                                baseline.writes(),
                                baselineNanos / 1_000_000,
                                during.lockConflicts(),
                                during.lockWaitTimeouts(),
                                during.writes(),
                                changeNanos / 1_000_000,
                                app.conflicts());
        assertThat(baseline.writes()).as("writes in the baseline").isPositive();
        assertThat(during.writes()).as("writes during the change (%s)", summary).isPositive();
        assertThat(during.lockConflicts())
                .as("lock conflicts during the change (%s)", summary)
                .isLessThanOrEqualTo(allowed);
        assertThat(app.errors()).as("errors the application saw").isEmpty();
    }
}

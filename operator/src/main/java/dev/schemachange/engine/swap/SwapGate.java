package dev.schemachange.engine.swap;

import dev.schemachange.api.Durations;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Wait;
import dev.schemachange.engine.Wait.Reason;
import java.time.Clock;
import java.time.Duration;

/**
 * When the swap may start: not paused, approved if approval is required, not before its time,
 * inside its window.
 */
public final class SwapGate {
    private final SchemaChangeSpec spec;
    private final Clock clock;

    public SwapGate(SchemaChangeSpec spec, Clock clock) {
        this.spec = spec;
        this.clock = clock;
    }

    /** Why the swap may not start now, or null when it may. */
    public Wait blockedBy(Controls controls) {
        if (controls.paused()) {
            return Wait.of(Reason.PAUSED, "paused (annotation schemachange.dev/paused)");
        }
        if (spec.swap().approval() == SchemaChangeSpec.Approval.Required
                && !controls.swapApproved()) {
            return Wait.of(
                    Reason.APPROVAL,
                    "approval (annotate schemachange.dev/swap-approved=true, or osc run --approve-swap)");
        }
        if (controls.swapNotBefore() != null
                && clock.instant().isBefore(controls.swapNotBefore())) {
            return Wait.of(Reason.NOT_BEFORE, "swap-not-before " + controls.swapNotBefore());
        }
        SwapWindow window = SwapWindow.of(spec.swap().window());
        if (!window.allows(clock.instant(), allowance())) {
            return Wait.of(
                    Reason.WINDOW,
                    "window (next opens "
                            + window.nextStart(clock.instant())
                                    .map(Object::toString)
                                    .orElse("never")
                            + ")");
        }
        return null;
    }

    /**
     * How long the swap may take at worst: a swap is not started when that would overrun its
     * window.
     */
    private Duration allowance() {
        return Durations.parse(spec.swap().lockWaitTimeout())
                .multipliedBy(Math.min(3, spec.swap().maxAttempts()))
                .plusSeconds(10);
    }
}

package dev.schemachange.engine;

import java.time.Instant;

/**
 * What the platform team says about a change right now: from annotations in the operator, from
 * flags in the CLI. Read at every step, never stored, so removing an annotation takes effect at the
 * next step.
 */
public record Controls(
        boolean swapApproved, Instant swapNotBefore, boolean paused, boolean rollback) {
    public static final Controls NONE = new Controls(false, null, false, false);
}

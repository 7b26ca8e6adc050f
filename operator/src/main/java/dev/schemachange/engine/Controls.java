package dev.schemachange.engine;

import java.time.Instant;

/**
 * What the platform team says about a change right now: from annotations in the operator, from
 * flags in the CLI. Read at every step, never stored, so removing an annotation takes effect at the
 * next step.
 */
public record Controls(
        boolean swapApproved,
        Instant swapNotBefore,
        boolean paused,
        boolean rollback,
        boolean acceptLoss) {
    public static final Controls NONE = new Controls(false, null, false, false);

    /**
     * Without consent to a lossy rollback.
     *
     * @param rollback roll back; after the swap only while every row written since went back to the
     *     old table
     */
    public Controls(boolean swapApproved, Instant swapNotBefore, boolean paused, boolean rollback) {
        this(swapApproved, swapNotBefore, paused, rollback, false);
    }
}

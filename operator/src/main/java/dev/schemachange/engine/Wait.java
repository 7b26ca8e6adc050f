package dev.schemachange.engine;

import java.util.Objects;

/**
 * Why a change waits ({@link Progress#waitingFor}), and the sentence users read about it (status
 * message, conditions, CLI output). Callers branch on {@code reason}; {@code detail} is only ever
 * shown, so it may be reworded freely. A type of its own, not nested in Progress, because the
 * phases (SwapGate) produce it and may not depend on Progress.
 */
public record Wait(Reason reason, String detail) {
    public Wait {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(detail, "detail");
    }

    public enum Reason {
        /** The paused annotation is set. */
        PAUSED,
        /** swap.approval is Required and the approval annotation is missing. */
        APPROVAL,
        /** Outside the swap window. */
        WINDOW,
        /** The swap-not-before annotation lies ahead. */
        NOT_BEFORE,
        /** Another change holds the table; the progress reported is that change's. */
        TABLE_HELD,
        /** Swapped: the old table is kept until retention ends. */
        RETENTION,
        /** The Throttler holds the copy back. */
        THROTTLED,
        /** None the engine produces; kept so a waiting-time series exists for anything else. */
        OTHER
    }

    public static Wait of(Reason reason, String detail) {
        return new Wait(reason, detail);
    }

    public boolean is(Reason r) {
        return reason == r;
    }

    @Override
    public String toString() {
        return detail;
    }
}

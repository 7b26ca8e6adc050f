package dev.schemachange.api;

/** The phases of CONTRACT.md, in the order a change walks them. */
public enum Phase {
    Pending,
    Validating,
    Preparing,
    Backfilling,
    Verifying,
    AwaitingSwap,
    Swapping,
    Swapped,
    Completed,
    RollingBack,
    RolledBack,
    Failed;

    public boolean isBefore(Phase other) {
        return ordinal() < other.ordinal();
    }

    /**
     * True once the new table is live: from here a spec change is refused and rollback means a
     * reverse swap.
     */
    public boolean isSwapped() {
        return this == Swapped || this == Completed;
    }

    public boolean isTerminal() {
        return this == Completed || this == RolledBack || this == Failed;
    }
}

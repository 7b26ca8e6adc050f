package dev.schemachange.kubectl;

import dev.schemachange.api.Phase;
import java.util.Optional;

/**
 * The steering actions and the phases in which each means something. Approving, scheduling and
 * pausing act on the copy and the swap, so they mean nothing once the swap started or the change
 * ended; a rollback means something until the old table is gone (Completed) or the change is
 * already rolled back. Resume only removes the pause annotation, which is never wrong.
 */
enum Action {
    APPROVE("approve"),
    SCHEDULE("schedule"),
    PAUSE("pause"),
    RESUME("resume"),
    ROLLBACK("rollback");

    private final String verb;

    Action(String verb) {
        this.verb = verb;
    }

    /** Why the action means nothing in {@code phase}, or empty when it may be taken. */
    Optional<String> refusal(String change, Phase phase) {
        boolean allowed =
                switch (this) {
                    case APPROVE, SCHEDULE, PAUSE -> phase.isBefore(Phase.Swapping);
                    case RESUME -> true;
                    case ROLLBACK ->
                            phase != Phase.Completed
                                    && phase != Phase.RollingBack
                                    && phase != Phase.RolledBack;
                };
        if (allowed) {
            return Optional.empty();
        }
        return Optional.of(
                "cannot " + verb + " " + change + ": it is " + phase + " — " + why(phase));
    }

    private String why(Phase phase) {
        return switch (phase) {
            case Swapping -> "the swap is under way; there is nothing left to " + verb;
            case Swapped ->
                    "the swap already happened (the new table is live); to undo it: "
                            + "kubectl schemachange rollback";
            case Completed ->
                    this == ROLLBACK
                            ? "the old table was dropped when its retention ended; change the "
                                    + "table back with a new SchemaChange"
                            : "the change is done (the new table is live, the old one dropped)";
            case RollingBack -> "it is being rolled back already";
            case RolledBack -> "it was rolled back (the original table is as it was)";
            case Failed ->
                    "it failed (kubectl schemachange describe says why); fix the spec: a new "
                            + "generation retries it";
            default -> "the action means nothing here";
        };
    }
}

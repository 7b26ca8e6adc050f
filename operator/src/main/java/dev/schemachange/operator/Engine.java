package dev.schemachange.operator;

import dev.schemachange.api.Phase;
import dev.schemachange.engine.ChangePlan;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import java.time.Duration;
import java.util.Optional;

/**
 * The engine as one reconcile uses it: a bounded slice of work, rollback, or a look at the stored
 * state. Production: {@link MigratorEngine}. Tests of the Kubernetes side may script it.
 */
public interface Engine {
    Progress advance(Controls controls, Duration budget, Phase until);

    Progress rollback(Duration budget);

    /**
     * For a deleted change: before the swap remove its work (as rollback), after it touch nothing.
     */
    Progress abandon(Duration budget);

    Optional<Progress> read();

    /** What osc plan shows, for status.plan; empty where the engine cannot tell. */
    default Optional<ChangePlan> plan() {
        return Optional.empty();
    }

    /** Builds the engine for one change. */
    @FunctionalInterface
    interface Factory {
        Engine create(ChangeTarget target);
    }
}

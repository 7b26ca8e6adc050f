package dev.schemachange.operator;

import dev.schemachange.api.Phase;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * The real engine: a {@link Migrator} for the change's table, connecting with the change's
 * credentials.
 */
public final class MigratorEngine implements Engine {
    private final Migrator migrator;

    MigratorEngine(Migrator migrator) {
        this.migrator = migrator;
    }

    public static Factory factory(Clock clock) {
        return target ->
                new MigratorEngine(
                        new Migrator(target.connections(), target.spec(), target.owner(), clock));
    }

    @Override
    public Progress advance(Controls controls, Duration budget, Phase until) {
        return migrator.advance(controls, budget, until);
    }

    @Override
    public Progress rollback(Duration budget) {
        return migrator.rollback(budget);
    }

    @Override
    public Progress abandon(Duration budget) {
        return migrator.abandon(budget);
    }

    @Override
    public Optional<dev.schemachange.engine.ChangePlan> plan() {
        return Optional.of(migrator.plan());
    }

    @Override
    public Optional<Progress> read() {
        return migrator.read();
    }
}

package dev.schemachange.operator;

import dev.schemachange.api.Phase;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import dev.schemachange.testing.ProgressBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * Stands in for the engine in tests of the Kubernetes side (status mapping, annotations, events):
 * answers each slice with what {@code script} says and records the Controls it was given. Tests of
 * the whole path use the real MigratorEngine instead.
 */
final class ScriptedEngine implements Engine, Engine.Factory {
    final List<Controls> slices = new CopyOnWriteArrayList<>();
    final List<ChangeTarget> targets = new CopyOnWriteArrayList<>();
    volatile Function<Controls, Progress> script;
    volatile int rollbacks;

    /** What the state row would say: the last progress reported. */
    volatile Progress stored;

    ScriptedEngine(Function<Controls, Progress> script) {
        this.script = script;
    }

    static Progress progress(Phase phase, Wait waitingFor) {
        return ProgressBuilder.at(phase).waiting(waitingFor).build();
    }

    @Override
    public Engine create(ChangeTarget target) {
        targets.add(target);
        return this;
    }

    @Override
    public Progress advance(Controls controls, Duration budget, Phase until) {
        slices.add(controls);
        if (controls.rollback()) {
            return abandon(budget);
        }
        stored = script.apply(controls);
        return stored;
    }

    @Override
    public Progress rollback(Duration budget) {
        rollbacks++;
        stored = progress(Phase.RolledBack, null);
        return stored;
    }

    @Override
    public Progress abandon(Duration budget) {
        // as Migrator: before the swap roll back, after it report the state as it is
        if (stored != null && stored.phase() != null && stored.phase().isSwapped()) {
            return stored;
        }
        return rollback(budget);
    }

    @Override
    public Optional<Progress> read() {
        return Optional.ofNullable(stored);
    }

    Controls lastControls() {
        return slices.isEmpty() ? null : slices.get(slices.size() - 1);
    }
}

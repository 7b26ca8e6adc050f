package dev.schemachange.cli;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        description = "Revert a change: before the swap, abort and clean up; after it, swap back.")
final class RollbackCommand implements Callable<Integer> {
    @ParentCommand Osc osc;

    @Mixin Target target;

    @Option(
            names = "--accept-loss",
            description =
                    "Roll back after the swap even though rows written since did not fit the old"
                            + " table (a widened column's value out of its old range): they are lost,"
                            + " and named. Without it such a rollback is refused.")
    boolean acceptLoss;

    @Override
    public Integer call() throws Exception {
        SchemaChange change = target.load();
        if (!SpecProblems.none(change, System.err)) {
            return 1;
        }
        Progress p =
                new Migrator(
                                target.connections(change.getSpec()),
                                change.getSpec(),
                                Target.owner(change),
                                Clock.systemUTC(),
                                osc.crashPoints())
                        .rollback(Duration.ofMinutes(5), acceptLoss);
        System.out.println(ProgressPrinter.line(p));
        return RunCommand.finish(p, System.out, System.err);
    }
}

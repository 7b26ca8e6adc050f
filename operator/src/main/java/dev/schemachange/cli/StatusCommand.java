package dev.schemachange.cli;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show the state of a change as stored in the database.")
final class StatusCommand implements Callable<Integer> {
    @Mixin Target target;

    @Override
    public Integer call() throws Exception {
        SchemaChange change = target.load();
        if (!SpecProblems.none(change, System.err)) {
            return 1;
        }
        Optional<Progress> p =
                new Migrator(
                                target.connections(change.getSpec()),
                                change.getSpec(),
                                Target.owner(change),
                                java.time.Clock.systemUTC())
                        .read();
        if (p.isEmpty()) {
            System.out.println("not started");
            System.out.println("phase=Pending");
            return 0;
        }
        Progress progress = p.get();
        System.out.println(ProgressPrinter.line(progress));
        System.out.printf(
                "rows copied %d of ~%d, cursor %s, chunks repaired %d%n",
                progress.rowsCopied(),
                progress.rowsEstimated(),
                progress.cursor(),
                progress.chunksRepaired());
        progress.parts()
                .forEach(
                        part ->
                                System.out.printf(
                                        "part %s: rows copied %d, chunks repaired %d%n",
                                        part.table(), part.rowsCopied(), part.chunksRepaired()));
        if (progress.oldTable() != null) {
            System.out.println("old table " + progress.oldTable());
        }
        if (progress.rollbackLoss() != null) {
            System.out.println(
                    "rollback not lossless: "
                            + progress.rollbackLoss().described()
                            + " (osc rollback --accept-loss rolls back without them)");
        }
        System.out.println("phase=" + progress.phase());
        return 0;
    }
}

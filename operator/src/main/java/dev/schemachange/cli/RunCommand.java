package dev.schemachange.cli;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description =
                "Walk the phases of a change in-process, resuming from the checkpoint in the database.")
final class RunCommand implements Callable<Integer> {
    @ParentCommand Osc osc;

    @Mixin Target target;

    @Option(names = "--until", description = "stop once this phase is reached (e.g. AwaitingSwap)")
    Phase until;

    @Option(
            names = "--approve-swap",
            description = "approve the swap (as the swap-approved annotation does)")
    boolean approveSwap;

    @Option(names = "--swap-not-before", description = "do not swap before this instant (RFC 3339)")
    Instant swapNotBefore;

    @Override
    public Integer call() throws Exception {
        SchemaChange change = target.load();
        if (!SpecProblems.none(change, System.err)) {
            return 1;
        }
        Migrator migrator =
                new Migrator(
                        target.connections(change.getSpec()),
                        change.getSpec(),
                        Target.owner(change),
                        Clock.systemUTC(),
                        osc.crashPoints());
        Controls controls = new Controls(approveSwap, swapNotBefore, false, false);
        ProgressPrinter printer = new ProgressPrinter(System.out);
        Progress p;
        do {
            p = migrator.advance(controls, Duration.ofSeconds(2), until);
            printer.print(p);
        } while (!p.stopsAt(until));
        return finish(p, System.out, System.err);
    }

    /** Prints the outcome; the last stdout line is always {@code phase=<Phase>}. */
    static int finish(Progress p, PrintStream out, PrintStream err) {
        p.notes().forEach(n -> out.println("note: " + n));
        if (p.swappedAt() != null) {
            out.printf(
                    "swap: %d ms stall after %d attempt(s); backfill %.0f rows/s%n",
                    p.lockMillis(), p.swapAttempts(), p.rowsPerSecond());
        }
        if (p.waitingFor() != null) {
            out.println("waiting for " + p.waitingFor().detail());
        }
        boolean failed = p.phase() == Phase.Failed || p.problem() != null;
        if (failed) {
            err.println("error: " + (p.problem() != null ? p.problem() : p.message()));
        }
        out.println("phase=" + p.phase());
        return failed ? 1 : 0;
    }
}

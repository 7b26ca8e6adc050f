package dev.schemachange.cli;

import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.Migrator;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code osc} entry point: the same engine as the operator, without a cluster. */
@Command(
        name = "osc",
        mixinStandardHelpOptions = true,
        version = "osc 0.1.0",
        description = "Online schema changes for MySQL and MariaDB tables.",
        subcommands = {
            RunCommand.class,
            StatusCommand.class,
            RollbackCommand.class,
            PlanCommand.class,
            OperatorCommand.class,
            dev.schemachange.kubectl.KubectlCommand.class,
            DemoCommand.class
        })
public final class Osc implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    private final CrashPoints crash;

    Osc() {
        this(CrashPoints.NONE);
    }

    private Osc(CrashPoints crash) {
        this.crash = crash;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return execute(CrashPoints.NONE, args);
    }

    /**
     * The seam crash tests use to halt the process mid-change; the shipped entry point passes NONE.
     */
    public static int execute(CrashPoints crash, String... args) {
        return new CommandLine(new Osc(crash))
                .setExecutionExceptionHandler(
                        (e, cmd, parsed) -> {
                            // one clear line for the user. 2 only when a re-run can succeed as it
                            // is (the state in the
                            // database is unchanged); a bad manifest, refused rollback or permanent
                            // error is 1
                            cmd.getErr().println("error: " + e.getMessage());
                            return Migrator.isTransient(e) ? 2 : 1;
                        })
                .execute(args);
    }

    /** Where run and rollback may be halted (tests only). */
    CrashPoints crashPoints() {
        return crash;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

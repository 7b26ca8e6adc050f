package dev.schemachange.cli;

import dev.schemachange.engine.CrashPoints;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code osc} entry point: the same engine as the operator, without a cluster. */
@Command(name = "osc", mixinStandardHelpOptions = true, version = "osc 0.1.0",
        description = "Online schema changes for MySQL and MariaDB tables.",
        subcommands = {RunCommand.class, StatusCommand.class, RollbackCommand.class, OperatorCommand.class,
                DemoCommand.class})
public final class Osc implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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

    /** The seam crash tests use to halt the process mid-change; the shipped entry point passes NONE. */
    public static int execute(CrashPoints crash, String... args) {
        return new CommandLine(new Osc(crash))
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // one clear line for the user; the state in the database is unchanged, a re-run resumes
                    cmd.getErr().println("error: " + e.getMessage());
                    return 2;
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

package dev.schemachange.cli;

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

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    public static int execute(String... args) {
        return new CommandLine(new Osc())
                .setExecutionExceptionHandler((e, cmd, parsed) -> {
                    // one clear line for the user; the state in the database is unchanged, a re-run resumes
                    cmd.getErr().println("error: " + e.getMessage());
                    return 2;
                })
                .execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

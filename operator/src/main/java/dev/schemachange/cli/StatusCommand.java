package dev.schemachange.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show the state of a change as stored in the database.")
final class StatusCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("osc status: not implemented yet");
        return 2;
    }
}

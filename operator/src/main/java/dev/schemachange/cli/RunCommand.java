package dev.schemachange.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Walk the phases of a change in-process, resuming from the checkpoint in the database.")
final class RunCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("osc run: not implemented yet");
        return 2;
    }
}

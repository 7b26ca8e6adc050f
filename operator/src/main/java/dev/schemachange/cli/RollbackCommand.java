package dev.schemachange.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Revert a change: before the swap abort and clean up; after it swap back.")
final class RollbackCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("osc rollback: not implemented yet");
        return 2;
    }
}

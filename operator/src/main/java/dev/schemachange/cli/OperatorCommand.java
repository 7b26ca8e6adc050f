package dev.schemachange.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "operator", mixinStandardHelpOptions = true,
        description = "Run the Kubernetes operator (the container's default command).")
final class OperatorCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("osc operator: not implemented yet");
        return 2;
    }
}

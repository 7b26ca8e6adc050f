package dev.schemachange.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Command;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Quick start: a throwaway MariaDB, a live writer and a real change, end to end.")
final class DemoCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        System.err.println("osc demo: not implemented yet");
        return 2;
    }
}

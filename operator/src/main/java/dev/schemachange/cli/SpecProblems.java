package dev.schemachange.cli;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.check.SpecValidation;
import java.io.PrintStream;
import java.util.List;

/**
 * The server-free checks, run before any connection is opened: a bad field is the user's to fix, so
 * it must be named (exit 1) rather than hidden behind whatever the server, or its absence, answers
 * (exit 2).
 */
final class SpecProblems {
    private SpecProblems() {}

    /** True when the manifest's spec passes; otherwise prints every problem to {@code err}. */
    static boolean none(SchemaChange change, PrintStream err) {
        List<Problem> problems = SpecValidation.check(change.getSpec());
        problems.forEach(p -> err.println("error: " + p));
        return problems.isEmpty();
    }
}

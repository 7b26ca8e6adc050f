package dev.schemachange.engine.db;

import dev.schemachange.api.Problem;

/**
 * A deterministic reason to stop the change (not a transient error): retrying the same spec will
 * not help.
 */
public final class Refused extends RuntimeException {
    private final transient Problem problem;

    public Refused(Problem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}

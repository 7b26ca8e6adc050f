package dev.schemachange.engine;

import dev.schemachange.api.Problem;

/** A deterministic reason to stop the change (not a transient error): retrying the same spec will not help. */
final class Refused extends RuntimeException {
    private final transient Problem problem;

    Refused(Problem problem) {
        super(problem.toString());
        this.problem = problem;
    }

    Problem problem() {
        return problem;
    }
}

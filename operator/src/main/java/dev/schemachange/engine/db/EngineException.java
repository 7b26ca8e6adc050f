package dev.schemachange.engine.db;

/**
 * A transient failure (connection lost, lock conflict, failover; see {@link ServerErrors}): the
 * state row is unchanged and a retry resumes. Permanent server errors do not become this: they fail
 * the change.
 */
public final class EngineException extends RuntimeException {
    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}

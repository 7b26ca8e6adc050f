package dev.schemachange.engine.db;

/** A transient failure (connection lost, server error): the state row is unchanged and a retry resumes. */
public final class EngineException extends RuntimeException {
    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}

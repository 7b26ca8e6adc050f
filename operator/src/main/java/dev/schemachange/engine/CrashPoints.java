package dev.schemachange.engine;

/**
 * Named points between the steps of the backfill, the swap and the rollback, where a test can make
 * the process die as {@code kill -9} would: every step must be recognised and finished by the next
 * run. The shipped code only ever passes {@link #NONE}; the crashing implementation lives with the
 * tests, so no setting of a production process can halt it.
 */
@FunctionalInterface
public interface CrashPoints {
    CrashPoints NONE = point -> {};

    void reached(String point);
}

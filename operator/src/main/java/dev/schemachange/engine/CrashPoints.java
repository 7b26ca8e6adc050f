package dev.schemachange.engine;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Named points between the steps of the backfill, the swap and the rollback, where a test can make the process die as
 * {@code kill -9} would (env {@code OSC_CRASH_AT=<point>}): every step must be recognised and finished by the
 * next run. Inert unless the variable is set.
 */
public final class CrashPoints {
    private static final Logger log = LoggerFactory.getLogger(CrashPoints.class);
    private static final String TARGET = System.getenv("OSC_CRASH_AT");

    private CrashPoints() {
    }

    public static void reached(String point) {
        if (point.equals(TARGET)) {
            log.warn("crash point {} reached: halting as kill -9 would", point);
            Runtime.getRuntime().halt(137);
        }
    }
}

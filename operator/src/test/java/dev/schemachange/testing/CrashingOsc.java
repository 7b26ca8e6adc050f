package dev.schemachange.testing;

import dev.schemachange.cli.Osc;
import dev.schemachange.engine.CrashPoints;

/**
 * {@code osc} that halts as {@code kill -9} would when it reaches the crash point named by {@code
 * OSC_CRASH_AT}: crash tests launch it as a separate JVM on the test classpath. It lives with the
 * tests so that the shipped jar has no switch that stops it.
 */
public final class CrashingOsc {
    private CrashingOsc() {}

    public static void main(String[] args) {
        String target = System.getenv("OSC_CRASH_AT");
        CrashPoints halt =
                point -> {
                    if (point.equals(target)) {
                        System.err.println(
                                "crash point " + point + " reached: halting as kill -9 would");
                        Runtime.getRuntime().halt(137);
                    }
                };
        System.exit(Osc.execute(halt, args));
    }
}

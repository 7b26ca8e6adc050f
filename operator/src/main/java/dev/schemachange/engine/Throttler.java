package dev.schemachange.engine;

import java.sql.Connection;
import java.sql.SQLException;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.Inspector;

/** Decides whether the next chunk may run: backs off while the server is busier than the spec allows. */
final class Throttler {
    private final Inspector inspector;
    private final SchemaChangeSpec.Throttle limits;

    Throttler(Connection c, SchemaChangeSpec.Throttle limits) {
        this.inspector = new Inspector(c);
        this.limits = limits;
    }

    /** Waits while Threads_running is above the limit; false when the deadline passed while waiting. */
    boolean mayProceed(long deadlineNanos) throws SQLException {
        while (inspector.globalStatus("Threads_running") > limits.maxThreadsRunning()) {
            if (System.nanoTime() > deadlineNanos) {
                return false;
            }
            Sessions.sleep(100);
        }
        return true;
    }
}

package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Runs work with a session variable set, then puts back the value it had, also when the work fails:
 * a connection is reused by later phases, which must not inherit a value meant for one statement.
 */
public final class SessionVariable {
    private SessionVariable() {}

    /** {@code value} is SQL (a number or a quoted literal); {@code name} a plain variable name. */
    public static <T> T with(Connection c, String name, String value, Sessions.Work<T> work)
            throws SQLException {
        String previous = Sessions.firstRow(c, "SELECT @@SESSION." + name, List.of()).get(0);
        return with(c, name, value, previous, work);
    }

    /**
     * The same, with the value the session has now already known to the caller (read along with
     * another query), so a hot path does not pay a round trip for it.
     */
    public static <T> T with(
            Connection c, String name, String value, String previous, Sessions.Work<T> work)
            throws SQLException {
        Sessions.exec(c, "SET SESSION " + name + " = " + value);
        try {
            return work.run();
        } finally {
            restore(c, name, previous);
        }
    }

    private static void restore(Connection c, String name, String previous) throws SQLException {
        if (previous.matches("-?\\d+")) {
            // an integer variable refuses a string value
            Sessions.exec(c, "SET SESSION " + name + " = " + previous);
        } else {
            Sessions.update(c, "SET SESSION " + name + " = ?", List.of(previous));
        }
    }
}

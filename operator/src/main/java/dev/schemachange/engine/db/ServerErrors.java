package dev.schemachange.engine.db;

import dev.schemachange.api.Problem;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.util.Locale;
import java.util.Set;

/**
 * The one place that decides whether a server error is transient (the same statement can succeed
 * later without anyone acting) or permanent (someone must change a privilege, an object or the
 * spec). Transient errors leave the state row as it is and are retried; permanent ones fail the
 * change.
 */
public final class ServerErrors {
    /** Lock wait timeout and deadlock: the statement changed nothing and may be retried at once. */
    private static final Set<Integer> LOCK_CONFLICTS = Set.of(1205, 1213);

    /**
     * Connection lost or refused (client side 2002/2003/2006/2013), the server shutting down
     * (1053), our session killed (1927) or a statement timeout (1969): a later attempt, perhaps
     * against the promoted primary, can succeed. 1290, 1792 and 1836 are what a primary demoted to
     * read-only answers during a failover; once the new primary takes the address they go away.
     */
    private static final Set<Integer> TRANSIENT =
            Set.of(1053, 1205, 1213, 1290, 1792, 1836, 1927, 1969, 2002, 2003, 2006, 2013);

    /**
     * A Failed row with the same spec stays Failed; a rollback (or deletion) clears it for a fresh
     * start.
     */
    private static final String AGAIN =
            "delete and re-create the SchemaChange (osc: rollback, then run again)";

    private ServerErrors() {}

    /** Transient failures: retrying later, with nothing changed by anyone, can succeed. */
    public static boolean isTransient(SQLException e) {
        for (SQLException s = e;
                s != null;
                s = s.getCause() instanceof SQLException n && n != s ? n : null) {
            if (TRANSIENT.contains(s.getErrorCode())
                    || connectionClass(s.getSQLState())
                    || s instanceof SQLTransientException
                    || isCommunications(s)) {
                return true;
            }
        }
        return false;
    }

    /** Lock conflicts only: what a statement-level retry loop may repeat right away. */
    public static boolean isLockConflict(SQLException e) {
        return LOCK_CONFLICTS.contains(e.getErrorCode());
    }

    /**
     * A permanent error as a Problem that says what to do. The server's own text and code are kept:
     * they name the object or privilege more precisely than a guess from here could.
     */
    public static Problem problem(SQLException e, String table) {
        String reason =
                "the server refused a statement: "
                        + e.getMessage()
                        + " (error "
                        + e.getErrorCode()
                        + ", SQLState "
                        + e.getSQLState()
                        + ")";
        return switch (e.getErrorCode()) {
            // access denied for user / database / table / column / routine, missing SUPER or
            // similar
            case 1044, 1045, 1142, 1143, 1227, 1370, 1419 ->
                    new Problem(
                            "spec.database.credentialsSecret",
                            reason,
                            "grant the missing privilege to the change's database user, then "
                                    + AGAIN);
            // an object the change works on was dropped or renamed under it
            case 1146, 1051, 1054, 1091, 1049 ->
                    new Problem(
                            "spec.table",
                            reason,
                            "the table "
                                    + table
                                    + " or a work object was dropped or renamed during the change; restore it, then "
                                    + AGAIN);
            // the server rejects the statement text: the ALTER (the only user-written SQL) is at
            // fault
            case 1064, 1149 ->
                    new Problem("spec.alter", reason, "fix spec.alter and apply it again");
            default ->
                    new Problem(null, reason, "fix the cause named by the server, then " + AGAIN);
        };
    }

    private static boolean connectionClass(String sqlState) {
        return sqlState != null && sqlState.startsWith("08");
    }

    /** MySQL Connector/J and MariaDB drivers both name their link failures this way. */
    private static boolean isCommunications(SQLException e) {
        return e.getClass().getSimpleName().toLowerCase(Locale.ROOT).contains("communications");
    }
}

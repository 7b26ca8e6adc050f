package dev.schemachange.operator;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.JdbcConnections;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where one change works: the spec, who owns it ("namespace/name", recorded in the state row so a
 * second change for the same table learns which one holds it), and how to connect.
 */
public record ChangeTarget(
        SchemaChangeSpec spec, String owner, String jdbcUrl, DbCredentials credentials) {

    /** A short label for logs, status and events: never contains the credentials. */
    public String where() {
        return where(spec);
    }

    /** host:port/schema.table — what a change works on; status.target records it. */
    public static String where(SchemaChangeSpec spec) {
        SchemaChangeSpec.Database db = spec.database();
        return db.host() + ":" + db.port() + "/" + db.schema() + "." + spec.table();
    }

    public ConnectionFactory connections() {
        return JdbcConnections.of(jdbcUrl, credentials.username(), credentials.password());
    }

    /**
     * Opens and closes one session, so a wrong password or an unreachable server is reported as
     * such before the engine starts; null when the database can be reached.
     */
    public Problem probe() {
        try (Connection ignored = open()) {
            return null;
        } catch (SQLException e) {
            if (e.getErrorCode() == 1045 || "28000".equals(e.getSQLState())) {
                return new Problem(
                        "spec.database.credentialsSecret",
                        "access denied for the user in the Secret " + "at " + where(),
                        "fix username/password in the Secret, or GRANT the user access");
            }
            if (e.getErrorCode() == 1049) {
                return new Problem(
                        "spec.database.schema",
                        "unknown schema at " + where(),
                        "fix spec.database.schema");
            }
            return new Problem(
                    "spec.database.host",
                    "cannot connect to " + where() + ": " + e.getMessage(),
                    "check host, port and network policies; the change retries with backoff");
        }
    }

    private Connection open() throws SQLException {
        return connections().open();
    }

    @Override
    public String toString() {
        return "ChangeTarget[" + owner + " → " + where() + "]";
    }
}

package dev.schemachange.operator;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.ConnectionFactory;

/**
 * Where one change works: the spec, who owns it ("namespace/name", recorded in the state row so a second change
 * for the same table learns which one holds it), and how to connect.
 */
public record ChangeTarget(SchemaChangeSpec spec, String owner, String jdbcUrl, DbCredentials credentials) {

    /** The JDBC URL for spec.database; the host is validated beforehand, so it cannot add URL parameters. */
    public static String jdbcUrl(SchemaChangeSpec.Database db) {
        return "jdbc:mysql://" + db.host() + ":" + db.port() + "/" + db.schema();
    }

    /** A short label for logs, status and events: never contains the credentials. */
    public String where() {
        SchemaChangeSpec.Database db = spec.database();
        return db.host() + ":" + db.port() + "/" + db.schema() + "." + spec.table();
    }

    public ConnectionFactory connections() {
        return this::open;
    }

    private Connection open() throws SQLException {
        Properties p = new Properties();
        p.setProperty("user", credentials.username());
        p.setProperty("password", credentials.password());
        // fail fast on a dead host instead of holding a reconcile thread; no socket timeout: a chunk may be slow
        p.setProperty("connectTimeout", "5000");
        p.setProperty("allowMultiQueries", "false");
        p.setProperty("allowLoadLocalInfile", "false");
        p.setProperty("sslMode", "PREFERRED");
        return DriverManager.getConnection(jdbcUrl, p);
    }

    @Override
    public String toString() {
        return "ChangeTarget[" + owner + " → " + where() + "]";
    }
}

package dev.schemachange.engine.db;

import dev.schemachange.api.SchemaChangeSpec;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

/**
 * The one way the operator and the CLI reach a database: every session is hardened the same way,
 * and a replica's session uses the same URL options and credentials with the replica's host and
 * port and no default schema.
 *
 * <p>Hardened means: a dead host fails within seconds instead of holding a reconcile thread (no
 * socket timeout: a chunk may be slow); a session runs one statement per call, so SQL from a
 * manifest can never smuggle a second one; the server cannot ask the client for a local file; TLS
 * is used when the server offers it.
 */
public final class JdbcConnections implements ConnectionFactory {
    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final String url;
    private final Properties properties;

    private JdbcConnections(String url, Properties properties) {
        this.url = url;
        this.properties = properties;
    }

    /**
     * Sessions through {@code url} as {@code user}; refuses a URL that would undo the hardening.
     */
    public static JdbcConnections of(String url, String user, String password) {
        String options = url.toLowerCase(Locale.ROOT);
        for (String unsafe : new String[] {"allowmultiqueries=true", "allowloadlocalinfile=true"}) {
            if (options.contains(unsafe)) {
                throw new IllegalArgumentException(
                        "the JDBC URL must not set "
                                + unsafe
                                + ": the statements from the manifest must reach a session that runs one statement only");
            }
        }
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", Integer.toString(CONNECT_TIMEOUT_MILLIS));
        p.setProperty("allowMultiQueries", "false");
        p.setProperty("allowLoadLocalInfile", "false");
        p.setProperty("sslMode", "PREFERRED");
        return new JdbcConnections(url, p);
    }

    /**
     * The URL for spec.database; its host is validated beforehand, so it cannot add URL parameters.
     */
    public static String url(SchemaChangeSpec.Database db) {
        return "jdbc:mysql://"
                + db.host()
                + ":"
                + db.port()
                + "/"
                + (db.schema() == null ? "" : db.schema());
    }

    @Override
    public Connection open() throws SQLException {
        return DriverManager.getConnection(url, properties);
    }

    @Override
    public Connection openReplica(String hostPort) throws SQLException {
        return DriverManager.getConnection(replicaUrl(url, hostPort), properties);
    }

    /** {@code jdbc:mysql://primary:3306/shop?x=y} → {@code jdbc:mysql://replica:3306/?x=y}. */
    public static String replicaUrl(String url, String hostPort) {
        int hosts = url.indexOf("//") + 2;
        int query = url.indexOf('?', hosts);
        return url.substring(0, hosts) + hostPort + "/" + (query < 0 ? "" : url.substring(query));
    }
}

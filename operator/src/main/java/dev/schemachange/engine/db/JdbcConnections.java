package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Sessions through a JDBC URL; a replica's session uses the same URL options and credentials with the replica's
 * host and port and no default schema.
 */
public record JdbcConnections(String url, Properties properties) implements ConnectionFactory {
    public JdbcConnections {
        Properties copy = new Properties();
        copy.putAll(properties);
        properties = copy;
    }

    public static JdbcConnections of(String url, String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        return new JdbcConnections(url, p);
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

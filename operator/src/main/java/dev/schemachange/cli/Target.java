package dev.schemachange.cli;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.JdbcConnections;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The manifest and how to reach its database: options shared by run, status and rollback. */
public final class Target {
    @Option(
            names = {"-f", "--file"},
            required = true,
            description = "SchemaChange manifest (YAML or JSON)")
    Path file;

    @Option(
            names = "--jdbc-url",
            description = "overrides spec.database, e.g. jdbc:mysql://127.0.0.1:3306/shop")
    String jdbcUrl;

    @Option(names = "--user", description = "database user (default: $OSC_USER, else root)")
    String user;

    @Option(
            names = "--password-env",
            defaultValue = "OSC_PASSWORD",
            description = "environment variable holding the password (default: ${DEFAULT-VALUE})")
    String passwordEnv;

    /**
     * The manifest, with spec.database.schema replaced by the database named in --jdbc-url, if any.
     */
    SchemaChange load() throws IOException {
        return override(Manifests.read(file));
    }

    /**
     * The connection options without a manifest file, for a change read from elsewhere ({@code
     * kubectl schemachange plan} reads it from the cluster); null options as when not given.
     */
    public static Target of(String jdbcUrl, String user, String passwordEnv) {
        Target t = new Target();
        t.jdbcUrl = jdbcUrl;
        t.user = user;
        t.passwordEnv = passwordEnv == null ? "OSC_PASSWORD" : passwordEnv;
        return t;
    }

    /** {@code change} with spec.database.schema replaced by the database in --jdbc-url, if any. */
    public SchemaChange override(SchemaChange change) {
        String db = jdbcUrl == null ? null : databaseOf(jdbcUrl);
        if (db != null && !db.isEmpty()) {
            SchemaChangeSpec.Database d = change.getSpec().database();
            change.setSpec(
                    change.getSpec()
                            .withDatabase(
                                    new SchemaChangeSpec.Database(
                                            d == null ? null : d.host(),
                                            d == null ? null : d.port(),
                                            db,
                                            d == null ? null : d.credentialsSecret())));
        }
        return change;
    }

    /** {@code jdbc:mysql://host:port/db?x=y} → {@code db}. */
    static String databaseOf(String url) {
        int hosts = url.indexOf("//");
        int slash = hosts < 0 ? -1 : url.indexOf('/', hosts + 2);
        if (slash < 0) {
            return null;
        }
        int end = url.indexOf('?', slash);
        return url.substring(slash + 1, end < 0 ? url.length() : end);
    }

    /** The change's identity in the state row: namespace/name from the manifest. */
    static String owner(SchemaChange change) {
        String ns =
                change.getMetadata() == null || change.getMetadata().getNamespace() == null
                        ? "default"
                        : change.getMetadata().getNamespace();
        String name =
                change.getMetadata() == null || change.getMetadata().getName() == null
                        ? "unnamed"
                        : change.getMetadata().getName();
        return ns + "/" + name;
    }

    ConnectionFactory connections(SchemaChangeSpec spec) {
        String url = jdbcUrl;
        if (url == null) {
            SchemaChangeSpec.Database d = spec.database();
            if (d == null || d.host() == null) {
                throw new IllegalArgumentException(
                        "spec.database.host is missing and no --jdbc-url was given");
            }
            url = JdbcConnections.url(d);
        }
        String u = user != null ? user : System.getenv().getOrDefault("OSC_USER", "root");
        String password = System.getenv().getOrDefault(passwordEnv, "");
        return JdbcConnections.of(url, u, password);
    }
}

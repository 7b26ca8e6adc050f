package dev.schemachange.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/**
 * The operator and the CLI open sessions through this one factory, so both get the same hardening.
 */
@MariaDb
class JdbcConnectionsTest {

    @Test
    void aSessionRunsOneStatementPerCallWhateverTheUrlAsks(TestDatabase db) throws SQLException {
        try (Connection c =
                        JdbcConnections.of(db.jdbcUrl(), db.server().user(), db.server().password())
                                .open();
                Statement s = c.createStatement()) {
            assertThat(s.execute("SELECT 1")).isTrue();
            assertThatThrownBy(() -> s.execute("SELECT 1; SELECT 2"))
                    .isInstanceOf(SQLException.class);
        }
    }

    @Test
    void aUrlThatWouldUndoTheHardeningIsRefusedBeforeConnecting() {
        assertThatThrownBy(
                        () ->
                                JdbcConnections.of(
                                        "jdbc:mysql://db:3306/shop?allowMultiQueries=true",
                                        "u",
                                        ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowmultiqueries=true");
        assertThatThrownBy(
                        () ->
                                JdbcConnections.of(
                                        "jdbc:mysql://db:3306/shop?AllowLoadLocalInfile=TRUE",
                                        "u",
                                        ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("allowloadlocalinfile=true");
    }

    @Test
    void theUrlForSpecDatabaseNamesHostPortAndSchema() {
        assertThat(
                        JdbcConnections.url(
                                new SchemaChangeSpec.Database("db.prod", 3307, "shop", null)))
                .isEqualTo("jdbc:mysql://db.prod:3307/shop");
        assertThat(JdbcConnections.url(new SchemaChangeSpec.Database("db.prod", 3307, null, null)))
                .isEqualTo("jdbc:mysql://db.prod:3307/");
    }

    @Test
    void aReplicaSessionKeepsTheUrlOptionsAndDropsTheSchema() {
        assertThat(
                        JdbcConnections.replicaUrl(
                                "jdbc:mysql://db:3306/shop?useSSL=false&x=1", "replica-0.db:3307"))
                .isEqualTo("jdbc:mysql://replica-0.db:3307/?useSSL=false&x=1");
        assertThat(JdbcConnections.replicaUrl("jdbc:mysql://db:3306/shop", "r:3306"))
                .isEqualTo("jdbc:mysql://r:3306/");
    }
}

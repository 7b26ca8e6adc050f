package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;

/** {@code osc run} takes the shipped examples as they are, against a throwaway server holding their table. */
@MariaDb
class ExamplesRunTest {

    @ParameterizedTest
    @ValueSource(strings = {"orders-bigint.yaml", "add-index-approval.yaml", "rails-migration-version.yaml"})
    void anExampleRunsUpToTheSwapWithConnectionFlagsOverridingItsDatabase(String example, TestDatabase db) {
        db.exec("DROP TABLE IF EXISTS orders, orders_ref", "DROP DATABASE IF EXISTS `_schemachange`",
                "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        db.createWorkloadTable("orders", 1_000);
        int exit = Osc.execute("run", "-f", Path.of("..", "examples", example).toString(), "--jdbc-url",
                db.jdbcUrl(), "--user", db.server().user(), "--until", "AwaitingSwap");
        assertThat(exit).isZero();
        assertThat(db.count("SELECT COUNT(*) FROM `_schemachange`.orders")).isEqualTo(1_000);
        assertThat(Osc.execute("rollback", "-f", Path.of("..", "examples", example).toString(), "--jdbc-url",
                db.jdbcUrl(), "--user", db.server().user())).isZero();
    }
}

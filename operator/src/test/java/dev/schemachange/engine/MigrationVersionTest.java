package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;

/** The migration version row appears in the swap itself: not before, not after a failed attempt, gone at rollback. */
@MariaDb
class MigrationVersionTest {
    private static final Controls APPROVED = new Controls(true, null, false, false);

    @Test
    void theVersionRowAppearsWithTheNewTableAndLeavesWithARollback(TestDatabase db) throws Exception {
        db.exec("CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY, installed_by VARCHAR(20))",
                "INSERT INTO schema_migrations VALUES ('20260101000000', 'rails'), ('20260201000000', 'rails')",
                "CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO accounts SELECT seq, CONCAT('a', seq) FROM seq_1_to_100");
        SchemaChangeSpec spec = Changes.spec(db, "accounts", "ADD COLUMN note VARCHAR(20)", """
                swap: {approval: Required, lockWaitTimeout: 1s, maxAttempts: 1}
                retention: {keepOldTableFor: 72h}
                migrationVersion:
                  table: schema_migrations
                  column: version
                  value: "20261124103000"
                  values: {installed_by: osc}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(versions(db)).as("not before the swap").hasSize(2);

        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().executeQuery("SELECT * FROM accounts LIMIT 1").close(); // holds its MDL
            assertThatThrownBy(() -> migrator.advance(APPROVED, Duration.ofSeconds(20), null))
                    .isInstanceOf(EngineException.class).hasMessageContaining("Lock wait timeout");
            assertThat(versions(db)).as("not after a failed attempt").hasSize(2);
            assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).isEmpty();
            blocker.rollback();
        }

        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Swapped);
        assertThat(versions(db)).contains("20261124103000|osc").hasSize(3);
        assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).hasSize(1);
        assertThat(db.rows("SHOW TABLES LIKE 'schema\\_migrations%'")).containsExactly("schema_migrations");

        Progress back = migrator.advance(new Controls(false, null, false, true), Duration.ofSeconds(20), null);

        assertThat(back.phase()).isEqualTo(Phase.RolledBack);
        assertThat(versions(db)).isEqualTo(List.of("20260101000000|rails", "20260201000000|rails"));
        assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM accounts")).isEqualTo(100);
    }

    private static List<String> versions(TestDatabase db) {
        return db.rows("SELECT version, installed_by FROM schema_migrations ORDER BY version");
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.DriverManager;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A server error after Validating is classified once: a permanent one fails the change like a
 * refusal (cleaned up, Failed stored, not retried), a transient one leaves the state row for the
 * next call to resume.
 */
@MariaDb
class ServerErrorFailureTest {
    private static final String BACKFILL = "backfill: {chunkTime: 20ms, maxChunkRows: 200}";

    @Test
    void aPrivilegeRevokedMidChangeFailsItWithTheServersReasonAndLeavesTheOriginalAsItWas(
            TestDatabase db) {
        db.createWorkloadTable("ledger", 2_000);
        db.exec(
                "CREATE USER IF NOT EXISTS 'changer'@'%' IDENTIFIED BY 'pw'",
                "GRANT ALL ON `" + db.name() + "`.* TO 'changer'@'%'",
                "GRANT ALL ON `_schemachange`.* TO 'changer'@'%'",
                "GRANT ALL ON `_schemachange_undo`.* TO 'changer'@'%'",
                "GRANT SUPER ON *.* TO 'changer'@'%'"); // triggers under binary logging
        List<String> original = original(db);
        SchemaChangeSpec spec = Changes.spec(db, "ledger", "ADD COLUMN note VARCHAR(20)", BACKFILL);
        Migrator m =
                new Migrator(
                        () -> DriverManager.getConnection(db.jdbcUrl(), "changer", "pw"),
                        spec,
                        "test/ledger",
                        Clock.systemUTC());
        try {
            Progress started = Changes.run(m, Controls.NONE, Phase.Backfilling);
            assertThat(started.phase()).as(started.message()).isEqualTo(Phase.Backfilling);
            assertThat(
                            db.count(
                                    "SELECT COUNT(*) FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_TABLE = "
                                            + "'ledger'"))
                    .as("the change is under way")
                    .isPositive();

            db.exec("REVOKE INSERT ON `" + db.name() + "`.* FROM 'changer'@'%'");
            Progress failed = m.advance(Controls.NONE, Duration.ofSeconds(5), null);

            assertThat(failed.phase()).isEqualTo(Phase.Failed);
            assertThat(failed.problem().field()).isEqualTo("spec.database.credentialsSecret");
            assertThat(failed.problem().reason()).contains("INSERT command denied", "error 1142");
            assertThat(failed.problem().fix()).contains("grant the missing privilege");
            assertThat(m.read().orElseThrow().phase()).as("stored").isEqualTo(Phase.Failed);
            assertThat(m.advance(Controls.NONE, Duration.ofSeconds(5), null).phase())
                    .as("not retried")
                    .isEqualTo(Phase.Failed);
            assertThat(original(db))
                    .as("the original table, its triggers and no shadow")
                    .isEqualTo(original);
        } finally {
            db.exec("DROP USER IF EXISTS 'changer'@'%'");
        }
    }

    @Test
    void aLostConnectionIsTransientAndTheNextCallResumes(TestDatabase db) {
        db.createWorkloadTable("journal_entries", 2_000);
        SchemaChangeSpec spec =
                Changes.spec(db, "journal_entries", "ADD COLUMN note VARCHAR(20)", BACKFILL);
        AtomicBoolean down = new AtomicBoolean();
        ConnectionFactory flaky =
                () ->
                        down.get()
                                ? DriverManager.getConnection(
                                        "jdbc:mysql://127.0.0.1:1/" + db.name(), "root", "")
                                : db.connect();
        Migrator m = new Migrator(flaky, spec, "test/journal_entries", Clock.systemUTC());
        assertThat(Changes.run(m, Controls.NONE, Phase.Backfilling).phase())
                .isEqualTo(Phase.Backfilling);

        down.set(true);
        assertThatThrownBy(() -> m.advance(Controls.NONE, Duration.ofSeconds(5), null))
                .satisfies(e -> assertThat(Migrator.isTransient(e)).isTrue());
        down.set(false);
        assertThat(m.read().orElseThrow().phase())
                .as("state row unchanged")
                .isEqualTo(Phase.Backfilling);
        assertThat(Changes.run(m, Controls.NONE, Phase.AwaitingSwap).phase())
                .isEqualTo(Phase.AwaitingSwap);
        // the work schema is shared by the server's tests: leave no shadow behind
        assertThat(m.rollback(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.RolledBack);
    }

    /**
     * The original's definition, rows, and every trigger and table of the test and work schemas.
     */
    private static List<String> original(TestDatabase db) {
        List<String> out = new java.util.ArrayList<>(db.rows("SHOW CREATE TABLE ledger"));
        out.addAll(db.rows("CHECKSUM TABLE ledger"));
        out.addAll(db.rows("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"));
        out.addAll(
                db.rows(
                        "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME) FROM information_schema.TABLES WHERE "
                                + "TABLE_SCHEMA = DATABASE() ORDER BY 1"));
        return out;
    }
}

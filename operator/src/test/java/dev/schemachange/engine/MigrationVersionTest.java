package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.EngineException;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The migration version row appears in the swap itself: not before, not after a failed attempt,
 * gone at rollback.
 */
@MariaDb
class MigrationVersionTest {
    private static final Controls APPROVED = new Controls(true, null, false, false);

    @Test
    void theVersionRowAppearsWithTheNewTableAndLeavesWithARollback(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY, installed_by VARCHAR(20))",
                "INSERT INTO schema_migrations VALUES ('20260101000000', 'rails'), ('20260201000000', 'rails')",
                "CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO accounts SELECT seq, CONCAT('a', seq) FROM seq_1_to_100");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "accounts",
                        "ADD COLUMN note VARCHAR(20)",
                        """
                swap: {approval: Required, lockWaitTimeout: 1s, maxAttempts: 1}
                retention: {keepOldTableFor: 72h}
                migrationVersion:
                  table: schema_migrations
                  column: version
                  value: "20261124103000"
                  values: {installed_by: osc}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);
        assertThat(versions(db)).as("not before the swap").hasSize(2);

        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement()
                    .executeQuery("SELECT * FROM accounts LIMIT 1")
                    .close(); // holds its MDL
            assertThatThrownBy(() -> migrator.advance(APPROVED, Duration.ofSeconds(20), null))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("Lock wait timeout");
            assertThat(versions(db)).as("not after a failed attempt").hasSize(2);
            assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).isEmpty();
            blocker.rollback();
        }

        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Swapped);
        assertThat(versions(db)).contains("20261124103000|osc").hasSize(3);
        assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).hasSize(1);
        assertThat(db.rows("SHOW TABLES LIKE 'schema\\_migrations%'"))
                .containsExactly("schema_migrations");

        Progress back =
                migrator.advance(
                        new Controls(false, null, false, true), Duration.ofSeconds(20), null);

        assertThat(back.phase()).isEqualTo(Phase.RolledBack);
        assertThat(versions(db)).isEqualTo(List.of("20260101000000|rails", "20260201000000|rails"));
        assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM accounts")).isEqualTo(100);
    }

    /**
     * A reader polls, in ONE statement, whether the version row exists and which shape the live
     * table has (the result's column list). A single statement opens both tables under shared
     * metadata locks before it reads anything, and RENAME TABLE takes exclusive locks on every name
     * it touches in one go, so the statement sees both tables either before or after the RENAME —
     * the same view any application statement gets. That is the exact guarantee, not an
     * approximation of it. What no swap can give, and this test does not claim: two separate
     * autocommit statements may of course straddle the swap.
     */
    @Test
    void aReaderNeverSeesTheVersionRowWithoutTheNewShapeNorTheNewShapeWithoutIt(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("ledger", 2_000);
        db.exec(
                "CREATE TABLE ledger_versions (version VARCHAR(255) NOT NULL PRIMARY KEY)",
                "INSERT INTO ledger_versions VALUES ('20260101000000')");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "ledger",
                        "ADD COLUMN note VARCHAR(20)",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 500}
                retention: {keepOldTableFor: 72h}
                migrationVersion: {table: ledger_versions, column: version, value: "20261124103000"}
                """);
        Reader reader = new Reader(db);
        Thread readerThread = new Thread(reader::poll, "version-reader");
        int rounds = 3;
        Workload app = db.startWorkload("ledger", 2_000, 2, "");
        try (app) {
            readerThread.start();
            Thread.sleep(100);
            for (int round = 0; round < rounds; round++) {
                Migrator migrator = Changes.migrator(db, spec);
                assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                        .isEqualTo(Phase.Swapped);
                Thread.sleep(300);
                assertThat(
                                migrator.advance(
                                                new Controls(false, null, false, true),
                                                Duration.ofSeconds(30),
                                                null)
                                        .phase())
                        .isEqualTo(Phase.RolledBack);
                Thread.sleep(300);
            }
        } finally {
            reader.running.set(false);
            readerThread.join();
        }
        assertThat(reader.errors).as("reader errors").isEmpty();
        assertThat(reader.mismatches)
                .as("observations with only one of version row and new shape")
                .isEmpty();
        assertThat(reader.transitions.get())
                .as("every swap and every rollback was seen")
                .isEqualTo(2L * rounds);
        assertThat(reader.reads.get()).isGreaterThan(100);
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.rows("SELECT id, k, payload FROM ledger ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM ledger_ref ORDER BY id"));
        assertThat(db.rows("SELECT version FROM ledger_versions"))
                .containsExactly("20260101000000");
    }

    /**
     * Polls the version row and the live table's shape in one statement each time, recording what
     * it saw.
     */
    private static final class Reader {
        private static final String PROBE =
                "SELECT v.present, t.* FROM (SELECT COUNT(*) AS present FROM "
                        + "ledger_versions WHERE version = '20261124103000') v LEFT JOIN (SELECT * FROM ledger LIMIT 1) t "
                        + "ON TRUE";
        private final TestDatabase db;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong reads = new AtomicLong();
        private final AtomicLong transitions = new AtomicLong();
        private final List<String> mismatches = new CopyOnWriteArrayList<>();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        Reader(TestDatabase db) {
            this.db = db;
        }

        void poll() {
            Boolean last = null;
            try (Connection c = db.connect();
                    Statement s = c.createStatement()) {
                while (running.get()) {
                    try (ResultSet rs = s.executeQuery(PROBE)) {
                        boolean newShape = false;
                        for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                            newShape |= rs.getMetaData().getColumnLabel(i).equalsIgnoreCase("note");
                        }
                        rs.next();
                        boolean versioned = rs.getLong(1) == 1;
                        if (versioned != newShape) {
                            mismatches.add("version row " + versioned + ", new shape " + newShape);
                        }
                        if (last != null && last != newShape) {
                            transitions.incrementAndGet();
                        }
                        last = newShape;
                        reads.incrementAndGet();
                    } catch (SQLException e) {
                        errors.add(e.getErrorCode() + " " + e.getMessage());
                    }
                }
            } catch (SQLException e) {
                errors.add("connection: " + e.getMessage());
            }
        }
    }

    private static List<String> versions(TestDatabase db) {
        return db.rows("SELECT version, installed_by FROM schema_migrations ORDER BY version");
    }
}

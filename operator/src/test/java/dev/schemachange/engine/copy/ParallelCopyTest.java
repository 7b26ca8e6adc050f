package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import dev.schemachange.testing.WideTable;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code backfill.threads} copiers over disjoint key ranges, each with its own checkpoint, mark and
 * part of the journal: the shadow ends equal to the original under concurrent writers.
 */
@MariaDb
class ParallelCopyTest {
    private static final Controls PAUSED = new Controls(false, null, true, false);
    private static final Controls APPROVED = new Controls(true, null, false, false);
    private static final String CORE = "id, email, name, region_id, created_at, score";
    private static final String PROFILE = "id, bio, avatar_url, prefs";

    @Test
    void fourCopiersUnderInsertsKeyChangesAndDeletesLeaveTheTableEqualRowByRow(TestDatabase db)
            throws Exception {
        int rows = 30_000;
        db.createWorkloadTable("orders", rows);
        db.exec("ANALYZE TABLE orders");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "orders",
                        "ADD COLUMN note VARCHAR(64) NULL",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 300, threads: 4}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress verified;
        try (Workload app = db.startWorkload("orders", rows, 3, "")) {
            Thread.sleep(200);
            Changes.run(migrator, Controls.NONE, Phase.Backfilling);
            Progress copying = migrator.advance(Controls.NONE, Duration.ofMillis(50), null);
            assertThat(copying.message()).isEqualTo("copying rows (4 copiers)");
            verified = Changes.run(migrator, Controls.NONE, Phase.AwaitingSwap);
            Thread.sleep(300); // the triggers keep the shadow equal after the copy too
            app.close();
            assertThat(app.errors()).as("errors the application saw").isEmpty();
            assertThat(app.lockConflicts()).as("deadlocks and lock wait timeouts").isZero();
            assertThat(app.writes()).isGreaterThan(100);
        }

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(db.count(ranges(db, "COUNT(*)", "orders"))).isEqualTo(4);
        assertThat(db.count(ranges(db, "SUM(rows_copied)", "orders")))
                .as("each source row copied about once, by the copier of its range")
                .isBetween((long) rows - 3_000, (long) rows + 4 * 300);
        assertThat(db.count("SELECT COUNT(*) FROM orders__osc_jnl")).isZero();
        assertThat(db.rows("SELECT id, k, payload FROM `_schemachange`.orders ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM orders ORDER BY id"));
        assertThat(db.rows("SELECT id, k, payload FROM orders ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM orders_ref ORDER BY id"));

        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
        assertThat(db.count(ranges(db, "COUNT(*)", "orders")))
                .as("the ranges go with the change's other helpers")
                .isZero();
        assertThat(db.rows("SELECT id, k, payload FROM orders ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM orders_ref ORDER BY id"));
    }

    @Test
    void eachRangeMirrorsBelowItsOwnMarkAndJournalsAboveIt(TestDatabase db) {
        db.exec(
                "CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, v VARCHAR(16) NOT NULL)",
                "INSERT INTO accounts SELECT seq, CONCAT('v', seq) FROM seq_1_to_3000",
                "ANALYZE TABLE accounts");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "accounts",
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10ms, maxChunkRows: 100, threads: 3}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Changes.run(migrator, Controls.NONE, Phase.Backfilling);
        migrator.advance(PAUSED, Duration.ofSeconds(5), null); // divides the range, copies nothing

        assertThat(db.rows(ranges(db, "CONCAT_WS('|', range_no, after_key, up_to)", "accounts")))
                .containsExactly(
                        "0|[\"1000\"]", "1|[\"1000\"]|[\"2000\"]", "2|[\"2000\"]|[\"3000\"]");
        assertThat(
                        db.rows(
                                "SELECT CONCAT_WS('|', r, bounded, after_0, max_0) FROM accounts__osc_wmk"))
                .containsExactlyInAnyOrder("0|0|3000|1000", "1|1|1000|2000", "2|1|2000|3000");

        // as if range 1's copier had reached 1500; ranges 0 and 2 have copied nothing
        db.exec("UPDATE accounts__osc_wmk SET copied = 1, lo_0 = 1500 WHERE r = 1");
        db.exec(
                "UPDATE accounts SET v = 'below 1' WHERE id = 1200", // range 1, below its mark
                "UPDATE accounts SET v = 'above 1' WHERE id = 1800", // range 1, above its mark
                "DELETE FROM accounts WHERE id = 500", // range 0
                "DELETE FROM accounts WHERE id = 2999", // range 2
                "UPDATE accounts SET id = 2999 WHERE id = 1400", // range 1 below -> range 2
                "INSERT INTO accounts VALUES (5000, 'appended')"); // above every range

        assertThat(db.rows("SELECT id, v FROM accounts__osc_new ORDER BY id"))
                .containsExactly("1200|below 1", "5000|appended");
        assertThat(db.rows("SELECT id FROM accounts__osc_jnl ORDER BY id"))
                .containsExactly("500", "1800", "2999");

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).as("nothing left for Verifying to repair").isZero();
        assertThat(db.rows("SELECT id, v FROM `_schemachange`.accounts ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM accounts ORDER BY id"));
        assertThat(db.count("SELECT COUNT(*) FROM accounts__osc_jnl")).isZero();
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    /**
     * A split with a unique key and a foreign key on its first part: share-locked chunks, each
     * copier raising its own mark before its chunk, both parts written in the same pass.
     */
    @Test
    void threeCopiersSplitATableWithLockedChunksUnderConcurrentWrites(TestDatabase db)
            throws Exception {
        WideTable.create(db, "customers", 6_000);
        db.exec("ANALYZE TABLE customers");
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        "customers",
                        """
                split:
                  - table: customers
                    columns: [id, email, name, region_id, created_at, score]
                  - table: customer_profiles
                    columns: [id, bio, avatar_url, prefs]
                dropColumns: [legacy_flag]
                backfill: {chunkTime: 20ms, maxChunkRows: 300, threads: 3}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        WideTable app = WideTable.write(db, "customers", 6_000, 3);
        try (app) {
            Progress waiting = Changes.run(migrator, Controls.NONE, null);
            assertThat(waiting.phase()).as(waiting.message()).isEqualTo(Phase.AwaitingSwap);
            assertThat(db.count(ranges(db, "COUNT(*)", "customers"))).isEqualTo(3);
            Thread.sleep(300);
        }
        Progress end = Changes.run(migrator, APPROVED, null);

        assertThat(app.errors()).as("errors the application saw").isEmpty();
        assertThat(end.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SELECT " + CORE + " FROM customers ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + CORE + " FROM customers_ref ORDER BY id"));
        assertThat(db.rows("SELECT " + PROFILE + " FROM customer_profiles ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + PROFILE + " FROM customers_ref ORDER BY id"));
    }

    private static String ranges(TestDatabase db, String what, String table) {
        return "SELECT "
                + what
                + " FROM `_schemachange`.schemachange_ranges WHERE table_schema = '"
                + db.name()
                + "' AND table_name = '"
                + table
                + "' ORDER BY range_no";
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;

@MariaDb
class OnlineChangeTest {
    private static final String ALTER =
            "MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, ADD COLUMN note VARCHAR(64) NULL";

    @Test
    void changesATableUnderConcurrentWritesWithoutLosingOneAndWithoutAnAppError(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("orders", 20_000);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "orders",
                        ALTER,
                        """
                backfill: {chunkTime: 50ms, maxChunkRows: 500}
                retention: {keepOldTableFor: "0"}
                """);
        Progress end;
        Workload app =
                db.startWorkload(
                        "orders", 20_000, 3, "&useServerPrepStmts=true&cachePrepStmts=true");
        try (app) {
            Thread.sleep(300); // the application's statements are prepared before the change starts
            end = Changes.run(Changes.migrator(db, spec), Controls.NONE, null);
            Thread.sleep(300); // and keep working on the new table
        }

        assertThat(end.phase()).isEqualTo(Phase.Completed);
        assertThat(app.errors()).as("errors the application saw").isEmpty();
        assertThat(app.writes()).isGreaterThan(100);
        assertThat(db.rows("SELECT id, k, payload FROM orders ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM orders_ref ORDER BY id"));
        assertThat(db.value("SHOW CREATE TABLE orders").toLowerCase())
                .contains("bigint(20) unsigned", "`note`");
        assertThat(db.rows("SHOW TRIGGERS LIKE 'orders%'")).isEmpty();
        assertThat(db.rows("SHOW TABLES LIKE 'orders%'"))
                .containsExactlyInAnyOrder("orders", "orders_ref");
        assertThat(
                        db.rows(
                                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                                        + "AND TABLE_NAME NOT LIKE 'schemachange\\_%'"))
                .as("helper tables left behind")
                .isEmpty();
    }

    @Test
    void waitsForApprovalAtAwaitingSwapWhileTriggersKeepTheShadowEqual(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("items", 3_000);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "items",
                        "ADD COLUMN note VARCHAR(64) NULL",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 200}
                swap: {approval: Required}
                retention: {keepOldTableFor: 72h}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress waiting;
        try (Workload app = db.startWorkload("items", 3_000, 2, "")) {
            waiting = Changes.run(migrator, Controls.NONE, null);
            Thread.sleep(500);
            app.close();
            assertThat(app.errors()).isEmpty();
        }
        assertThat(waiting.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(waiting.waitReason()).isEqualTo(Reason.APPROVAL);
        assertThat(db.rows("SELECT id, k, payload FROM `_schemachange`.items ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM items ORDER BY id"));

        Progress swapped = Changes.run(migrator, new Controls(true, null, false, false), null);

        assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
        assertThat(swapped.oldTable()).isEqualTo(db.name() + ".items__osc_old");
        assertThat(swapped.message()).contains("reverse-synced: rollback is lossless");
        assertThat(db.rows("SELECT id, k, payload FROM items ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM items_ref ORDER BY id"));
        assertThat(db.rows("SELECT id, k, payload FROM items__osc_old ORDER BY id"))
                .as("the old table is kept as it was at the swap")
                .isEqualTo(db.rows("SELECT id, k, payload FROM items_ref ORDER BY id"));
    }

    @Test
    void swapAndRollbackTwentyTimesUnderWritesLoseNoRowAndGiveNoAppError(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("books", 3_000);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "books",
                        "ADD COLUMN note VARCHAR(64) NULL, ADD INDEX (payload)",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 300}
                retention: {keepOldTableFor: 72h}
                """);
        String before = db.value("SHOW CREATE TABLE books").replaceAll(" AUTO_INCREMENT=\\d+", "");
        Workload app = db.startWorkload("books", 3_000, 3, "");
        Progress rolledBack;
        try (app) {
            for (int round = 0; round < 20; round++) {
                Migrator migrator = Changes.migrator(db, spec);
                assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                        .isEqualTo(Phase.Swapped);
                Thread.sleep(300); // writes to the new table, mirrored back to the old one
                // the application writes the table and its reference in one transaction, so one
                // snapshot sees
                // the live table, the reverse-synced old table and the reference equal while writes
                // go on
                List<List<String>> swapped =
                        db.snapshot(
                                "SELECT id, k, payload FROM books ORDER BY id",
                                "SELECT id, k, payload FROM books__osc_old ORDER BY id",
                                "SELECT id, k, payload FROM books_ref ORDER BY id");
                assertThat(swapped.get(0))
                        .as("round %d: new table after the swap", round)
                        .isEqualTo(swapped.get(2));
                assertThat(swapped.get(1))
                        .as("round %d: reverse-synced old table", round)
                        .isEqualTo(swapped.get(2));
                rolledBack =
                        migrator.advance(
                                new Controls(false, null, false, true),
                                java.time.Duration.ofSeconds(30),
                                null);
                assertThat(rolledBack.phase()).isEqualTo(Phase.RolledBack);
                Thread.sleep(200); // and writes to the original again
                List<List<String>> back =
                        db.snapshot(
                                "SELECT id, k, payload FROM books ORDER BY id",
                                "SELECT id, k, payload FROM books_ref ORDER BY id");
                assertThat(back.get(0))
                        .as("round %d: old table live again after the rollback", round)
                        .isEqualTo(back.get(1));
            }
        }
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.value("SHOW CREATE TABLE books").replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(before);
        assertThat(db.rows("SELECT id, k, payload FROM books ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM books_ref ORDER BY id"));
        assertThat(db.rows("SHOW TRIGGERS LIKE 'books%'")).isEmpty();
    }

    @Test
    void rollbackBeforeTheSwapRemovesEverythingAndLeavesTheOriginalAsItWas(TestDatabase db) {
        db.createWorkloadTable("carts", 500);
        String before = db.value("SHOW CREATE TABLE carts");
        SchemaChangeSpec spec =
                Changes.spec(db, "carts", "ADD COLUMN note INT", "swap: {approval: Required}");
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);

        Progress rolledBack = migrator.rollback(java.time.Duration.ofSeconds(30));

        assertThat(rolledBack.phase()).isEqualTo(Phase.RolledBack);
        assertThat(db.value("SHOW CREATE TABLE carts")).isEqualTo(before);
        assertThat(db.rows("SHOW TRIGGERS LIKE 'carts%'")).isEmpty();
        assertThat(
                        db.rows(
                                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                                        + "AND TABLE_NAME = 'carts'"))
                .isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM carts")).isEqualTo(500);
    }

    @Test
    void aRowOfTheOriginalWithKeyZeroKeepsKeyZero(TestDatabase db) {
        db.exec(
                "SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'",
                "CREATE TABLE zero (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
                "INSERT INTO zero VALUES (0, 10), (1, 11), (2, 12)");
        Progress p =
                Changes.run(
                        Changes.migrator(
                                db,
                                Changes.spec(
                                        db,
                                        "zero",
                                        "ADD COLUMN w INT",
                                        "retention: {keepOldTableFor: \"0\"}")),
                        Controls.NONE,
                        null);
        assertThat(p.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SELECT id, v FROM zero ORDER BY id"))
                .isEqualTo(List.of("0|10", "1|11", "2|12"));
    }
}

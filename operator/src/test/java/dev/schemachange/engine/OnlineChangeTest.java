package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import dev.schemachange.local.Workload;

@MariaDb
class OnlineChangeTest {
    private static final String ALTER = "MODIFY id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, ADD COLUMN note VARCHAR(64) NULL";

    @Test
    void changesATableUnderConcurrentWritesWithoutLosingOneAndWithoutAnAppError(TestDatabase db) throws Exception {
        db.createWorkloadTable("orders", 20_000);
        SchemaChangeSpec spec = Changes.spec(db, "orders", ALTER, """
                backfill: {chunkTime: 50ms, maxChunkRows: 500}
                retention: {keepOldTableFor: "0"}
                """);
        Progress end;
        Workload app = db.startWorkload("orders", 20_000, 3, "&useServerPrepStmts=true&cachePrepStmts=true");
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
        assertThat(db.value("SHOW CREATE TABLE orders").toLowerCase()).contains("bigint(20) unsigned", "`note`");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
        assertThat(db.rows("SHOW TABLES")).containsExactlyInAnyOrder("orders", "orders_ref");
        assertThat(db.count("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                + "AND TABLE_NAME NOT LIKE 'schemachange\\_%'")).isZero();
    }

    @Test
    void waitsForApprovalAtAwaitingSwapWhileTriggersKeepTheShadowEqual(TestDatabase db) throws Exception {
        db.createWorkloadTable("items", 3_000);
        SchemaChangeSpec spec = Changes.spec(db, "items", "ADD COLUMN note VARCHAR(64) NULL", """
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
        assertThat(waiting.waitingFor()).contains("approval");
        assertThat(db.rows("SELECT id, k, payload FROM `_schemachange`.items ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM items ORDER BY id"));

        Progress swapped = Changes.run(migrator, new Controls(true, null, false, false), null);

        assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
        assertThat(swapped.oldTable()).startsWith("_schemachange_undo.items__");
        assertThat(db.rows("SELECT id, k, payload FROM items ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM items_ref ORDER BY id"));
        assertThat(db.rows("SELECT id, k, payload FROM " + swapped.oldTable().replace(".", ".`") + "` ORDER BY id"))
                .as("the old table is kept as it was at the swap")
                .isEqualTo(db.rows("SELECT id, k, payload FROM items_ref ORDER BY id"));
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
    }

    @Test
    void rollbackBeforeTheSwapRemovesEverythingAndLeavesTheOriginalAsItWas(TestDatabase db) {
        db.createWorkloadTable("carts", 500);
        String before = db.value("SHOW CREATE TABLE carts");
        SchemaChangeSpec spec = Changes.spec(db, "carts", "ADD COLUMN note INT", "swap: {approval: Required}");
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.AwaitingSwap);

        Progress rolledBack = migrator.rollback(java.time.Duration.ofSeconds(30));

        assertThat(rolledBack.phase()).isEqualTo(Phase.RolledBack);
        assertThat(db.value("SHOW CREATE TABLE carts")).isEqualTo(before);
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
        assertThat(db.rows("SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                + "AND TABLE_NAME = 'carts'")).isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM carts")).isEqualTo(500);
    }

    @Test
    void aRowOfTheOriginalWithKeyZeroKeepsKeyZero(TestDatabase db) {
        db.exec("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'",
                "CREATE TABLE zero (id INT AUTO_INCREMENT PRIMARY KEY, v INT)",
                "INSERT INTO zero VALUES (0, 10), (1, 11), (2, 12)");
        Progress p = Changes.run(Changes.migrator(db, Changes.spec(db, "zero", "ADD COLUMN w INT",
                "retention: {keepOldTableFor: \"0\"}")), Controls.NONE, null);
        assertThat(p.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SELECT id, v FROM zero ORDER BY id")).isEqualTo(List.of("0|10", "1|11", "2|12"));
    }
}

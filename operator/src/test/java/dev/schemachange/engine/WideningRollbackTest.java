package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A widening change (INT → BIGINT, a longer VARCHAR, NOT NULL → NULL, an ENUM with a value
 * appended) keeps the old table reverse-synced while the values written after the swap fit it; a
 * value that does not fit is written to the live table as the application asked, is not carried
 * back, and is recorded, and from then on a rollback needs consent.
 */
@MariaDb
class WideningRollbackTest {
    private static final String TO_BIGINT =
            "MODIFY id BIGINT NOT NULL AUTO_INCREMENT, MODIFY k BIGINT NOT NULL";
    private static final String RETAIN =
            """
            backfill: {chunkTime: 20ms, maxChunkRows: 300}
            retention: {keepOldTableFor: 72h}
            """;
    private static final String ROWS = "SELECT id, k, payload FROM %s ORDER BY id";

    @Test
    void anIntKeyAndColumnWidenedToBigintRollBackWithEveryWriteMadeSinceTheSwap(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("ledger", 3_000);
        SchemaChangeSpec spec = Changes.spec(db, "ledger", TO_BIGINT, RETAIN);
        Migrator migrator = Changes.migrator(db, spec);
        Progress swapped;
        Progress back;
        List<List<String>> synced;
        Workload app = db.startWorkload("ledger", 3_000, 3, "");
        try (app) {
            Thread.sleep(200); // writes during the copy, the swap and after it
            swapped = Changes.run(migrator, Controls.NONE, null);
            Thread.sleep(500);
            synced =
                    db.snapshot(
                            ROWS.formatted("ledger"),
                            ROWS.formatted("ledger__osc_old"),
                            ROWS.formatted("ledger_ref"));
            back = migrator.rollback(Duration.ofSeconds(30));
            Thread.sleep(300); // and on the old INT table, live again
        }

        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        assertThat(swapped.message()).contains("reverse-synced: rollback is lossless");
        assertThat(swapped.rollbackLoss()).isNull();
        assertThat(synced.get(0)).as("live BIGINT table").isEqualTo(synced.get(2));
        assertThat(synced.get(1)).as("reverse-synced INT table").isEqualTo(synced.get(2));
        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(back.message()).doesNotContain("lost");
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.rows(ROWS.formatted("ledger")))
                .isEqualTo(db.rows(ROWS.formatted("ledger_ref")));
        assertThat(db.value("SHOW CREATE TABLE ledger"))
                .contains("`id` int(11) NOT NULL AUTO_INCREMENT", "`k` int(11) NOT NULL");
    }

    @Test
    void aValuePastTheOldRangeIsWrittenButNotCarriedBackAndTheRollbackNeedsConsent(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("accounts", 2_000);
        // rows of our own, in a key range the application never touches
        db.exec(
                "INSERT INTO accounts VALUES (5000001, 1, 'k grows'), (5000002, 2, 'key moves'), "
                        + "(5000003, 3, 'still fits')");
        SchemaChangeSpec spec = Changes.spec(db, "accounts", TO_BIGINT, RETAIN);
        Migrator migrator = Changes.migrator(db, spec);
        Progress lossy;
        Progress refused;
        Progress back;
        List<List<String>> synced;
        Workload app = db.startWorkload("accounts", 2_000, 3, "");
        try (app) {
            assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            // the application's writes under strict mode: each succeeds on the BIGINT table
            db.exec(
                    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO'",
                    "INSERT INTO accounts (id, k, payload) VALUES (3000000000, 1, 'past INT')",
                    "UPDATE accounts SET k = 5000000000 WHERE id = 5000001",
                    "UPDATE accounts SET id = 3000000001 WHERE id = 5000002",
                    "UPDATE accounts SET payload = 'fits, carried' WHERE id = 5000003");
            Thread.sleep(300);
            synced =
                    db.snapshot(
                            "SELECT id, k, payload FROM accounts WHERE id < 2147483648 "
                                    + "AND id NOT IN (5000001, 5000002) ORDER BY id",
                            ROWS.formatted("accounts__osc_old"));
            lossy = migrator.read().orElseThrow();
            refused = migrator.rollback(Duration.ofSeconds(30));
            assertThat(db.rows("SHOW TRIGGERS LIKE 'accounts'")).hasSize(3);
            back = migrator.rollback(Duration.ofSeconds(30), true);
            Thread.sleep(300);
        }

        assertThat(synced.get(1))
                .as("the old table holds every row that fits, none stale")
                .isEqualTo(synced.get(0));
        assertThat(synced.get(1)).contains("5000003|3|fits, carried");
        assertThat(lossy.rollbackLoss()).isNotNull();
        assertThat(lossy.rollbackLoss().rows()).isEqualTo(3);
        assertThat(lossy.rollbackLoss().firstKey()).isEqualTo("3000000000");
        assertThat(lossy.rollbackLoss().firstColumns()).isEqualTo("id");

        assertThat(refused.phase()).isEqualTo(Phase.Swapped);
        assertThat(refused.problem().field())
                .isEqualTo("metadata.annotations[schemachange.dev/rollback-accept-loss]");
        assertThat(refused.problem().reason())
                .contains(
                        "3 rows not carried: key 3000000000 (id, insert",
                        "key 5000001 (k, update",
                        "key 3000000001 (id, update");
        assertThat(refused.problem().fix()).contains("--accept-loss");

        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(back.message())
                .contains("lost with consent", "3 rows not carried: key 3000000000 (id");
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(
                        db.rows(
                                "SELECT id, k, payload FROM accounts WHERE id > 5000000 AND id < 6000000"))
                .containsExactly("5000003|3|fits, carried");
        assertThat(
                        db.rows(
                                "SELECT id, k, payload FROM accounts WHERE id < 5000000 OR id > 6000000"
                                        + " ORDER BY id"))
                .isEqualTo(
                        db.rows(
                                "SELECT id, k, payload FROM accounts_ref WHERE id < 5000000 "
                                        + "OR id > 6000000 ORDER BY id"));
        assertThat(db.rows("SELECT id FROM accounts__osc_new WHERE id >= 3000000000 ORDER BY id"))
                .as("the rows not carried stay in the set-aside new table")
                .containsExactly("3000000000", "3000000001");
        assertThat(db.count("SELECT COUNT(*) FROM `_schemachange`.schemachange_unfit")).isZero();
    }

    @Test
    void aLongerStringANullAndANewEnumValueAreRecordedAndEveryFittingWriteIsCarried(
            TestDatabase db) {
        db.exec(
                "CREATE TABLE tags (id INT PRIMARY KEY, name VARCHAR(32) NOT NULL, "
                        + "tag ENUM('a','b') NOT NULL DEFAULT 'a', memo VARCHAR(10) NOT NULL DEFAULT '')",
                "INSERT INTO tags VALUES (1, 'one', 'a', 'm1'), (2, 'two', 'b', 'm2'), "
                        + "(3, 'three', 'a', 'm3')");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "tags",
                        "MODIFY name VARCHAR(64) NOT NULL, "
                                + "MODIFY tag ENUM('a','b','c') NOT NULL DEFAULT 'a', "
                                + "MODIFY memo VARCHAR(10) NULL",
                        "retention: {keepOldTableFor: 72h}");
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        String n32 = "n".repeat(32);
        String n40 = "n".repeat(40);
        db.exec(
                "SET SESSION sql_mode = 'STRICT_ALL_TABLES'",
                "INSERT INTO tags VALUES (10, '" + n32 + "', 'b', 'fits')",
                "INSERT INTO tags VALUES (11, '" + n40 + "', 'a', '')",
                "INSERT INTO tags VALUES (12, 'ok', 'c', '')",
                "INSERT INTO tags VALUES (13, 'ok', 'a', NULL)",
                "UPDATE tags SET memo = NULL WHERE id = 1",
                "UPDATE tags SET name = 'renamed' WHERE id = 2",
                "UPDATE tags SET memo = 'back' WHERE id = 13");

        assertThat(db.rows("SELECT id, name, tag, memo FROM tags ORDER BY id"))
                .containsExactly(
                        "1|one|a|NULL",
                        "2|renamed|b|m2",
                        "3|three|a|m3",
                        "10|" + n32 + "|b|fits",
                        "11|" + n40 + "|a|",
                        "12|ok|c|",
                        "13|ok|a|back");
        assertThat(db.rows("SELECT id, name, tag, memo FROM tags__osc_old ORDER BY id"))
                .as("every row that fits, and no stale one")
                .containsExactly(
                        "2|renamed|b|m2", "3|three|a|m3", "10|" + n32 + "|b|fits", "13|ok|a|back");
        assertThat(
                        db.rows(
                                "SELECT row_key, columns, event FROM `_schemachange`.schemachange_unfit "
                                        + "ORDER BY id"))
                .containsExactly(
                        "11|name|insert", "12|tag|insert", "13|memo|insert", "1|memo|update");
        Progress p = migrator.read().orElseThrow();
        assertThat(p.rollbackLoss().rows()).isEqualTo(4);
        assertThat(p.rollbackLoss().firstKey()).isEqualTo("11");
        assertThat(p.rollbackLoss().firstColumns()).isEqualTo("name");
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.AppWorkload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.LockBaseline;
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
            "MODIFY id BIGINT NOT NULL AUTO_INCREMENT, MODIFY amount BIGINT NOT NULL DEFAULT 0";
    private static final String RETAIN =
            """
            backfill: {chunkTime: 20ms, maxChunkRows: 300}
            retention: {keepOldTableFor: 72h}
            """;
    private static final Duration BASELINE = Duration.ofSeconds(2);

    /** The application's table with an INT key: appends, updates, key changes, deletes. */
    private static AppWorkload intKeyed(TestDatabase db, String table, int rows) {
        AppWorkload.create(db, table, null, rows);
        db.exec("ALTER TABLE `" + table + "` MODIFY id INT NOT NULL AUTO_INCREMENT");
        return AppWorkload.of(db, table, null, rows, 3, "REPEATABLE READ");
    }

    @Test
    void anIntKeyAndColumnWidenedToBigintRollBackWithEveryWriteMadeSinceTheSwap(TestDatabase db)
            throws Exception {
        AppWorkload app = intKeyed(db, "ledger", 3_000);
        SchemaChangeSpec spec = Changes.spec(db, "ledger", TO_BIGINT, RETAIN);
        Migrator migrator = Changes.migrator(db, spec);
        Progress swapped;
        Progress back;
        List<List<String>> synced;
        try (app) {
            app.start(AppWorkload.Target.TABLE);
            // writes during the copy, the swap and after it
            LockBaseline baseline = LockBaseline.measure(app, BASELINE);
            swapped = Changes.run(migrator, Controls.NONE, null);
            Thread.sleep(500);
            synced =
                    db.snapshot(
                            AppWorkload.rows("ledger"),
                            AppWorkload.rows("ledger__osc_old"),
                            AppWorkload.rows("ledger_ref"));
            back = migrator.rollback(Duration.ofSeconds(30));
            Thread.sleep(300); // and on the old INT table, live again
            baseline.assertNoMoreLockConflictsThanTheBaseline();
        }

        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        assertThat(swapped.message()).contains("reverse-synced: rollback is lossless");
        assertThat(swapped.rollbackLoss()).isNull();
        assertThat(LockFootprintTest.difference(synced.get(0), synced.get(2)))
                .as("live BIGINT table")
                .isEmpty();
        assertThat(LockFootprintTest.difference(synced.get(1), synced.get(2)))
                .as("reverse-synced INT table")
                .isEmpty();
        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(back.message()).doesNotContain("lost");
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(
                        LockFootprintTest.difference(
                                db.rows(AppWorkload.rows("ledger")),
                                db.rows(AppWorkload.rows("ledger_ref"))))
                .as("the table after the rollback against the application's record")
                .isEmpty();
        assertThat(db.value("SHOW CREATE TABLE ledger"))
                .contains(
                        "`id` int(11) NOT NULL AUTO_INCREMENT",
                        "`amount` int(11) NOT NULL DEFAULT 0");
    }

    @Test
    void aValuePastTheOldRangeIsWrittenButNotCarriedBackAndTheRollbackNeedsConsent(TestDatabase db)
            throws Exception {
        AppWorkload app = intKeyed(db, "accounts", 2_000);
        // rows of our own, in a key range the application never touches
        db.exec(
                "INSERT INTO accounts (id, account, amount, note) VALUES (5000001, 1, 1, 'k grows'), "
                        + "(5000002, 2, 2, 'key moves'), (5000003, 3, 3, 'still fits')");
        SchemaChangeSpec spec = Changes.spec(db, "accounts", TO_BIGINT, RETAIN);
        Migrator migrator = Changes.migrator(db, spec);
        Progress lossy;
        Progress refused;
        Progress back;
        List<List<String>> synced;
        try (app) {
            app.start(AppWorkload.Target.TABLE);
            LockBaseline baseline = LockBaseline.measure(app, BASELINE);
            assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            Thread.sleep(500);
            baseline.assertNoMoreLockConflictsThanTheBaseline();
            // the application stops before our key past the INT range raises the counter its
            // appends would take keys from
            app.stop();
            // the application's writes under strict mode: each succeeds on the BIGINT table
            db.exec(
                    "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO'",
                    "INSERT INTO accounts (id, account, amount, note) VALUES (3000000000, 1, 1, 'past INT')",
                    "UPDATE accounts SET amount = 5000000000 WHERE id = 5000001",
                    "UPDATE accounts SET id = 3000000001 WHERE id = 5000002",
                    "UPDATE accounts SET note = 'fits, carried' WHERE id = 5000003");
            Thread.sleep(300);
            synced =
                    db.snapshot(
                            "SELECT id, account, amount, note FROM accounts WHERE id < 2147483648 "
                                    + "AND id NOT IN (5000001, 5000002) ORDER BY id",
                            AppWorkload.rows("accounts__osc_old"));
            lossy = migrator.read().orElseThrow();
            refused = migrator.rollback(Duration.ofSeconds(30));
            assertThat(db.rows("SHOW TRIGGERS LIKE 'accounts'")).hasSize(3);
            back = migrator.rollback(Duration.ofSeconds(30), true);
            app.start(AppWorkload.Target.TABLE); // on the old INT table, live again
            Thread.sleep(300);
        }

        assertThat(LockFootprintTest.difference(synced.get(1), synced.get(0)))
                .as("the old table holds every row that fits, none stale")
                .isEmpty();
        assertThat(synced.get(1)).contains("5000003|3|3|fits, carried");
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
                        "key 5000001 (amount, update",
                        "key 3000000001 (id, update");
        assertThat(refused.problem().fix()).contains("--accept-loss");

        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(back.message())
                .contains("lost with consent", "3 rows not carried: key 3000000000 (id");
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(
                        db.rows(
                                "SELECT id, account, amount, note FROM accounts WHERE id > 5000000 AND id < 6000000"))
                .containsExactly("5000003|3|3|fits, carried");
        assertThat(
                        LockFootprintTest.difference(
                                db.rows(
                                        "SELECT id, account, amount, note FROM accounts WHERE id < 5000000 "
                                                + "OR id > 6000000 ORDER BY id"),
                                db.rows(
                                        "SELECT id, account, amount, note FROM accounts_ref WHERE id < 5000000 "
                                                + "OR id > 6000000 ORDER BY id")))
                .as("the table after the rollback against the application's record")
                .isEmpty();
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

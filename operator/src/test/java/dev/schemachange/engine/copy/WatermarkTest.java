package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The forward triggers leave the shadow's uncopied range to the copier: writes there are journaled
 * and re-copied once the copier has passed them, so no application transaction gap-locks rows the
 * copier has not reached.
 */
@MariaDb
class WatermarkTest {
    private static final String SPEC =
            """
            backfill: {chunkTime: 10ms, maxChunkRows: 100}
            swap: {approval: Required}
            retention: {keepOldTableFor: "0"}
            """;
    private static final Controls APPROVED = new Controls(true, null, false, false);

    @Test
    void writesAboveTheWatermarkAreJournaledAndReachTheShadowWhenTheCopierPassesThem(
            TestDatabase db) {
        table(db, "accounts");
        Migrator migrator = Changes.migrator(db, spec(db, "accounts"));
        assertThat(Changes.run(migrator, Controls.NONE, Phase.Backfilling).phase())
                .isEqualTo(Phase.Backfilling);

        db.exec(
                "UPDATE accounts SET v = 'changed' WHERE id = 500",
                "DELETE FROM accounts WHERE id = 600",
                "UPDATE accounts SET id = 5000 WHERE id = 700", // to above the copy range
                "INSERT INTO accounts VALUES (4000, 'appended')",
                "UPDATE accounts SET id = 600 WHERE id = 4000"); // from above the copy range into
        // it

        assertThat(db.rows("SELECT id FROM accounts__osc_new ORDER BY id"))
                .as("only keys above the copy range are mirrored before the copier gets there")
                .containsExactly("5000");
        assertThat(db.rows("SELECT id FROM accounts__osc_jnl ORDER BY id"))
                .containsExactly("500", "600", "700");

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).as("nothing left for Verifying to repair").isZero();
        assertThat(db.rows("SELECT id, v FROM `_schemachange`.accounts ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM accounts ORDER BY id"));
        assertThat(db.count("SELECT COUNT(*) FROM accounts__osc_jnl")).isZero();

        Progress done = Changes.run(migrator, APPROVED, null);

        assertThat(done.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SHOW TABLES LIKE 'accounts%'")).containsExactly("accounts");
    }

    @Test
    void withTheWatermarkLostAsAfterAServerRestartTheTriggersMirrorEveryWriteAndTheChangeStaysExact(
            TestDatabase db) {
        table(db, "ledger");
        Migrator migrator = Changes.migrator(db, spec(db, "ledger"));
        Changes.run(migrator, Controls.NONE, Phase.Backfilling);

        db.exec("DELETE FROM ledger__osc_wmk"); // a restart empties MEMORY tables
        db.exec(
                "UPDATE ledger SET v = 'changed' WHERE id = 500",
                "DELETE FROM ledger WHERE id = 600");

        assertThat(db.rows("SELECT id, v FROM ledger__osc_new")).containsExactly("500|changed");
        assertThat(db.count("SELECT COUNT(*) FROM ledger__osc_jnl")).isZero();

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(db.count("SELECT COUNT(*) FROM ledger__osc_wmk"))
                .as("the copier never opens it again")
                .isZero();
        assertThat(db.rows("SELECT id, v FROM `_schemachange`.ledger ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM ledger ORDER BY id"));
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    @Test
    void aCompositeKeyIsComparedColumnByColumnInTheIndexOrder(TestDatabase db) {
        db.exec(
                "CREATE TABLE visits (shop INT NOT NULL, day ENUM('mon','tue','wed') NOT NULL, n INT, "
                        + "PRIMARY KEY (shop, day))",
                "INSERT INTO visits SELECT s.seq, d.day, s.seq FROM seq_1_to_300 s "
                        + "CROSS JOIN (SELECT 'mon' AS day UNION SELECT 'tue' UNION SELECT 'wed') d");
        Migrator migrator = Changes.migrator(db, spec(db, "visits"));
        Changes.run(migrator, Controls.NONE, Phase.Backfilling);

        db.exec(
                "UPDATE visits SET n = -1 WHERE shop = 150 AND day = 'tue'",
                "INSERT INTO visits VALUES (300, 'wed', 0) ON DUPLICATE KEY UPDATE n = -2",
                "INSERT INTO visits VALUES (301, 'mon', -3)");

        assertThat(db.rows("SELECT shop, day FROM visits__osc_jnl ORDER BY shop, day"))
                .containsExactly("150|tue", "300|wed");
        assertThat(db.rows("SELECT shop, day, n FROM visits__osc_new"))
                .containsExactly("301|mon|-3");

        Changes.run(migrator, Controls.NONE, null);

        assertThat(db.rows("SELECT shop, day, n FROM `_schemachange`.visits ORDER BY shop, day"))
                .isEqualTo(db.rows("SELECT shop, day, n FROM visits ORDER BY shop, day"));
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    /**
     * Keys around the end of the copy range, per type: the triggers must order them as the index
     * does, or a new row just above the range would be journaled where the copier never goes.
     * Values are listed in index order; the last one is inserted after the triggers exist.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "u64|BIGINT UNSIGNED|9223372036854775807|9223372036854775808|18446744073709551614|18446744073709551615",
                "ci|VARCHAR(10) COLLATE utf8mb4_general_ci|'a'|'B'|'c'|'D'",
                "bin|VARBINARY(4)|x'00'|x'0000'|x'7f'|x'ff'",
                "ts|DATETIME(6)|'2020-01-01 00:00:00'|'2020-01-01 00:00:00.000001'|'2020-01-01 00:00:01'|'2020-01-01 00:00:01.000001'",
                "dec|DECIMAL(10,2)|-1.50|-1.00|2.25|2.26"
            })
    void triggersOrderKeysAsTheIndexDoes(
            String name,
            String type,
            String a,
            String b,
            String max,
            String above,
            TestDatabase db) {
        String table = "order_" + name;
        db.exec(
                "CREATE TABLE " + table + " (k " + type + " NOT NULL PRIMARY KEY, v INT NOT NULL)",
                "INSERT INTO "
                        + table
                        + " VALUES ("
                        + a
                        + ", 1), ("
                        + b
                        + ", 2), ("
                        + max
                        + ", 3)");
        Migrator migrator = Changes.migrator(db, spec(db, table));
        Changes.run(migrator, Controls.NONE, Phase.Backfilling);

        db.exec(
                "INSERT INTO " + table + " VALUES (" + above + ", 4)",
                "UPDATE " + table + " SET v = 5 WHERE k = " + max,
                "UPDATE " + table + " SET v = 6 WHERE k = " + a);

        assertThat(db.rows("SELECT v FROM " + table + "__osc_new"))
                .as("mirrored above the copy range")
                .containsExactly("4");
        assertThat(db.count("SELECT COUNT(*) FROM " + table + "__osc_jnl"))
                .as("journaled within it")
                .isEqualTo(2);
        Changes.run(migrator, Controls.NONE, null);
        assertThat(db.rows("SELECT v FROM `_schemachange`." + table + " ORDER BY k"))
                .isEqualTo(db.rows("SELECT v FROM " + table + " ORDER BY k"));
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    private static void table(TestDatabase db, String name) {
        db.exec(
                "CREATE TABLE " + name + " (id INT NOT NULL PRIMARY KEY, v VARCHAR(20) NOT NULL)",
                "INSERT INTO " + name + " SELECT seq, CONCAT('v', seq) FROM seq_1_to_1000");
    }

    private static SchemaChangeSpec spec(TestDatabase db, String table) {
        return Changes.spec(db, table, "ADD COLUMN note VARCHAR(64) NULL", SPEC);
    }
}

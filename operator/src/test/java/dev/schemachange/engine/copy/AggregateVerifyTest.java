package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Verifying compares each chunk by an aggregate of both sides and row by row only where the
 * aggregates differ: a difference of one byte, a row too few or a row too many, wherever it is, is
 * found and repaired, and the change reaches AwaitingSwap with the shadow equal byte for byte.
 *
 * <p>Each test stops the change when the backfill is done, damages the shadow directly (no trigger
 * sees that), and lets Verifying run. With {@code maxChunkRows: 100} the 5,000 rows are verified in
 * chunks of 1,000 and 2,000 rows (first, middle, last) and repaired in pieces of 100, so each
 * damaged row is one repaired piece.
 */
@MariaDb
class AggregateVerifyTest {
    private static final String SPEC =
            """
            backfill: {chunkTime: 10s, maxChunkRows: 100}
            swap: {approval: Required}
            retention: {keepOldTableFor: "0"}
            """;
    private static final Controls APPROVED = new Controls(true, null, false, false);

    /** Keys 2, 4, …, 10000: odd keys are free for a row too many, anywhere in the range. */
    private static void ledger(TestDatabase db, String table) {
        db.exec(
                "CREATE TABLE "
                        + table
                        + " (id INT NOT NULL PRIMARY KEY, amount DECIMAL(10,2) NOT NULL,"
                        + " note VARCHAR(40) NULL) CHARACTER SET latin1",
                "INSERT INTO "
                        + table
                        + " SELECT seq * 2, seq / 7, CONCAT('note ', seq) FROM"
                        + " seq_1_to_5000");
    }

    @ParameterizedTest
    @ValueSource(strings = {"changed byte", "missing row", "row too many"})
    void aDifferenceInTheFirstMiddleAndLastChunkIsFoundAndRepaired(String damage, TestDatabase db) {
        String table = "ledger_" + damage.replace(' ', '_');
        ledger(db, table);
        Migrator migrator = backfilled(db, table, "ADD COLUMN extra INT NULL");

        for (int id : new int[] {2, 4000, 10000}) {
            switch (damage) {
                case "changed byte" ->
                        db.exec(
                                "UPDATE "
                                        + table
                                        + "__osc_new SET note = CONCAT('N', SUBSTRING(note, 2))"
                                        + " WHERE id = "
                                        + id);
                case "missing row" ->
                        db.exec("DELETE FROM " + table + "__osc_new WHERE id = " + id);
                default ->
                        db.exec(
                                "INSERT INTO "
                                        + table
                                        + "__osc_new (id, amount, note) VALUES ("
                                        + (id - 1)
                                        + ", 1, 'stray')");
            }
        }

        verifiedEqual(db, migrator, table, "id, amount, note", 3);
    }

    @Test
    void withSeveralThreadsChunksAreComparedAtOnceAndEveryDifferenceIsStillRepaired(
            TestDatabase db) {
        ledger(db, "ledger_threads");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "ledger_threads",
                                "ADD COLUMN extra INT NULL",
                                SPEC.replace(
                                        "maxChunkRows: 100", "maxChunkRows: 100, threads: 3")));
        assertThat(Changes.run(migrator, Controls.NONE, Phase.Verifying).phase())
                .isEqualTo(Phase.Verifying);

        db.exec(
                "DELETE FROM ledger_threads__osc_new WHERE id = 2",
                "UPDATE ledger_threads__osc_new SET note = 'note' WHERE id = 4000",
                "INSERT INTO ledger_threads__osc_new (id, amount, note) VALUES (10001, 1, 'stray')");

        verifiedEqual(db, migrator, "ledger_threads", "id, amount, note", 3);
    }

    @ParameterizedTest
    @ValueSource(strings = {"changed byte", "missing row", "row too many", "key's case"})
    void withACompositeTextKeyInACaseInsensitiveCollationEveryDifferenceIsFoundAndRepaired(
            String damage, TestDatabase db) {
        String table = "items_" + damage.replace(' ', '_').replace("'", "");
        db.exec(
                "CREATE TABLE "
                        + table
                        + " (tenant VARCHAR(16) NOT NULL, n INT NOT NULL,"
                        + " label VARCHAR(30) NOT NULL, PRIMARY KEY (tenant, n))"
                        + " CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci",
                "INSERT INTO "
                        + table
                        + " SELECT CONCAT('t', LPAD(seq DIV 100, 3, '0')),"
                        + " seq MOD 100 * 2, CONCAT('item ', seq) FROM seq_0_to_4999");
        Migrator migrator = backfilled(db, table, "ADD COLUMN extra INT NULL");

        for (String tenant : List.of("t000", "t020", "t049")) {
            String row = " WHERE tenant = '" + tenant + "' AND n = 10";
            switch (damage) {
                case "changed byte" ->
                        db.exec("UPDATE " + table + "__osc_new SET label = 'item 0'" + row);
                case "missing row" -> db.exec("DELETE FROM " + table + "__osc_new" + row);
                case "row too many" ->
                        db.exec(
                                "INSERT INTO "
                                        + table
                                        + "__osc_new (tenant, n, label) VALUES ('"
                                        + tenant
                                        + "', 11, 'stray')");
                default ->
                        db.exec("UPDATE " + table + "__osc_new SET tenant = UPPER(tenant)" + row);
            }
        }

        verifiedEqual(db, migrator, table, "tenant, n, label", 3);
    }

    @Test
    void nullEmptyAndTheStringNullAreThreeDifferentValues(TestDatabase db) {
        ledger(db, "ledger");
        db.exec("UPDATE ledger SET note = ELT(id MOD 3 + 1, NULL, '', 'NULL')");
        assertThat(
                        db.rows(
                                "SELECT COALESCE(note, '(null)') FROM ledger WHERE id IN (6, 4000, 9998)"))
                .containsExactly("(null)", "", "NULL");
        Migrator migrator = backfilled(db, "ledger", "ADD COLUMN extra INT NULL");

        db.exec(
                "UPDATE ledger__osc_new SET note = '' WHERE id = 6",
                "UPDATE ledger__osc_new SET note = NULL WHERE id = 4000",
                "UPDATE ledger__osc_new SET note = 'NULL' WHERE id = 6000",
                "UPDATE ledger__osc_new SET note = NULL WHERE id = 9998");

        verifiedEqual(db, migrator, "ledger", "id, amount, note", 4);
    }

    /**
     * A case-insensitive, accent-insensitive PAD SPACE collation calls these values equal; the
     * verify compares their bytes. Also across a change of character set.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "ADD COLUMN extra INT NULL",
                "MODIFY name VARCHAR(30) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL"
            })
    void lettersThatACaseInsensitiveCollationCallsEqualAreDifferentValues(
            String alter, TestDatabase db) {
        String table = alter.startsWith("ADD") ? "people" : "people_utf8mb4";
        db.exec(
                "CREATE TABLE "
                        + table
                        + " (id INT NOT NULL PRIMARY KEY, name VARCHAR(30) NOT NULL)"
                        + " CHARACTER SET latin1 COLLATE latin1_swedish_ci",
                "INSERT INTO " + table + " SELECT seq, CONCAT('name ', seq) FROM seq_1_to_5000");
        Migrator migrator = backfilled(db, table, alter);

        String shadow = table + "__osc_new";
        db.exec(
                "UPDATE " + shadow + " SET name = UPPER(name) WHERE id = 1",
                "UPDATE " + shadow + " SET name = CONCAT(name, ' ') WHERE id = 2500",
                "UPDATE " + shadow + " SET name = CONCAT(name, '  ') WHERE id = 3100",
                "UPDATE " + shadow + " SET name = REPLACE(name, 'a', 'á') WHERE id = 5000");

        verifiedEqual(db, migrator, table, "id, name", 4);
    }

    /**
     * Widened types print differently in each table; the digest casts the source to the new type,
     * so nothing is taken for a difference and nothing is repaired.
     */
    @Test
    void widenedTypesAndAChangedCharacterSetAreNotTakenForDifferences(TestDatabase db) {
        db.exec(
                "CREATE TABLE readings (id INT NOT NULL PRIMARY KEY, v DECIMAL(8,2) NULL,"
                        + " f FLOAT NULL, at DATETIME NULL, d DATE NULL, word VARCHAR(20) NULL,"
                        + " code VARCHAR(8) NULL) CHARACTER SET latin1",
                "INSERT INTO readings SELECT seq, seq / 3, seq / 7, '2026-01-01' + INTERVAL seq"
                        + " MINUTE, '2026-01-01' + INTERVAL seq DAY, CONCAT('wörd ', seq),"
                        + " IF(seq MOD 2, 'ab ', 'ab') FROM seq_1_to_5000",
                "UPDATE readings SET v = NULL, f = NULL, at = NULL, word = NULL WHERE id MOD 11 ="
                        + " 0");
        Migrator migrator =
                backfilled(
                        db,
                        "readings",
                        "MODIFY id BIGINT NOT NULL, MODIFY v DECIMAL(12,4) NULL, MODIFY f DOUBLE"
                                + " NULL, MODIFY at DATETIME(3) NULL, MODIFY d DATETIME NULL,"
                                + " MODIFY word VARCHAR(40) CHARACTER SET utf8mb4 NULL,"
                                + " MODIFY code CHAR(8) NULL");

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).as(verified.message()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).isZero();
        Digest digest =
                digest(
                        db,
                        "readings",
                        List.of(
                                new Plan.ColumnPair("id", "id", false),
                                new Plan.ColumnPair("v", "v", false),
                                new Plan.ColumnPair("f", "f", false),
                                new Plan.ColumnPair("at", "at", false),
                                new Plan.ColumnPair("d", "d", false),
                                new Plan.ColumnPair("word", "word", true),
                                new Plan.ColumnPair("code", "code", true)));
        assertThat(
                        db.value(
                                "SELECT CONCAT_WS(' ', "
                                        + digest.aggregate(true)
                                        + ") FROM readings__osc_new t"))
                .as("the digests of the whole table, not only its rows, are equal")
                .isEqualTo(
                        db.value(
                                "SELECT CONCAT_WS(' ', "
                                        + digest.aggregate(false)
                                        + ") FROM readings s"));
    }

    private static Digest digest(TestDatabase db, String table, List<Plan.ColumnPair> columns) {
        Plan.KeyColumn id = new Plan.KeyColumn("id", "id", null);
        Plan.Part part =
                new Plan.Part(
                        db.name(), table, table + "__osc_new", columns, List.of(id), Set.of());
        Plan plan =
                new Plan(
                        db.name(),
                        table,
                        "_schemachange",
                        "_schemachange_undo",
                        List.of(part),
                        "PRIMARY",
                        null,
                        List.of(),
                        List.of(),
                        false,
                        false,
                        List.of(),
                        "");
        try (Connection c = db.connect()) {
            return Digest.of(c, plan, part, true);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void eachPartOfASplitIsComparedByItsOwnColumns(TestDatabase db) {
        db.exec(
                "CREATE TABLE members (id INT NOT NULL PRIMARY KEY, email VARCHAR(40) NOT NULL,"
                        + " bio VARCHAR(60) NULL)",
                "INSERT INTO members SELECT seq, CONCAT('m', seq, '@example.org'),"
                        + " IF(seq MOD 5, CONCAT('bio ', seq), NULL) FROM seq_1_to_5000");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.split(
                                db,
                                "members",
                                """
                        split:
                          - table: members
                            columns: [id, email]
                          - table: member_bios
                            columns: [id, bio]
                        """
                                        + SPEC));
        assertThat(Changes.run(migrator, Controls.NONE, Phase.Verifying).phase())
                .isEqualTo(Phase.Verifying);

        db.exec(
                "UPDATE member_bios__osc_new SET bio = 'Bio 1' WHERE id = 1",
                "UPDATE member_bios__osc_new SET bio = NULL WHERE id = 4999",
                "DELETE FROM members__osc_new WHERE id = 2500");

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).as(verified.message()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.parts())
                .extracting(Progress.PartProgress::chunksRepaired)
                .containsExactly(1, 2);
        assertThat(bytes(db, "members__osc_new", "id, email"))
                .isEqualTo(bytes(db, "members", "id, email"));
        assertThat(bytes(db, "member_bios__osc_new", "id, bio"))
                .isEqualTo(bytes(db, "members", "id, bio"));
    }

    private static Migrator backfilled(TestDatabase db, String table, String alter) {
        Migrator migrator = Changes.migrator(db, Changes.spec(db, table, alter, SPEC));
        Progress copied = Changes.run(migrator, Controls.NONE, Phase.Verifying);
        assertThat(copied.phase()).as(copied.message()).isEqualTo(Phase.Verifying);
        return migrator;
    }

    /** Verifies, expects {@code repairs} repaired pieces and the shadow equal byte for byte. */
    private static void verifiedEqual(
            TestDatabase db, Migrator migrator, String table, String columns, int repairs) {
        assertThat(bytes(db, table + "__osc_new", columns))
                .as("damaged")
                .isNotEqualTo(bytes(db, table, columns));

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).as(verified.message()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).isEqualTo(repairs);
        assertThat(bytes(db, table + "__osc_new", columns)).isEqualTo(bytes(db, table, columns));
        Progress done = Changes.run(migrator, APPROVED, null);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.Completed);
    }

    /** Every row as hex bytes of its utf8mb4 text, NULL as NULL, in key order. */
    private static List<String> bytes(TestDatabase db, String table, String columns) {
        StringBuilder select = new StringBuilder();
        for (String c : columns.split(",\\s*")) {
            select.append(select.isEmpty() ? "" : ", ")
                    .append("COALESCE(HEX(CONVERT(")
                    .append(c)
                    .append(" USING utf8mb4)), 'NULL')");
        }
        return db.rows(
                "SELECT CONCAT_WS('|', "
                        + select
                        + ") FROM "
                        + table
                        + " ORDER BY "
                        + columns.split(",")[0]
                        + (columns.startsWith("tenant") ? ", n" : ""));
    }
}

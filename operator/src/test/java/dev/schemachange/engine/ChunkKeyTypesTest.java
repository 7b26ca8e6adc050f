package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kind of chunk key copies exactly: tiny chunks put boundaries everywhere, writes through the
 * triggers land between the copy and the swap, and the live table afterwards equals the original at
 * the swap.
 */
@MariaDb
class ChunkKeyTypesTest {

    record Case(
            String name,
            String ddl,
            String fill,
            List<String> writes,
            String columns,
            String orderBy,
            String alter) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(
                        "int auto-increment",
                        "id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20)",
                        "INSERT INTO %s (v) SELECT CONCAT('v', seq) FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s (v) VALUES ('late')",
                                "UPDATE %s SET id = 1000 WHERE id = 5",
                                "DELETE FROM %s WHERE id = 7"),
                        "id, v",
                        "id",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "bigint unsigned near 2^64",
                        "id BIGINT UNSIGNED NOT NULL PRIMARY KEY, v INT",
                        "INSERT INTO %s SELECT 18446744073709551615 - seq * 1000, seq FROM seq_0_to_150 "
                                + "UNION ALL SELECT seq, seq FROM seq_1_to_150",
                        List.of(
                                "INSERT INTO %s VALUES (18446744073709551614, -1)",
                                "UPDATE %s SET v = v + 1 WHERE id > 9223372036854775807",
                                "DELETE FROM %s WHERE id = 18446744073709550615"),
                        "id, v",
                        "id",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "composite int, varchar",
                        "a INT NOT NULL, b VARCHAR(20) NOT NULL, v INT, PRIMARY KEY (a, b)",
                        "INSERT INTO %s SELECT seq % 4, CONCAT('k', seq), seq FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s VALUES (2, 'a-late', 1)",
                                "UPDATE %s SET b = 'zz' WHERE a = 1 AND b = 'k5'",
                                "DELETE FROM %s WHERE a = 3 AND b = 'k7'"),
                        "a, b, v",
                        "a, b",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "varbinary(16) with trailing zero bytes",
                        "id VARBINARY(16) NOT NULL PRIMARY KEY, v INT",
                        "INSERT INTO %s SELECT UNHEX(MD5(seq)), seq FROM seq_1_to_200 "
                                + "UNION ALL SELECT CONCAT(UNHEX('00ff'), REPEAT(CHAR(0), seq % 5)), 1000 + seq FROM seq_1_to_5",
                        List.of(
                                "INSERT INTO %s VALUES (UNHEX('00000000'), 7)",
                                "UPDATE %s SET v = -v WHERE id = UNHEX(MD5(3))",
                                "DELETE FROM %s WHERE id = UNHEX(MD5(9))"),
                        "HEX(id), v",
                        "id",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "int, datetime(6)",
                        "a INT NOT NULL, ts DATETIME(6) NOT NULL, v INT, PRIMARY KEY (a, ts)",
                        "INSERT INTO %s SELECT seq % 3, TIMESTAMP('2026-01-01') + INTERVAL seq * 1001 MICROSECOND, seq "
                                + "FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s VALUES (1, '2030-01-01 00:00:00.000001', 0)",
                                "DELETE FROM %s WHERE a = 0 AND ts < '2026-01-01 00:00:00.05'"),
                        "a, ts, v",
                        "a, ts",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "unique key only, no primary key",
                        "u INT NOT NULL, v INT NULL, UNIQUE KEY uk (u)",
                        "INSERT INTO %s SELECT seq * 3, IF(seq % 4 = 0, NULL, seq) FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s VALUES (1, NULL)",
                                "UPDATE %s SET u = 2 WHERE u = 6"),
                        "u, v",
                        "u",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "case-insensitive varchar key, latin1 and emoji",
                        "k VARCHAR(20) CHARACTER SET utf8mb4 COLLATE utf8mb4_general_ci NOT NULL PRIMARY KEY, "
                                + "l VARCHAR(20) CHARACTER SET latin1 NULL, e VARCHAR(20) CHARACTER SET utf8mb4 NULL",
                        "INSERT INTO %s SELECT CONCAT(IF(seq % 2, 'A', 'b'), seq), 'caf\u00e9', "
                                + "CONCAT('\uD83D\uDE00', seq) FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s VALUES ('a0', '\u00e9t\u00e9', '\uD83D\uDE80')",
                                "UPDATE %s SET k = 'Zed' WHERE k = 'A1'"),
                        "k, l, e",
                        "k",
                        "MODIFY l VARCHAR(40) CHARACTER SET utf8mb4 NULL"),
                new Case(
                        "enum and decimal composite",
                        "e ENUM('red','green','blue') NOT NULL, d DECIMAL(20,6) NOT NULL, "
                                + "v INT, PRIMARY KEY (e, d)",
                        "INSERT INTO %s SELECT ELT(1 + seq % 3, 'blue', 'red', 'green'), seq / 7, seq FROM seq_1_to_300",
                        List.of(
                                "INSERT INTO %s VALUES ('green', 0.000001, 1)",
                                "DELETE FROM %s WHERE e = 'red' AND d < 3"),
                        "e, d, v",
                        "e, d",
                        "ADD COLUMN extra INT NULL"),
                new Case(
                        "zero dates written under a relaxed sql_mode",
                        "id INT PRIMARY KEY, d DATETIME NOT NULL DEFAULT '0000-00-00 00:00:00', n DATE NULL",
                        "INSERT INTO %s SELECT seq, IF(seq % 2, '0000-00-00 00:00:00', '2026-11-24 10:00:00'), "
                                + "IF(seq % 3 = 0, NULL, '0000-00-00') FROM seq_1_to_100",
                        List.of("INSERT INTO %s (id) VALUES (1000)"),
                        "id, d, n",
                        "id",
                        "ADD COLUMN extra INT NULL"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void copiesEveryRowExactly(Case c, TestDatabase db) {
        String table = "k" + Math.abs(c.name().hashCode());
        db.exec(
                "SET SESSION sql_mode = ''",
                "CREATE TABLE " + table + " (" + c.ddl() + ")",
                c.fill().replace("%s", table));
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        table,
                        c.alter(),
                        """
                backfill: {chunkTime: 10ms, maxChunkRows: 7}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);
        for (String w : c.writes()) {
            db.exec("SET SESSION sql_mode = ''", w.replace("%s", table));
        }
        String select = "SELECT " + c.columns() + " FROM %s ORDER BY " + c.orderBy();
        List<String> original = db.rows(select.replace("%s", table));
        assertThat(db.rows(select.replace("%s", "`_schemachange`." + table))).isEqualTo(original);

        Progress done = Changes.run(migrator, new Controls(true, null, false, false), null);

        assertThat(done.phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows(select.replace("%s", table))).isEqualTo(original);
    }
}

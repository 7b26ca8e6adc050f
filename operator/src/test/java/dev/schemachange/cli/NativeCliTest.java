package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code osc run} of a native change: the shipped example runs as its comments say, and a kill -9
 * between the native ALTER and the version row is completed by the next run.
 */
@MariaDb
class NativeCliTest {
    private static final String ORDERS =
            "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                    + "k INT NOT NULL, payload VARCHAR(64) NULL, KEY (k))";

    @Test
    void theNativeExampleAltersInPlaceRecordsTheVersionAndRollsBackWithTheReverseAlter(
            TestDatabase db) {
        db.exec(
                "DROP TABLE IF EXISTS orders, schema_migrations",
                ORDERS,
                "INSERT INTO orders (k, payload) SELECT seq % 100, CONCAT('row ', seq) FROM seq_1_to_1000",
                "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        String before = db.value("SHOW CREATE TABLE orders").replaceAll(" AUTO_INCREMENT=\\d+", "");
        String file = Path.of("..", "examples", "native-add-column.yaml").toString();

        assertThat(osc("run", file, db)).isZero();

        assertThat(db.value("SHOW CREATE TABLE orders"))
                .contains("`note` varchar(64) DEFAULT NULL", "DEFAULT 'none'");
        assertThat(db.rows("SELECT version FROM schema_migrations"))
                .containsExactly("20261203120000");
        assertThat(db.rows("SHOW TABLES FROM `_schemachange` LIKE 'orders%'")).isEmpty();
        assertThat(
                        db.value(
                                "SELECT CONCAT(phase, ' ', message) FROM `_schemachange`.schemachange_state "
                                        + "WHERE table_schema = DATABASE() AND table_name = 'orders'"))
                .startsWith("Swapped changed natively (INSTANT)");
        db.exec(
                "INSERT INTO orders (k, payload, note) VALUES (1, 'after', 'gone with the rollback')");

        assertThat(osc("rollback", file, db)).isZero();

        assertThat(db.value("SHOW CREATE TABLE orders").replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(before);
        assertThat(db.rows("SELECT version FROM schema_migrations")).isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM orders")).isEqualTo(1001);
    }

    @Test
    void aRunKilledBetweenTheNativeAlterAndTheVersionRowIsCompletedByTheNextRun(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.exec(
                "CREATE TABLE ledger (id INT NOT NULL PRIMARY KEY, amount INT NOT NULL)",
                "INSERT INTO ledger SELECT seq, seq FROM seq_1_to_1000",
                "CREATE TABLE ledger_versions (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: ledger-memo, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: ledger
                  alter: "ADD COLUMN memo VARCHAR(20) NULL"
                  migrationVersion: {table: ledger_versions, column: version, value: "42"}
                  retention: {keepOldTableFor: "0"}
                """
                        .formatted(db.server().port(), db.name()));
        Process first =
                CrashResumeTest.osc(
                        dir,
                        Map.of("OSC_CRASH_AT", "native:after-alter"),
                        "run",
                        "-f",
                        manifest.toString(),
                        "--user",
                        "root");
        assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(first.exitValue()).as(Files.readString(dir.resolve("out.log"))).isEqualTo(137);
        assertThat(db.rows("SHOW COLUMNS FROM ledger LIKE 'memo'")).as("the ALTER ran").hasSize(1);
        assertThat(db.rows("SELECT version FROM ledger_versions"))
                .as("the version not yet")
                .isEmpty();
        assertThat(state(db)).isEqualTo("Swapping");

        Process second =
                CrashResumeTest.osc(dir, "run", "-f", manifest.toString(), "--user", "root");
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"));

        assertThat(second.exitValue()).as(out).isZero();
        assertThat(out.strip().lines().reduce((a, b) -> b).orElse("")).isEqualTo("phase=Completed");
        assertThat(db.rows("SELECT version FROM ledger_versions")).containsExactly("42");
        assertThat(db.rows("SHOW COLUMNS FROM ledger LIKE 'memo'")).hasSize(1);
        assertThat(db.count("SELECT SUM(amount) FROM ledger")).isEqualTo(500500);
    }

    private static String state(TestDatabase db) {
        return db.value(
                "SELECT phase FROM `_schemachange`.schemachange_state WHERE table_schema = DATABASE() "
                        + "AND table_name = 'ledger'");
    }

    private static int osc(String command, String file, TestDatabase db) {
        return Osc.execute(
                command, "-f", file, "--jdbc-url", db.jdbcUrl(), "--user", db.server().user());
    }
}

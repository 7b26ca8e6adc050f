package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code osc plan} on every shipped example: exit 0, the strategy and the statements, and the
 * database exactly as before (schemas, tables, triggers).
 */
@MariaDb
class PlanCommandTest {
    private static final ExamplesRunTest.Example NATIVE =
            new ExamplesRunTest.Example(
                    "native-add-column.yaml",
                    "orders",
                    List.of(
                            "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                                    + "k INT NOT NULL, payload VARCHAR(64) NULL, KEY (k))",
                            "INSERT INTO orders (k, payload) SELECT seq % 100, CONCAT('row ', seq) FROM seq_1_to_1000",
                            "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)"));

    static Stream<ExamplesRunTest.Example> examples() {
        return Stream.concat(ExamplesRunTest.examples(), Stream.of(NATIVE));
    }

    @Test
    void everyExampleFileIsPlanned() throws IOException {
        List<String> planned = examples().map(ExamplesRunTest.Example::file).toList();
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")))
                    .allMatch(planned::contains);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void planPrintsTheStrategyAndTheStatementsAndChangesNothing(
            ExamplesRunTest.Example example, TestDatabase db) {
        db.exec(
                "DROP TABLE IF EXISTS addresses, customers, payments, orders, schema_migrations",
                "DROP DATABASE IF EXISTS `_schemachange`");
        db.exec(example.setup().toArray(String[]::new));
        String file = Path.of("..", "examples", example.file()).toString();
        List<String> before = snapshot(db);

        for (String format : List.of("text", "sql", "json")) {
            String out = captured(() -> plan(file, db, format), 0);
            assertThat(out)
                    .as(format)
                    .contains(example.file().startsWith("native") ? "Native (INSTANT)" : "Copy");
        }
        String text = captured(() -> plan(file, db, "text"), 0);

        assertThat(snapshot(db)).as("nothing changed").isEqualTo(before);
        if (example.file().startsWith("native")) {
            assertThat(text)
                    .contains(
                            "why: the server applies \"ADD COLUMN note VARCHAR(64) NULL, MODIFY payload",
                            "ALTER TABLE `"
                                    + db.name()
                                    + "`.`orders` ADD COLUMN note VARCHAR(64) NULL, MODIFY payload VARCHAR(64) NULL DEFAULT 'none', ALGORITHM=INSTANT;",
                            "INSERT IGNORE INTO `"
                                    + db.name()
                                    + "`.`schema_migrations` (`version`) VALUES (?);",
                            "ALTER TABLE `"
                                    + db.name()
                                    + "`.`orders` CHANGE COLUMN `payload` `payload` varchar(64) DEFAULT NULL, "
                                    + "DROP COLUMN `note`, ALGORITHM=INSTANT;",
                            "disk needed 0 B");
        } else {
            assertThat(text)
                    .contains(
                            "1. shadow table",
                            "CREATE TRIGGER",
                            "RENAME TABLE",
                            "copy time",
                            "INSERT IGNORE INTO `" + db.name() + "`.`",
                            "-- ? = the last key copied (id), then the chunk's last key (id)",
                            "START TRANSACTION WITH CONSISTENT SNAPSHOT",
                            "ANALYZE TABLE `" + db.name() + "`.`",
                            "rollback before the swap",
                            "rollback after the swap");
            assertThat(captured(() -> plan(file, db, "json"), 0))
                    .contains("\"placeholders\" : [", "the chunk's last key (id)");
        }
        if (example.file().equals("fk-children.yaml")) {
            assertThat(text)
                    .contains(
                            "ALTER TABLE `"
                                    + db.name()
                                    + "`.`addresses` DROP FOREIGN KEY `addresses_customer`, ADD CONSTRAINT "
                                    + "`addresses_customer__osc` FOREIGN KEY (`customer_id`) REFERENCES "
                                    + "`customers` (`id`) ON DELETE CASCADE, ALGORITHM=INPLACE, LOCK=NONE;");
        }
    }

    @Test
    void aRefusalIsTheOneRunGivesAndExitsOne(TestDatabase db) {
        db.exec(
                "DROP TABLE IF EXISTS addresses, customers, payments, orders, schema_migrations",
                "CREATE TABLE orders (id INT PRIMARY KEY, total INT NULL)");
        String file = Path.of("..", "examples", "native-add-column.yaml").toString();
        List<String> before = snapshot(db);

        String planned = capturedErr(() -> plan(file, db, "text"), 1);

        assertThat(snapshot(db)).isEqualTo(before);
        assertThat(planned)
                .startsWith(
                        "error: spec.migrationVersion.table: table "
                                + db.name()
                                + ".schema_migrations does not exist");
        String run =
                capturedErr(
                        () ->
                                Osc.execute(
                                        "run",
                                        "-f",
                                        file,
                                        "--jdbc-url",
                                        db.jdbcUrl(),
                                        "--user",
                                        db.server().user()),
                        1);
        assertThat(run).isEqualTo(planned);
    }

    private static int plan(String file, TestDatabase db, String format) {
        return Osc.execute(
                "plan",
                "-f",
                file,
                "-o",
                format,
                "--jdbc-url",
                db.jdbcUrl(),
                "--user",
                db.server().user());
    }

    /** Every schema, table and trigger on the server, with each table's definition. */
    private static List<String> snapshot(TestDatabase db) {
        List<String> out =
                new ArrayList<>(
                        db.rows("SELECT SCHEMA_NAME FROM information_schema.SCHEMATA ORDER BY 1"));
        out.addAll(
                db.rows(
                        "SELECT CONCAT(TABLE_SCHEMA, '.', TABLE_NAME, ' ', TABLE_TYPE) FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1"));
        for (String t :
                db.rows(
                        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1")) {
            out.add(
                    db.rows("SHOW CREATE TABLE `" + t + "`")
                            .get(0)
                            .replaceAll(" AUTO_INCREMENT=\\d+", ""));
        }
        out.addAll(
                db.rows(
                        "SELECT CONCAT(TRIGGER_SCHEMA, '.', TRIGGER_NAME) FROM information_schema.TRIGGERS ORDER BY 1"));
        return out;
    }

    private static String captured(java.util.function.IntSupplier run, int exit) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(run.getAsInt()).isEqualTo(exit);
        } finally {
            System.setOut(saved);
        }
        String out = buffer.toString(StandardCharsets.UTF_8);
        saved.print(out);
        return out;
    }

    private static String capturedErr(java.util.function.IntSupplier run, int exit) {
        PrintStream saved = System.err;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            assertThat(run.getAsInt()).isEqualTo(exit);
        } finally {
            System.setErr(saved);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}

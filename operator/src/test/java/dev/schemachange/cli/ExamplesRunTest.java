package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code osc run} takes the shipped examples as they are, against a throwaway server holding their
 * table.
 */
@MariaDb
class ExamplesRunTest {
    private static final int ROWS = 1_000;

    /** An example and the tables it expects, as the "Expects:" comment at its top shows them. */
    record Example(String file, String table, List<String> setup) {
        @Override
        public String toString() {
            return file;
        }
    }

    private static final String ORDERS =
            "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                    + "k INT NOT NULL, payload VARCHAR(64) NULL, KEY (k))";
    private static final String FILL_ORDERS =
            "INSERT INTO orders (k, payload) SELECT seq % 1000, CONCAT('row ', seq) "
                    + "FROM seq_1_to_"
                    + ROWS;
    private static final String CUSTOMERS =
            "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, "
                    + "email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100) NULL, "
                    + "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    private static final String FILL_CUSTOMERS =
            "INSERT INTO customers (email, name) SELECT CONCAT('c', seq, "
                    + "'@example.com'), CONCAT('customer ', seq) FROM seq_1_to_"
                    + ROWS;

    static Stream<Example> examples() {
        return Stream.of(
                new Example("orders-bigint.yaml", "orders", List.of(ORDERS, FILL_ORDERS)),
                new Example("add-index-approval.yaml", "orders", List.of(ORDERS, FILL_ORDERS)),
                new Example(
                        "rails-migration-version.yaml",
                        "orders",
                        List.of(
                                ORDERS,
                                FILL_ORDERS,
                                "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)")),
                new Example("add-column.yaml", "customers", List.of(CUSTOMERS, FILL_CUSTOMERS)),
                new Example(
                        "fk-children.yaml",
                        "customers",
                        List.of(
                                CUSTOMERS,
                                FILL_CUSTOMERS,
                                "CREATE TABLE addresses (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, "
                                        + "city VARCHAR(64) NOT NULL, CONSTRAINT addresses_customer FOREIGN KEY "
                                        + "(customer_id) REFERENCES customers (id) ON DELETE CASCADE)",
                                "INSERT INTO addresses (customer_id, city) SELECT seq, 'Berlin' FROM seq_1_to_"
                                        + ROWS)),
                new Example(
                        "customers-split.yaml",
                        "customers_core",
                        List.of(
                                "CREATE TABLE customers (id INT "
                                        + "AUTO_INCREMENT PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100) NULL, "
                                        + "created_at DATETIME NOT NULL, bio TEXT NULL, avatar_url VARCHAR(255) NULL, "
                                        + "preferences JSON NULL, legacy_flag TINYINT NULL)",
                                "INSERT INTO customers (email, name, created_at, bio, preferences) SELECT CONCAT('c', seq, "
                                        + "'@example.com'), CONCAT('customer ', seq), NOW(), 'bio', '{}' FROM seq_1_to_"
                                        + ROWS)),
                ROLLBACK);
    }

    private static final Example ROLLBACK =
            new Example(
                    "rollback.yaml",
                    "payments",
                    List.of(
                            "CREATE TABLE payments "
                                    + "(id BIGINT AUTO_INCREMENT PRIMARY KEY, amount DECIMAL(12,2) NOT NULL, paid_at DATETIME NULL)",
                            "INSERT INTO payments (amount, paid_at) SELECT seq / 100, NOW() FROM seq_1_to_"
                                    + ROWS));

    private static String arrange(Example example, TestDatabase db) {
        db.exec(
                "DROP TABLE IF EXISTS addresses, customers, payments, payments__osc_new, orders, schema_migrations",
                "DROP DATABASE IF EXISTS `_schemachange`");
        db.exec(example.setup().toArray(String[]::new));
        return Path.of("..", "examples", example.file()).toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void anExampleRunsUpToTheSwapWithConnectionFlagsOverridingItsDatabase(
            Example example, TestDatabase db) {
        String file = arrange(example, db);

        int exit =
                Osc.execute(
                        "run",
                        "-f",
                        file,
                        "--jdbc-url",
                        db.jdbcUrl(),
                        "--user",
                        db.server().user(),
                        "--until",
                        "AwaitingSwap");

        assertThat(exit).isZero();
        assertThat(db.count("SELECT COUNT(*) FROM `_schemachange`." + example.table()))
                .isEqualTo(ROWS);
        assertThat(
                        Osc.execute(
                                "rollback",
                                "-f",
                                file,
                                "--jdbc-url",
                                db.jdbcUrl(),
                                "--user",
                                db.server().user()))
                .isZero();
    }

    @Test
    void theRollbackExampleSwapsAndRollsBackAfterTheSwapAsItsCommentsSay(TestDatabase db) {
        String file = arrange(ROLLBACK, db);
        String before = db.value("SHOW CREATE TABLE payments");

        assertThat(
                        Osc.execute(
                                "run",
                                "-f",
                                file,
                                "--jdbc-url",
                                db.jdbcUrl(),
                                "--user",
                                db.server().user()))
                .isZero();
        assertThat(db.value("SHOW CREATE TABLE payments")).contains("`reference`");
        db.exec("INSERT INTO payments (amount, reference) VALUES (123456.78, 'after the swap')");
        assertThat(
                        Osc.execute(
                                "rollback",
                                "-f",
                                file,
                                "--jdbc-url",
                                db.jdbcUrl(),
                                "--user",
                                db.server().user()))
                .isZero();

        assertThat(db.value("SHOW CREATE TABLE payments").replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(before.replaceAll(" AUTO_INCREMENT=\\d+", ""));
        assertThat(db.count("SELECT COUNT(*) FROM payments WHERE amount = 123456.78"))
                .as("the write made after the swap")
                .isEqualTo(1);
        assertThat(db.count("SELECT COUNT(*) FROM payments")).isEqualTo(ROWS + 1);
    }
}

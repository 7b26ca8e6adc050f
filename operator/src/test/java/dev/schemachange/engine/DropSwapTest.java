package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * foreignKeys.children: DropSwap (pt-osc's drop_swap): the original is dropped and the shadow
 * renamed into its place with foreign_key_checks=0, so the children's constraints bind to the new
 * table by name, unchanged. Not atomic: application statements in the gap fail, and that is the
 * documented, opted-in risk — but no committed write may be lost and no child may end up orphaned.
 */
@MariaDb
class DropSwapTest {

    @Test
    void childConstraintsBindToTheNewTableByNameAndNoCommittedWriteIsLost(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO customers SELECT seq, CONCAT('c', seq) FROM seq_1_to_2000",
                "CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, "
                        + "CONSTRAINT invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id) "
                        + "ON DELETE CASCADE)",
                "INSERT INTO invoices (customer_id) SELECT 1 + seq % 2000 FROM seq_1_to_3000",
                // RESTRICT on customers 1..50, which the application never deletes
                "CREATE TABLE contracts (id INT PRIMARY KEY, customer_id INT NOT NULL, "
                        + "CONSTRAINT contracts_customer FOREIGN KEY (customer_id) REFERENCES customers (id))",
                "INSERT INTO contracts SELECT seq, seq FROM seq_1_to_50",
                "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        String invoicesBefore = showCreate(db, "invoices");
        String contractsBefore = showCreate(db, "contracts");
        Set<Integer> customers = new ConcurrentSkipListSet<>();
        db.rows("SELECT id FROM customers").forEach(id -> customers.add(Integer.parseInt(id)));
        App app = new App(db, customers);
        Thread writer = new Thread(app::run, "customers-app");
        writer.start();
        Progress end;
        try {
            Thread.sleep(200);
            end =
                    Changes.run(
                            Changes.migrator(
                                    db,
                                    Changes.spec(
                                            db,
                                            "customers",
                                            "ADD COLUMN email VARCHAR(64)",
                                            """
                    backfill: {chunkTime: 20ms, maxChunkRows: 200}
                    foreignKeys: {children: DropSwap}
                    retention: {keepOldTableFor: "0"}
                    migrationVersion: {table: schema_migrations, column: version, value: "20261124103000"}
                    """)),
                            Controls.NONE,
                            null);
            Thread.sleep(300); // the application goes on with the new table
        } finally {
            app.running.set(false);
            writer.join();
        }

        assertThat(end.phase()).isEqualTo(Phase.Completed);
        assertThat(end.notes())
                .anySatisfy(n -> assertThat(n).startsWith("DropSwap: the table did not exist for"));
        assertThat(app.commits.get()).isGreaterThan(50);
        // the gap is the opted-in risk: only "table missing" and a child insert that found no
        // parent table
        assertThat(app.errors)
                .as("application errors, all in the DROP-RENAME gap")
                .allSatisfy(e -> assertThat(e).matches("(1146|1452) .*"));
        assertThat(
                        new TreeSet<>(
                                db.rows("SELECT id FROM customers").stream()
                                        .map(Integer::parseInt)
                                        .toList()))
                .as("every committed customer, none lost, none resurrected")
                .isEqualTo(new TreeSet<>(customers));
        assertThat(db.rows("SHOW COLUMNS FROM customers LIKE 'email'")).hasSize(1);
        assertThat(db.rows("SELECT version FROM schema_migrations"))
                .containsExactly("20261124103000");
        assertThat(showCreate(db, "invoices")).isEqualTo(invoicesBefore);
        assertThat(showCreate(db, "contracts")).isEqualTo(contractsBefore);
        assertThat(
                        db.rows(
                                "SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, DELETE_RULE FROM "
                                        + "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() ORDER BY 1"))
                .containsExactly(
                        "contracts_customer|contracts|customers|RESTRICT",
                        "invoices_customer|invoices|customers|CASCADE");
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id "
                                        + "WHERE c.id IS NULL"))
                .as("orphan invoices")
                .isZero();
        // the constraints are in force against the new table: CASCADE cascades, RESTRICT restricts,
        // no orphan
        db.exec("DELETE FROM customers WHERE id = 1000");
        assertThat(db.count("SELECT COUNT(*) FROM invoices WHERE customer_id = 1000")).isZero();
        assertThatThrownBy(() -> db.exec("DELETE FROM customers WHERE id = 1"))
                .hasMessageContaining("foreign key");
        assertThatThrownBy(() -> db.exec("INSERT INTO invoices (customer_id) VALUES (99999999)"))
                .hasMessageContaining("foreign key");
        assertThat(db.rows("SHOW TABLES LIKE 'customers%'")).containsExactly("customers");
        assertThat(db.rows("SHOW TABLES LIKE 'schema\\_migrations%'"))
                .containsExactly("schema_migrations");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
    }

    @Test
    void dropSwapWithAnOldTableKeptForRollbackIsRefused(TestDatabase db) {
        db.exec(
                "CREATE TABLE owners (id INT PRIMARY KEY)",
                "CREATE TABLE pets (id INT PRIMARY KEY, owner_id INT, FOREIGN KEY (owner_id) REFERENCES owners (id))");
        Progress p =
                Changes.run(
                        Changes.migrator(
                                db,
                                Changes.spec(
                                        db,
                                        "owners",
                                        "ADD COLUMN name VARCHAR(20)",
                                        "foreignKeys: {children: DropSwap}")),
                        Controls.NONE,
                        null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.problem().field()).isEqualTo("spec.retention.keepOldTableFor");
        assertThat(p.message()).contains("DropSwap drops the original table");
        assertThat(p.problem().fix()).startsWith("set retention.keepOldTableFor: \"0\" ");
        assertThat(db.rows("SHOW TABLES LIKE 'owners%'")).containsExactly("owners");
    }

    private static String showCreate(TestDatabase db, String table) {
        return db.rows("SHOW CREATE TABLE " + table).get(0).replaceAll(" AUTO_INCREMENT=\\d+", "");
    }

    /**
     * Inserts a customer with an invoice, updates one, deletes one (cascading its invoices), each
     * in its own transaction; remembers the customers whose transactions committed.
     */
    private static final class App {
        private final TestDatabase db;
        private final Set<Integer> customers;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger commits = new AtomicInteger();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        App(TestDatabase db, Set<Integer> customers) {
            this.db = db;
            this.customers = customers;
        }

        void run() {
            int next = 100_000;
            try (Connection c = db.connect();
                    Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                while (running.get()) {
                    ThreadLocalRandom r = ThreadLocalRandom.current();
                    int op = r.nextInt(3);
                    int id = op == 0 ? ++next : pick(r);
                    try {
                        if (op == 0) {
                            s.execute(
                                    "INSERT INTO customers (id, name) VALUES (" + id + ", 'new')");
                            s.execute("INSERT INTO invoices (customer_id) VALUES (" + id + ")");
                        } else if (op == 1) {
                            s.execute("UPDATE customers SET name = 'upd' WHERE id = " + id);
                        } else {
                            s.execute("DELETE FROM customers WHERE id = " + id);
                        }
                        c.commit();
                        commits.incrementAndGet();
                        if (op == 0) {
                            customers.add(id);
                        } else if (op == 2) {
                            customers.remove(id);
                        }
                    } catch (SQLException e) {
                        c.rollback();
                        if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
                            errors.add(e.getErrorCode() + " " + e.getMessage());
                        }
                    }
                    Thread.sleep(1);
                }
            } catch (SQLException e) {
                errors.add("connection: " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** A customer above 50 (those have RESTRICT children), possibly already deleted. */
        private static int pick(ThreadLocalRandom r) {
            return r.nextInt(51, 2001);
        }
    }
}

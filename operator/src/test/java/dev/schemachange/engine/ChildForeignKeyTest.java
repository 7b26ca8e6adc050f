package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Tables that reference the changed one keep their constraints, names and integrity through swap
 * and rollback.
 */
@MariaDb
class ChildForeignKeyTest {

    @Test
    void childConstraintsFollowTheLiveTableThroughSwapAndRollback(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE customers (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO customers SELECT seq, CONCAT('c', seq) FROM seq_1_to_300",
                "CREATE TABLE invoices (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, "
                        + "CONSTRAINT invoices_customer FOREIGN KEY (customer_id) REFERENCES customers (id) "
                        + "ON DELETE CASCADE)",
                "INSERT INTO invoices (customer_id) SELECT 1 + seq % 300 FROM seq_1_to_1000");
        String childBefore =
                db.value("SHOW CREATE TABLE invoices").replaceAll(" AUTO_INCREMENT=\\d+", "");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger next = new AtomicInteger(1000);
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread app =
                new Thread(
                        () -> {
                            while (running.get()) {
                                int id = next.incrementAndGet();
                                try {
                                    // a new customer and an invoice for it (the child insert must
                                    // find the parent, wherever
                                    // its constraint points), and a deleted customer whose invoices
                                    // cascade away
                                    db.exec(
                                            "INSERT INTO customers (id, name) VALUES ("
                                                    + id
                                                    + ", 'new')",
                                            "INSERT INTO invoices (customer_id) VALUES ("
                                                    + id
                                                    + ")",
                                            "DELETE FROM customers WHERE id = "
                                                    + ThreadLocalRandom.current().nextInt(1, id));
                                } catch (IllegalStateException e) {
                                    errors.add(e.getMessage());
                                }
                            }
                        });
        app.start();
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "customers",
                                "ADD COLUMN email VARCHAR(64)",
                                """
                backfill: {chunkTime: 20ms, maxChunkRows: 100}
                retention: {keepOldTableFor: 72h}
                """));
        try {
            assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            Thread.sleep(300);
            assertThat(referenced(db)).isEqualTo(List.of("invoices_customer|customers|CASCADE"));
            assertThat(orphans(db)).isZero();

            assertThat(
                            migrator.advance(
                                            new Controls(false, null, false, true),
                                            Duration.ofSeconds(30),
                                            null)
                                    .phase())
                    .isEqualTo(Phase.RolledBack);
            Thread.sleep(300);
        } finally {
            running.set(false);
            app.join();
        }
        assertThat(errors).as("application errors").isEmpty();
        assertThat(referenced(db)).isEqualTo(List.of("invoices_customer|customers|CASCADE"));
        assertThat(db.rows("SHOW COLUMNS FROM customers LIKE 'email'")).isEmpty();
        assertThat(orphans(db)).isZero();
        assertThat(db.value("SHOW CREATE TABLE invoices").replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(childBefore);
    }

    /**
     * Right after the swap (and right before a rollback's RENAME) the children reference the
     * reverse-synced table, not the one the application writes. A key change of a parent row that
     * RESTRICT children reference must still be refused, as the original table refused it: were the
     * reverse write to skip the refused change silently, the re-pointed children would reference a
     * key the live table no longer has.
     */
    @Test
    void aKeyChangeOfAReferencedRowIsRefusedThroughoutSwapAndRollback(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE accounts (id INT PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO accounts SELECT seq, 'a' FROM seq_1_to_400",
                "CREATE TABLE transfers (id INT AUTO_INCREMENT PRIMARY KEY, account_id INT NOT NULL, "
                        + "CONSTRAINT transfers_account FOREIGN KEY (account_id) REFERENCES accounts (id))",
                "INSERT INTO transfers (account_id) SELECT seq FROM seq_1_to_200");
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger moved = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<String> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread app =
                new Thread(
                        () -> {
                            int next = 1_000_000;
                            while (running.get()) {
                                // accounts 1..200 have transfers: moving their key must fail
                                // (RESTRICT); 201..400 have none
                                int id = ThreadLocalRandom.current().nextInt(1, 201);
                                try {
                                    db.exec(
                                            "UPDATE accounts SET id = "
                                                    + (++next)
                                                    + " WHERE id = "
                                                    + id);
                                    moved.incrementAndGet();
                                } catch (IllegalStateException e) {
                                    if (e.getMessage().contains("foreign key constraint fails")) {
                                        refused.incrementAndGet();
                                    } else {
                                        errors.add(e.getMessage());
                                    }
                                }
                            }
                        });
        app.start();
        try {
            for (int round = 0; round < 3; round++) {
                Migrator migrator =
                        Changes.migrator(
                                db,
                                Changes.spec(
                                        db,
                                        "accounts",
                                        "ADD COLUMN note VARCHAR(20)",
                                        """
                        backfill: {chunkTime: 20ms, maxChunkRows: 100}
                        retention: {keepOldTableFor: 72h}
                        """));
                assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                        .isEqualTo(Phase.Swapped);
                assertThat(
                                migrator.advance(
                                                new Controls(false, null, false, true),
                                                Duration.ofSeconds(30),
                                                null)
                                        .phase())
                        .isEqualTo(Phase.RolledBack);
            }
        } finally {
            running.set(false);
            app.join();
        }
        assertThat(errors).isEmpty();
        assertThat(refused.get()).isGreaterThan(100);
        assertThat(moved.get()).as("key changes of referenced accounts that went through").isZero();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM transfers t LEFT JOIN accounts a ON a.id = t.account_id "
                                        + "WHERE a.id IS NULL"))
                .as("orphans")
                .isZero();
    }

    @Test
    void dropsOfTheIndexAChildReferencesAreRefused(TestDatabase db) {
        db.exec(
                "CREATE TABLE codes (id INT PRIMARY KEY, code INT NOT NULL, UNIQUE KEY codes_code (code))",
                "CREATE TABLE usages (id INT PRIMARY KEY, code INT, CONSTRAINT usages_code FOREIGN KEY (code) "
                        + "REFERENCES codes (code))");
        Progress p =
                Changes.run(
                        Changes.migrator(
                                db, Changes.spec(db, "codes", "DROP INDEX codes_code", null)),
                        Controls.NONE,
                        null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.message()).contains("no index starting with [code]", "usages_code");
        assertThat(db.value("SHOW CREATE TABLE codes")).contains("UNIQUE KEY `codes_code`");
    }

    private static List<String> referenced(TestDatabase db) {
        return db.rows(
                "SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME, DELETE_RULE FROM "
                        + "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'invoices'");
    }

    private static long orphans(TestDatabase db) {
        return db.count(
                "SELECT COUNT(*) FROM invoices i LEFT JOIN customers c ON c.id = i.customer_id WHERE c.id IS NULL");
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * A table that references parents keeps its constraint names, and parent cascades reach the new
 * table.
 */
@MariaDb
class ParentForeignKeyTest {

    @Test
    void constraintNamesSurviveTheSwapAndCascadesFromTheParentReachTheShadow(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE customers (id INT PRIMARY KEY)",
                "CREATE TABLE warehouses (id INT PRIMARY KEY)",
                "INSERT INTO customers SELECT seq FROM seq_1_to_200",
                "INSERT INTO warehouses SELECT seq FROM seq_1_to_10",
                "CREATE TABLE shipments (id INT AUTO_INCREMENT PRIMARY KEY, customer_id INT NOT NULL, "
                        + "warehouse_id INT NULL, qty INT, "
                        + "CONSTRAINT shipments_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE CASCADE, "
                        + "CONSTRAINT fk_shipments_warehouse FOREIGN KEY (warehouse_id) REFERENCES warehouses (id))",
                "INSERT INTO shipments (customer_id, warehouse_id, qty) SELECT 1 + seq % 200, 1 + seq % 10, seq "
                        + "FROM seq_1_to_3000");
        String before = db.value("SHOW CREATE TABLE shipments");
        AtomicBoolean running = new AtomicBoolean(true);
        Thread parentWriter =
                new Thread(
                        () -> {
                            int next = 200;
                            while (running.get()) {
                                // deleting a customer cascades into shipments: no trigger fires for
                                // cascaded deletes
                                int victim = ThreadLocalRandom.current().nextInt(1, 200);
                                db.exec(
                                        "DELETE FROM customers WHERE id = " + victim,
                                        "INSERT INTO customers VALUES (" + (++next) + ")",
                                        "INSERT INTO shipments (customer_id, warehouse_id, qty) VALUES ("
                                                + next
                                                + ", 3, 1)");
                                sleep(5);
                            }
                        });
        parentWriter.start();
        Progress end;
        try {
            end =
                    Changes.run(
                            Changes.migrator(
                                    db,
                                    Changes.spec(
                                            db,
                                            "shipments",
                                            "ADD COLUMN note VARCHAR(20)",
                                            """
                    backfill: {chunkTime: 20ms, maxChunkRows: 100}
                    retention: {keepOldTableFor: 72h}
                    """)),
                            Controls.NONE,
                            null);
        } finally {
            running.set(false);
            parentWriter.join();
        }

        assertThat(end.phase()).isEqualTo(Phase.Swapped);
        String after = db.value("SHOW CREATE TABLE shipments");
        assertThat(after)
                .contains(
                        "CONSTRAINT `shipments_customer` FOREIGN KEY (`customer_id`) REFERENCES "
                                + "`customers` (`id`) ON DELETE CASCADE",
                        "CONSTRAINT `fk_shipments_warehouse` FOREIGN KEY "
                                + "(`warehouse_id`) REFERENCES `warehouses` (`id`)");
        assertThat(
                        before.replace(
                                        "`qty` int(11) DEFAULT NULL,",
                                        "`qty` int(11) DEFAULT NULL,\n  `note` varchar(20) DEFAULT NULL,")
                                .replaceAll(" AUTO_INCREMENT=\\d+", ""))
                .isEqualTo(after.replaceAll(" AUTO_INCREMENT=\\d+", ""));
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM shipments s LEFT JOIN customers c ON c.id = s.customer_id "
                                        + "WHERE c.id IS NULL"))
                .as("orphans")
                .isZero();
        // the reverse-synced old table keeps the constraints under aside names, so cascades reach
        // it too, and
        // as it holds the same rows it restricts nothing the live table allows: deleting a parent
        // still works
        db.exec("DELETE FROM customers WHERE id = (SELECT MIN(customer_id) FROM shipments)");
        assertThat(db.rows("SELECT id FROM shipments__osc_old ORDER BY id"))
                .isEqualTo(db.rows("SELECT id FROM shipments ORDER BY id"));
        assertThat(
                        db.rows(
                                "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
                                        + "WHERE CONSTRAINT_SCHEMA = '_schemachange_undo'"))
                .isEmpty();
        assertThat(
                        db.rows(
                                "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
                                        + "CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'shipments' ORDER BY 1"))
                .isEqualTo(List.of("fk_shipments_warehouse", "shipments_customer"));
        assertThat(
                        db.rows(
                                "SELECT CONSTRAINT_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
                                        + "CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = 'shipments__osc_old' ORDER BY 1"))
                .isEqualTo(List.of("fk_shipments_warehouse__oso", "shipments_customer__oso"));
    }

    @Test
    void aForeignKeyTheAlterAddsNeedsConsentToAnUnsyncedOldTable(TestDatabase db) {
        db.exec(
                "CREATE TABLE makers (id INT PRIMARY KEY)",
                "CREATE TABLE parts (id INT PRIMARY KEY, maker_id INT, KEY (maker_id))");
        Progress p =
                Changes.run(
                        Changes.migrator(
                                db,
                                Changes.spec(
                                        db,
                                        "parts",
                                        // qualified: the ALTER runs on the shadow in the work
                                        // schema, where an unqualified name would not resolve
                                        "ADD CONSTRAINT parts_maker FOREIGN KEY (maker_id) REFERENCES "
                                                + db.name()
                                                + ".makers (id) "
                                                + "ON DELETE CASCADE",
                                        null)),
                        Controls.NONE,
                        null);
        // a cascade from makers would reach the live table only: the old table would keep rows the
        // live one lost
        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Failed);
        assertThat(p.problem().field()).as(p.message()).isEqualTo("spec.retention.reverseSync");
        assertThat(p.message())
                .contains("foreign key parts_maker is added or changed by the ALTER");
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

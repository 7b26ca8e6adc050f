package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Re-pointing a child constraint never waits for the child's metadata lock (a waiting ALTER there
 * can make the server fail an application transaction that wrote the parent and then writes the
 * child): while an application transaction holds the child, the re-point is late instead. The
 * change is Swapped, its status names the child, the child references the reverse-synced old table
 * with every row intact and the application's writes checked against it, the old table and its
 * reverse sync stay past retention, and the next step after the transaction ends finishes the
 * re-point. A rollback likewise waits, RollingBack, until the child references the old table.
 */
@MariaDb
class ChildRepointWaitsTest {
    private static final String OPTIONS =
            """
            backfill: {chunkTime: 20ms, maxChunkRows: 200}
            swap: {lockWaitTimeout: 1s}
            retention: {keepOldTableFor: 1h}
            foreignKeys: {children: RebuildConstraints}
            """;
    private static final String WAITING = "waiting for a moment when no transaction holds them";

    @Test
    void aChildHeldByAnOpenTransactionStaysOnTheOldTableUntilItEndsAndTheChangeStaysSwapped(
            TestDatabase db) throws Exception {
        create(db, "orders");
        MovableClock clock = new MovableClock(Instant.parse("2026-06-01T10:00:00Z"));
        AtomicReference<Connection> holder = new AtomicReference<>();
        Migrator migrator =
                new Migrator(
                        db::connect,
                        spec(db, "orders"),
                        "test/orders",
                        clock,
                        point -> {
                            if (point.equals("swap:after-rename")) {
                                holder.set(holdChild(db, "orders"));
                            }
                        });
        try {
            Progress swapped = Changes.run(migrator, Controls.NONE, null);

            assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
            assertThat(swapped.message())
                    .contains("the foreign keys of " + db.name() + ".orders_items")
                    .contains(WAITING);
            assertThat(childConstraint(db, "orders"))
                    .isEqualTo(List.of("orders_items_order|orders__osc_old"));
            // the application: a new order with its item (checked against the old table, which
            // the reverse triggers keep complete), a deleted order whose items cascade away
            // through the old table
            db.exec(
                    "INSERT INTO orders (id, total) VALUES (501, 7)",
                    "INSERT INTO orders_items (order_id, qty) VALUES (501, 3)",
                    "DELETE FROM orders WHERE id = 2");
            assertThat(db.rows("SELECT order_id, qty FROM orders_items ORDER BY id"))
                    .isEqualTo(expectedItems(db, "orders"));

            // retention ends while the child still references the old table: nothing is dropped
            clock.advance(Duration.ofHours(2));
            Progress still = Changes.run(migrator, Controls.NONE, null);
            assertThat(still.phase()).isEqualTo(Phase.Swapped);
            assertThat(still.message()).contains(WAITING);
            assertThat(db.count(tableCount("orders__osc_old"))).isEqualTo(1);
            assertThat(db.rows("SHOW TRIGGERS LIKE 'orders'")).isNotEmpty();

            holder.get().commit();
            holder.getAndSet(null).close();
            Progress done = Changes.run(migrator, Controls.NONE, null);
            assertThat(childConstraint(db, "orders"))
                    .isEqualTo(List.of("orders_items_order|orders"));
            // the step that re-pointed it also ended the overdue retention
            assertThat(done.phase()).isEqualTo(Phase.Completed);
            assertThat(db.count(tableCount("orders__osc_old"))).isZero();
        } finally {
            close(holder.get());
        }
        assertThat(db.rows("SELECT order_id, qty FROM orders_items ORDER BY id"))
                .isEqualTo(expectedItems(db, "orders"));
        assertThat(orphans(db, "orders")).isZero();
    }

    @Test
    void aRollbackWaitsRollingBackUntilTheChildReferencesTheOldTable(TestDatabase db)
            throws Exception {
        create(db, "refunds");
        Migrator migrator = Changes.migrator(db, spec(db, "refunds"));
        Connection held = null;
        try {
            assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            assertThat(childConstraint(db, "refunds"))
                    .isEqualTo(List.of("refunds_items_order|refunds"));
            held = holdChild(db, "refunds");

            Progress waiting =
                    migrator.advance(
                            new Controls(false, null, false, true), Duration.ofSeconds(5), null);

            assertThat(waiting.phase()).isEqualTo(Phase.RollingBack);
            assertThat(waiting.message())
                    .contains("the foreign keys of " + db.name() + ".refunds_items")
                    .contains(WAITING);
            // not swapped back: the old table waits, reverse-synced, and the child stays on the
            // live table
            assertThat(db.count(tableCount("refunds__osc_old"))).isEqualTo(1);
            assertThat(childConstraint(db, "refunds"))
                    .isEqualTo(List.of("refunds_items_order|refunds"));
            db.exec(
                    "INSERT INTO refunds (id, total) VALUES (502, 9)",
                    "INSERT INTO refunds_items (order_id, qty) VALUES (502, 4)");

            held.commit();
            Progress rolledBack =
                    migrator.advance(
                            new Controls(false, null, false, false), Duration.ofSeconds(5), null);
            assertThat(rolledBack.phase()).isEqualTo(Phase.RolledBack);
        } finally {
            close(held);
        }
        assertThat(childConstraint(db, "refunds"))
                .isEqualTo(List.of("refunds_items_order|refunds"));
        assertThat(db.rows("SHOW COLUMNS FROM refunds LIKE 'note'")).isEmpty();
        assertThat(db.rows("SELECT order_id, qty FROM refunds_items ORDER BY id"))
                .isEqualTo(expectedItems(db, "refunds"));
        assertThat(orphans(db, "refunds")).isZero();
    }

    /**
     * The process dies right after the swap's re-point attempt, the child still busy: the next run
     * (a new process) recognises the swap by inspection, tries the re-point again without waiting
     * and reports the child as waiting; once the transaction ends, a step finishes it.
     */
    @Test
    void aCrashWhileTheChildIsBusyIsResumedByTheNextRun(TestDatabase db) throws Exception {
        create(db, "invoices");
        AtomicReference<Connection> holder = new AtomicReference<>();
        Migrator crashing =
                new Migrator(
                        db::connect,
                        spec(db, "invoices"),
                        "test/invoices",
                        java.time.Clock.systemUTC(),
                        point -> {
                            if (point.equals("swap:after-rename")) {
                                holder.set(holdChild(db, "invoices"));
                            }
                            if (point.equals("swap:after-repoint")) {
                                throw new IllegalStateException("killed at " + point);
                            }
                        });
        try {
            assertThatThrownBy(() -> Changes.run(crashing, Controls.NONE, null))
                    .hasMessage("killed at swap:after-repoint");
            assertThat(childConstraint(db, "invoices"))
                    .isEqualTo(List.of("invoices_items_order|invoices__osc_old"));
            Migrator next =
                    new Migrator(
                            db::connect,
                            spec(db, "invoices"),
                            "test/invoices",
                            java.time.Clock.systemUTC());

            Progress resumed = Changes.run(next, Controls.NONE, null);

            assertThat(resumed.phase()).isEqualTo(Phase.Swapped);
            assertThat(resumed.message()).contains(WAITING);
            holder.get().commit();
            Progress done = Changes.run(next, Controls.NONE, null);
            assertThat(done.message()).doesNotContain(WAITING).contains("reverse-synced");
            assertThat(childConstraint(db, "invoices"))
                    .isEqualTo(List.of("invoices_items_order|invoices"));
        } finally {
            close(holder.get());
        }
        assertThat(orphans(db, "invoices")).isZero();
    }

    /**
     * Each re-point is two ALTERs (to a temporary name, then back), and a busy child or a crash can
     * leave it between them: the next step after the swap, and a rollback, finish it under the
     * constraint's own name.
     */
    @Test
    void aChildLeftUnderItsTemporaryNameGetsItsOwnNameBack(TestDatabase db) throws Exception {
        create(db, "credits");
        Migrator migrator = Changes.migrator(db, spec(db, "credits"));
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        String halfWay =
                "ALTER TABLE credits_items DROP FOREIGN KEY credits_items_order, ADD CONSTRAINT"
                        + " credits_items_order__osc FOREIGN KEY (order_id) REFERENCES credits (id)"
                        + " ON DELETE CASCADE";
        db.exec("SET SESSION foreign_key_checks = 0", halfWay);

        Progress swapped = Changes.run(migrator, Controls.NONE, null);

        assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
        assertThat(childConstraint(db, "credits"))
                .isEqualTo(List.of("credits_items_order|credits"));
        db.exec("SET SESSION foreign_key_checks = 0", halfWay);
        assertThat(
                        migrator.advance(
                                        new Controls(false, null, false, true),
                                        Duration.ofSeconds(5),
                                        null)
                                .phase())
                .isEqualTo(Phase.RolledBack);
        assertThat(childConstraint(db, "credits"))
                .isEqualTo(List.of("credits_items_order|credits"));
        assertThat(orphans(db, "credits")).isZero();
    }

    /**
     * {@code keepOldTableFor: 0} drops the old table at the swap, but not while a child references
     * it: with children the old table is reverse-synced from the start and kept, Swapped, until the
     * late re-point lands; the step that lands it drops the old table.
     */
    @Test
    void withRetentionZeroTheOldTableStaysReverseSyncedUntilTheChildIsRepointed(TestDatabase db)
            throws Exception {
        create(db, "bills");
        AtomicReference<Connection> holder = new AtomicReference<>();
        Migrator migrator =
                new Migrator(
                        db::connect,
                        Changes.spec(
                                db,
                                "bills",
                                "ADD COLUMN note VARCHAR(20) NULL",
                                OPTIONS.replace("keepOldTableFor: 1h", "keepOldTableFor: \"0\"")),
                        "test/bills",
                        java.time.Clock.systemUTC(),
                        point -> {
                            if (point.equals("swap:after-rename")) {
                                holder.set(holdChild(db, "bills"));
                            }
                        });
        try {
            Progress swapped = Changes.run(migrator, Controls.NONE, null);

            assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
            assertThat(swapped.message()).contains(WAITING);
            assertThat(childConstraint(db, "bills"))
                    .isEqualTo(List.of("bills_items_order|bills__osc_old"));
            db.exec(
                    "INSERT INTO bills (id, total) VALUES (501, 7)",
                    "INSERT INTO bills_items (order_id, qty) VALUES (501, 3)",
                    "DELETE FROM bills WHERE id = 3");
            assertThat(db.rows("SELECT order_id, qty FROM bills_items ORDER BY id"))
                    .isEqualTo(expectedItems(db, "bills"));

            holder.get().commit();
            Progress done = Changes.run(migrator, Controls.NONE, null);

            assertThat(done.phase()).isEqualTo(Phase.Completed);
            assertThat(childConstraint(db, "bills")).isEqualTo(List.of("bills_items_order|bills"));
            assertThat(db.count(tableCount("bills__osc_old"))).isZero();
            assertThat(db.rows("SHOW TRIGGERS LIKE 'bills%'")).isEmpty();
        } finally {
            close(holder.get());
        }
        assertThat(orphans(db, "bills")).isZero();
    }

    /** {@code t} with 500 rows and its child {@code t_items} with 1,000 (ON DELETE CASCADE). */
    private static void create(TestDatabase db, String t) {
        db.exec(
                "CREATE TABLE " + t + " (id INT PRIMARY KEY, total INT NOT NULL)",
                "INSERT INTO " + t + " SELECT seq, seq % 97 FROM seq_1_to_500",
                "CREATE TABLE "
                        + t
                        + "_items (id INT AUTO_INCREMENT PRIMARY KEY, order_id INT NOT NULL,"
                        + " qty INT NOT NULL, CONSTRAINT "
                        + t
                        + "_items_order FOREIGN KEY (order_id) REFERENCES "
                        + t
                        + " (id) ON DELETE CASCADE)",
                "INSERT INTO "
                        + t
                        + "_items (order_id, qty) SELECT 1 + seq % 500, seq FROM"
                        + " seq_1_to_1000",
                // the initial items, to tell later which of them the cascades must have removed
                "CREATE TABLE " + t + "_initial AS SELECT id, order_id, qty FROM " + t + "_items");
    }

    private static SchemaChangeSpec spec(TestDatabase db, String t) {
        return Changes.spec(db, t, "ADD COLUMN note VARCHAR(20) NULL", OPTIONS);
    }

    /**
     * An application transaction that read the child and stays open: it holds the child's shared
     * metadata lock until it ends, so no exclusive request can land meanwhile.
     */
    private static Connection holdChild(TestDatabase db, String t) {
        try {
            Connection c = db.connect();
            c.setAutoCommit(false);
            try (Statement s = c.createStatement()) {
                s.executeQuery("SELECT qty FROM " + t + "_items WHERE id = 1").close();
            }
            return c;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The items as the application's writes leave them: cascades applied to the initial rows. */
    private static List<String> expectedItems(TestDatabase db, String t) {
        return db.rows(
                ("SELECT order_id, qty FROM (SELECT e.id, e.order_id, e.qty FROM %1$s_initial e"
                                + " JOIN %1$s o ON o.id = e.order_id UNION ALL SELECT i.id,"
                                + " i.order_id, i.qty FROM %1$s_items i WHERE i.id NOT IN (SELECT"
                                + " id FROM %1$s_initial)) x ORDER BY id")
                        .formatted(t));
    }

    private static List<String> childConstraint(TestDatabase db, String t) {
        return db.rows(
                "SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM"
                        + " information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA ="
                        + " DATABASE() AND TABLE_NAME = '"
                        + t
                        + "_items'");
    }

    private static String tableCount(String table) {
        return "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()"
                + " AND TABLE_NAME = '"
                + table
                + "'";
    }

    private static long orphans(TestDatabase db, String t) {
        return db.count(
                ("SELECT COUNT(*) FROM %1$s_items i LEFT JOIN %1$s o ON o.id = i.order_id"
                                + " WHERE o.id IS NULL")
                        .formatted(t));
    }

    private static void close(Connection c) throws SQLException {
        if (c != null) {
            c.rollback();
            c.close();
        }
    }
}

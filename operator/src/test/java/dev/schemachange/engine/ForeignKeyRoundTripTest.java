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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * One table in every foreign key role at once, under concurrent writes to parents, the table and
 * its children, through swap → rollback → swap again → retention cleanup. {@code stores} references
 * a parent by a composite key and one by a single column (RESTRICT), references itself, and is
 * referenced by a child through a composite key and by one through a single column (RESTRICT); the
 * composite and self constraints are run once with ON DELETE CASCADE and once with RESTRICT. After
 * each step the constraints are present under their original names and point where they did, no row
 * anywhere is an orphan, and while the old table is kept it holds exactly the live table's rows —
 * cascades, which fire no trigger, included.
 */
@MariaDb
class ForeignKeyRoundTripTest {
    private static final String STORE_COLUMNS = "id, country, region, parent_id, owner_id, name";

    /**
     * Stores 1..20 (region XX/0, no parent) have RESTRICT children and are never deleted by the
     * application.
     */
    private static final int PROTECTED = 20;

    @ParameterizedTest
    @ValueSource(strings = {"CASCADE", "RESTRICT"})
    void compositeSelfAndChildConstraintsKeepNamesAndIntegrityThroughSwapRollbackAndCleanup(
            String rule, TestDatabase db) throws Exception {
        db.exec(
                "DROP TABLE IF EXISTS leases, stock, stores, owners, regions",
                "CREATE TABLE regions (country CHAR(2) NOT NULL, code INT NOT NULL, PRIMARY KEY (country, code))",
                "INSERT INTO regions VALUES ('XX', 0)",
                "INSERT INTO regions SELECT 'AA', seq FROM seq_1_to_100",
                "CREATE TABLE owners (id INT PRIMARY KEY)",
                "INSERT INTO owners SELECT seq FROM seq_1_to_50",
                "CREATE TABLE stores (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, country CHAR(2) NOT NULL, "
                        + "region INT NOT NULL, parent_id INT NULL, owner_id INT NOT NULL, name VARCHAR(20), "
                        + "UNIQUE KEY stores_country_id (country, id), "
                        + "CONSTRAINT stores_region FOREIGN KEY (country, region) REFERENCES regions (country, code) "
                        + "ON DELETE "
                        + rule
                        + ", "
                        + "CONSTRAINT stores_owner FOREIGN KEY (owner_id) REFERENCES owners (id), "
                        + "CONSTRAINT stores_parent FOREIGN KEY (parent_id) REFERENCES stores (id) ON DELETE "
                        + rule
                        + ")",
                "INSERT INTO stores (id, country, region, owner_id, name) SELECT seq, 'XX', 0, 1 + seq % 50, 'p' "
                        + "FROM seq_1_to_"
                        + PROTECTED,
                "INSERT INTO stores (id, country, region, owner_id, name) SELECT seq, 'AA', 1 + seq % 100, "
                        + "1 + seq % 50, 'root' FROM seq_21_to_300",
                "INSERT INTO stores (id, country, region, parent_id, owner_id, name) SELECT seq, 'AA', 1 + seq % 100, "
                        + "21 + seq % 280, 1 + seq % 50, 'branch' FROM seq_301_to_1500",
                "CREATE TABLE stock (id INT AUTO_INCREMENT PRIMARY KEY, store_country CHAR(2) NOT NULL, "
                        + "store_id INT NOT NULL, qty INT, CONSTRAINT stock_store FOREIGN KEY (store_country, store_id) "
                        + "REFERENCES stores (country, id) ON DELETE "
                        + rule
                        + ")",
                "INSERT INTO stock (store_country, store_id, qty) SELECT country, id, 1 FROM stores",
                "CREATE TABLE leases (id INT PRIMARY KEY, store_id INT NOT NULL, "
                        + "CONSTRAINT leases_store FOREIGN KEY (store_id) REFERENCES stores (id))",
                "INSERT INTO leases SELECT seq, seq FROM seq_1_to_" + PROTECTED);
        String storesBefore = showCreate(db, "stores");
        List<String> constraintsBefore = constraints(db);
        List<String> childrenBefore = List.of(showCreate(db, "stock"), showCreate(db, "leases"));
        MovableClock clock = new MovableClock(Instant.parse("2026-11-24T00:00:00Z"));
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "stores",
                        "ADD COLUMN note VARCHAR(20) NULL",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 200}
                retention: {keepOldTableFor: 1h}
                """);
        App app = new App(db, rule.equals("RESTRICT"));
        List<Thread> writers =
                List.of(new Thread(app::run, "app-1"), new Thread(app::run, "app-2"));
        writers.forEach(Thread::start);
        try {
            Thread.sleep(200);
            Migrator first = new Migrator(db::connect, spec, "test/stores-" + rule, clock);
            assertThat(Changes.run(first, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            assertSwappedState(db, constraintsBefore, childrenBefore, storesBefore);

            assertThat(
                            first.advance(
                                            new Controls(false, null, false, true),
                                            Duration.ofSeconds(30),
                                            null)
                                    .phase())
                    .isEqualTo(Phase.RolledBack);
            Thread.sleep(300);
            assertThat(showCreate(db, "stores"))
                    .as("the original table, live again")
                    .isEqualTo(storesBefore);
            assertIntegrity(db, constraintsBefore, childrenBefore, "after the rollback");

            Migrator second = new Migrator(db::connect, spec, "test/stores-" + rule, clock);
            assertThat(Changes.run(second, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
            assertSwappedState(db, constraintsBefore, childrenBefore, storesBefore);
            clock.advance(Duration.ofHours(2));
            assertThat(Changes.run(second, Controls.NONE, null).phase()).isEqualTo(Phase.Completed);
            Thread.sleep(300);
        } finally {
            app.running.set(false);
            for (Thread t : writers) {
                t.join();
            }
        }
        assertIntegrity(db, constraintsBefore, childrenBefore, "after the cleanup");
        assertThat(constraintLines(showCreate(db, "stores")))
                .isEqualTo(constraintLines(storesBefore));
        assertThat(db.rows("SHOW TABLES LIKE 'stores%'")).containsExactly("stores");
        assertThat(db.rows("SHOW TRIGGERS")).isEmpty();
        assertThat(app.errors).as("application errors").isEmpty();
        assertThat(app.refused.get() > 0).as("RESTRICT refused deletes").isEqualTo(app.restrict);
        assertThat(app.commits.get()).isGreaterThan(200);
        assertThat(app.restricted.get())
                .as("owner deletes refused by RESTRICT while a store used them")
                .isZero();

        // the constraints are in force on the live table, with their actions
        assertThatThrownBy(
                        () ->
                                db.exec(
                                        "DELETE FROM owners WHERE id = (SELECT MIN(owner_id) FROM stores)"))
                .hasMessageContaining("foreign key");
        assertThatThrownBy(() -> db.exec("DELETE FROM stores WHERE id = 1"))
                .hasMessageContaining("foreign key");
        assertThatThrownBy(
                        () ->
                                db.exec(
                                        "INSERT INTO stores (country, region, owner_id) VALUES ('AA', 99999, 1)"))
                .hasMessageContaining("foreign key");
        assertThatThrownBy(
                        () ->
                                db.exec(
                                        "INSERT INTO stores (country, region, parent_id, owner_id) "
                                                + "VALUES ('XX', 0, 99999999, 1)"))
                .hasMessageContaining("foreign key");
        String root = db.value("SELECT parent_id FROM stores WHERE parent_id IS NOT NULL LIMIT 1");
        String region = db.value("SELECT region FROM stores WHERE country = 'AA' LIMIT 1");
        if (app.restrict) {
            // in one transaction, which the failure leaves uncommitted: the store keeps its stock
            assertThatThrownBy(
                            () ->
                                    db.exec(
                                            "START TRANSACTION",
                                            "DELETE FROM stock WHERE store_id = " + root,
                                            "DELETE FROM stores WHERE id = " + root))
                    .as("self RESTRICT")
                    .hasMessageContaining(
                            "`stores_parent` FOREIGN KEY (`parent_id`) REFERENCES `stores`");
            assertThatThrownBy(
                            () ->
                                    db.exec(
                                            "DELETE FROM regions WHERE country = 'AA' AND code = "
                                                    + region))
                    .hasMessageContaining("`stores_region` FOREIGN KEY");
        } else {
            db.exec("DELETE FROM stores WHERE id = " + root);
            assertThat(db.count("SELECT COUNT(*) FROM stores WHERE parent_id = " + root))
                    .as("self CASCADE")
                    .isZero();
            db.exec("DELETE FROM regions WHERE country = 'AA' AND code = " + region);
            assertThat(
                            db.count(
                                    "SELECT COUNT(*) FROM stores WHERE country = 'AA' AND region = "
                                            + region))
                    .isZero();
        }
        assertIntegrity(db, constraintsBefore, childrenBefore, "after cascades on the final table");
    }

    /**
     * While swapped: integrity, and the reverse-synced old table equal to the live one (cascades
     * included).
     */
    private static void assertSwappedState(
            TestDatabase db,
            List<String> constraintsBefore,
            List<String> childrenBefore,
            String storesBefore)
            throws Exception {
        assertThat(constraintLines(showCreate(db, "stores")))
                .isEqualTo(constraintLines(storesBefore));
        assertIntegrity(db, constraintsBefore, childrenBefore, "after the swap");
        for (int i = 0; i < 3; i++) {
            Thread.sleep(150);
            List<List<String>> both =
                    db.snapshot(
                            "SELECT " + STORE_COLUMNS + " FROM stores ORDER BY id",
                            "SELECT " + STORE_COLUMNS + " FROM stores__osc_old ORDER BY id");
            assertThat(both.get(1))
                    .as("reverse-synced old table vs live, cascades included")
                    .isEqualTo(both.get(0));
        }
    }

    private static void assertIntegrity(
            TestDatabase db,
            List<String> constraintsBefore,
            List<String> childrenBefore,
            String when) {
        assertThat(constraints(db)).as("constraints " + when).isEqualTo(constraintsBefore);
        assertThat(List.of(showCreate(db, "stock"), showCreate(db, "leases")))
                .as("children " + when)
                .isEqualTo(childrenBefore);
        List<List<String>> orphans =
                db.snapshot(
                        "SELECT COUNT(*) FROM stores s LEFT JOIN regions r ON r.country = s.country AND r.code = s.region "
                                + "WHERE r.code IS NULL",
                        "SELECT COUNT(*) FROM stores s LEFT JOIN owners o ON o.id = s.owner_id WHERE o.id IS NULL",
                        "SELECT COUNT(*) FROM stores s LEFT JOIN stores p ON p.id = s.parent_id "
                                + "WHERE s.parent_id IS NOT NULL AND p.id IS NULL",
                        "SELECT COUNT(*) FROM stock k LEFT JOIN stores s ON s.country = k.store_country AND s.id = k.store_id "
                                + "WHERE s.id IS NULL",
                        "SELECT COUNT(*) FROM leases l LEFT JOIN stores s ON s.id = l.store_id WHERE s.id IS NULL",
                        // lost child rows: every store got a stock row with it, which only a
                        // cascade from it removes
                        "SELECT COUNT(*) FROM stores s WHERE NOT EXISTS (SELECT 1 FROM stock k WHERE k.store_country = "
                                + "s.country AND k.store_id = s.id)",
                        "SELECT " + PROTECTED + " - COUNT(*) FROM leases");
        assertThat(orphans)
                .as(
                        "orphans "
                                + when
                                + " (region, owner, parent, stock, lease), stores without stock, "
                                + "leases lost")
                .containsOnly(List.of("0"));
    }

    /** Every constraint of the live tables: name, table, referenced table, rules. */
    private static List<String> constraints(TestDatabase db) {
        return db.rows(
                "SELECT CONSTRAINT_NAME, TABLE_NAME, REFERENCED_TABLE_NAME, UPDATE_RULE, DELETE_RULE FROM "
                        + "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() "
                        + "AND TABLE_NAME NOT LIKE '%\\_\\_osc\\_%' ORDER BY 1");
    }

    private static String showCreate(TestDatabase db, String table) {
        return db.rows("SHOW CREATE TABLE " + table).get(0).replaceAll(" AUTO_INCREMENT=\\d+", "");
    }

    private static List<String> constraintLines(String create) {
        return create.lines()
                .map(String::strip)
                .filter(l -> l.startsWith("CONSTRAINT") || l.contains("KEY"))
                .toList();
    }

    /**
     * Writes to parents, the table and its children. Rows it refers to are read with a share lock
     * first, so every insert's parent exists: any foreign key error is the engine's fault, never a
     * race of the test's.
     */
    private static final class App {
        private final TestDatabase db;
        private final boolean restrict;
        private final AtomicInteger refused = new AtomicInteger();

        /** Whether this thread's current step deletes a store or a region. */
        private final ThreadLocal<Boolean> deleting = ThreadLocal.withInitial(() -> false);

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger nextStore = new AtomicInteger(1_000_000);
        private final AtomicInteger nextRegion = new AtomicInteger(100_000);
        private final AtomicInteger nextOwner = new AtomicInteger(100_000);
        private final AtomicInteger commits = new AtomicInteger();
        private final AtomicInteger restricted = new AtomicInteger();
        private final List<String> errors = new CopyOnWriteArrayList<>();

        App(TestDatabase db, boolean restrict) {
            this.db = db;
            this.restrict = restrict;
        }

        void run() {
            try (Connection c = db.connect();
                    Statement s = c.createStatement()) {
                c.setAutoCommit(false);
                while (running.get()) {
                    try {
                        deleting.set(false);
                        step(s, ThreadLocalRandom.current());
                        c.commit();
                        commits.incrementAndGet();
                    } catch (SQLException e) {
                        c.rollback();
                        if (restrict
                                && deleting.get()
                                && e.getErrorCode() == 1451
                                && restrictedDelete(e.getMessage())) {
                            refused.incrementAndGet();
                        } else if (e.getErrorCode() != 1213 && e.getErrorCode() != 1205) {
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

        private void step(Statement s, ThreadLocalRandom r) throws SQLException {
            int op = r.nextInt(10);
            if (op < 3) {
                String region =
                        first(
                                s,
                                "SELECT code FROM regions WHERE country = 'AA' AND code >= "
                                        + r.nextInt(1, 100)
                                        + " ORDER BY code LIMIT 1 LOCK IN SHARE MODE");
                String parent =
                        r.nextBoolean()
                                ? null
                                : first(
                                        s,
                                        "SELECT id FROM stores WHERE id >= "
                                                + r.nextInt(21, 300)
                                                + " AND id <= 300 ORDER BY id LIMIT 1 LOCK IN SHARE MODE");
                if (region == null) {
                    return;
                }
                int id = nextStore.incrementAndGet();
                s.execute(
                        "INSERT INTO stores (id, country, region, parent_id, owner_id, name) VALUES ("
                                + id
                                + ", 'AA', "
                                + region
                                + ", "
                                + parent
                                + ", "
                                + r.nextInt(1, 51)
                                + ", 'new')");
                s.execute(
                        "INSERT INTO stock (store_country, store_id, qty) VALUES ('AA', "
                                + id
                                + ", 5)");
            } else if (op == 3) {
                List<String> store =
                        row(
                                s,
                                "SELECT country, id FROM stores WHERE id >= "
                                        + r.nextInt(1, 1500)
                                        + " ORDER BY id LIMIT 1 LOCK IN SHARE MODE");
                if (store != null) {
                    s.execute(
                            "INSERT INTO stock (store_country, store_id, qty) VALUES ('"
                                    + store.get(0)
                                    + "', "
                                    + store.get(1)
                                    + ", 1)");
                }
            } else if (op == 4) {
                s.execute(
                        "UPDATE stores SET name = 'upd"
                                + r.nextInt(1000)
                                + "' WHERE id = "
                                + r.nextInt(1, 1500));
            } else if (op == 5) {
                s.execute("UPDATE stock SET qty = qty + 1 WHERE id = " + r.nextInt(1, 1500));
            } else if (op == 6) {
                // cascades to its branches (self) and its stock (composite child); never a
                // protected store.
                // Under RESTRICT its stock goes first, and a store with branches is refused
                int id =
                        r.nextBoolean()
                                ? r.nextInt(PROTECTED + 1, 1500)
                                : r.nextInt(1_000_001, Math.max(1_000_002, nextStore.get() + 1));
                if (restrict) {
                    s.execute("DELETE FROM stock WHERE store_id = " + id);
                }
                deleting.set(true);
                s.execute("DELETE FROM stores WHERE id = " + id);
            } else if (op == 7 && r.nextInt(4) == 0) {
                // cascades through stores into their branches and stock
                deleting.set(true);
                s.execute(
                        "DELETE FROM regions WHERE country = 'AA' AND code = " + r.nextInt(1, 100));
            } else if (op == 7) {
                s.execute(
                        "INSERT INTO regions VALUES ('AA', " + nextRegion.incrementAndGet() + ")");
            } else {
                // owners nobody uses come and go: RESTRICT must not refuse them because of the old
                // table
                int owner = nextOwner.incrementAndGet();
                s.execute("INSERT INTO owners VALUES (" + owner + ")");
                try {
                    s.execute("DELETE FROM owners WHERE id = " + (owner - 1));
                } catch (SQLException e) {
                    if (e.getErrorCode() == 1451) {
                        restricted.incrementAndGet();
                    }
                    throw e;
                }
            }
        }

        /**
         * A refusal of a delete of a store or a region that still has stores: RESTRICT doing its
         * job. While the swap or the rollback runs, the refusal may come from the reverse-synced
         * copy of the same rows (the message then names {@code stores__osc_old}) or from a
         * constraint under its temporary name; the original table would have refused the same
         * delete.
         */
        private static boolean restrictedDelete(String message) {
            return message.matches(
                    "(?s).*CONSTRAINT `stores_(parent|region)(__os[co])?` FOREIGN KEY .*");
        }

        private static String first(Statement s, String sql) throws SQLException {
            List<String> row = row(s, sql);
            return row == null ? null : row.get(0);
        }

        private static List<String> row(Statement s, String sql) throws SQLException {
            try (ResultSet rs = s.executeQuery(sql)) {
                if (!rs.next()) {
                    return null;
                }
                List<String> out = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    out.add(rs.getString(i));
                }
                return out;
            }
        }
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.EngineException;
import dev.schemachange.testing.AppWorkload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.LockBaseline;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * strategy Auto runs an ALTER the server applies as INSTANT as that one ALTER at the swap — no
 * shadow, no triggers, no copy — under the swap's gate and lock bounds, with the version row right
 * after; what needs a copy is copied, and strategy Native refuses it.
 */
@MariaDb
class NativeStrategyTest {
    private static final int ROWS = 20_000;
    private static final Controls APPROVED = new Controls(true, null, false, false);
    private static final String VERSIONED =
            """
            strategy: Auto
            swap: {approval: Required, lockWaitTimeout: 1s, maxAttempts: 5}
            retention: {keepOldTableFor: "0"}
            migrationVersion: {table: schema_migrations, column: version, value: "%s"}
            """;

    /** ADD COLUMN (nullable, with a default), DROP COLUMN, RENAME COLUMN, a new default. */
    @Test
    void autoRunsInstantAltersNativelyAtTheSwapUnderWritersWithoutAnApplicationError(
            TestDatabase db) throws Exception {
        db.exec("CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        AppWorkload.create(db, "ledger", null, ROWS);
        db.exec("ALTER TABLE ledger ADD COLUMN legacy INT NULL, ADD COLUMN spare INT NULL");
        List<String> alters =
                List.of(
                        "ADD COLUMN memo VARCHAR(32) NULL",
                        "ADD COLUMN flag INT NOT NULL DEFAULT 7",
                        "DROP COLUMN legacy",
                        "RENAME COLUMN spare TO spare2",
                        "ALTER COLUMN account SET DEFAULT 42",
                        "ALTER COLUMN amount DROP DEFAULT",
                        "MODIFY amount INT NOT NULL DEFAULT 5");
        AppWorkload app = AppWorkload.of(db, "ledger", null, ROWS, 4, "REPEATABLE READ");
        Probe probe = new Probe(db, "SELECT COUNT(*) FROM ledger WHERE id = 1");
        LockBaseline baseline;
        try (app) {
            app.start(AppWorkload.Target.TABLE);
            baseline = LockBaseline.measure(app, Duration.ofSeconds(2));
            probe.start();
            for (int i = 0; i < alters.size(); i++) {
                String version = "2026120300000" + i;
                SchemaChangeSpec spec =
                        Changes.spec(db, "ledger", alters.get(i), VERSIONED.formatted(version));
                Migrator migrator =
                        new Migrator(db::connect, spec, "test/ledger-" + i, Clock.systemUTC());
                Progress waiting = Changes.run(migrator, Controls.NONE, null);
                assertThat(waiting.phase())
                        .as(alters.get(i) + ": " + waiting.message())
                        .isEqualTo(Phase.AwaitingSwap);
                assertThat(waiting.message()).contains("strategy Native (INSTANT)", "INSTANT");
                assertThat(
                                db.rows(
                                        "SELECT CONCAT(TABLE_NAME, ' ', TABLE_TYPE) FROM information_schema.TABLES"
                                                + " WHERE TABLE_SCHEMA = '_schemachange'"
                                                + " AND TABLE_NAME LIKE 'ledger%'"))
                        .as("no shadow: only the preview view onto the table")
                        .containsExactly("ledger VIEW");
                assertThat(
                                db.count(
                                        "SELECT (SELECT COUNT(*) FROM `_schemachange`.ledger)"
                                                + " - (SELECT COUNT(*) FROM ledger)"))
                        .as("the preview shows the table's rows (one snapshot)")
                        .isZero();
                assertThat(db.rows("SHOW TRIGGERS LIKE 'ledger'")).as("no triggers").isEmpty();
                assertThat(
                                db.rows(
                                        "SELECT version FROM schema_migrations WHERE version = '"
                                                + version
                                                + "'"))
                        .as("not before the swap")
                        .isEmpty();

                Progress done = Changes.run(migrator, APPROVED, null);

                assertThat(done.phase())
                        .as(alters.get(i) + ": " + done.message())
                        .isEqualTo(Phase.Completed);
                assertThat(done.message()).startsWith("changed natively (INSTANT)");
                assertThat(done.lockMillis()).isLessThan(1_000);
                assertThat(done.rowsCopied()).isZero();
                assertThat(
                                db.rows(
                                        "SELECT version FROM schema_migrations WHERE version = '"
                                                + version
                                                + "'"))
                        .containsExactly(version);
            }
            baseline.assertNoMoreLockConflictsThanTheBaseline();
        } finally {
            probe.stop();
        }
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(probe.errors).isEmpty();
        assertThat(probe.maxMillis.get()).as("longest application stall").isLessThan(1_500);
        assertThat(db.rows("SHOW COLUMNS FROM ledger"))
                .extracting(r -> r.split("\\|")[0])
                .containsExactly("id", "account", "amount", "note", "spare2", "memo", "flag");
        assertThat(
                        db.value(
                                "SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ledger' AND COLUMN_NAME = 'amount'"))
                .isEqualTo("5");
        assertThat(
                        db.value(
                                "SELECT COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'ledger' AND COLUMN_NAME = 'account'"))
                .isEqualTo("42");
        assertThat(db.count("SELECT COUNT(*) FROM ledger WHERE flag <> 7")).isZero();
        assertThat(
                        LockFootprintTest.difference(
                                db.rows(AppWorkload.rows("ledger")),
                                db.rows(AppWorkload.rows("ledger_ref"))))
                .as("the table against the application's record")
                .isEmpty();
    }

    /**
     * Auto chose Native on the scratch copy, then a DBA rebuilt the real table as
     * ROW_FORMAT=COMPRESSED, where MariaDB adds a column only by a rebuild: at the swap the server
     * refuses the INSTANT ALTER, and the change goes on as a copy — recorded with the server's
     * reason, through every copy phase, behind the swap's gate again — under the application.
     */
    @Test
    void autoFallsBackToACopyWhenTheRealTableNoLongerTakesTheAlterInstantlyAtTheSwap(
            TestDatabase db) throws Exception {
        int rows = 5_000;
        AppWorkload.create(db, "journal", null, rows);
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "journal",
                                "ADD COLUMN memo VARCHAR(32) NULL",
                                """
                                strategy: Auto
                                backfill: {chunkTime: 50ms, maxChunkRows: 500}
                                swap: {approval: Required, lockWaitTimeout: 1s}
                                retention: {keepOldTableFor: "0"}
                                """));
        AppWorkload app = AppWorkload.of(db, "journal", null, rows, 3, "REPEATABLE READ");
        Progress fellBack;
        Progress awaiting;
        Progress done;
        try (app) {
            app.start(AppWorkload.Target.TABLE);
            LockBaseline baseline = LockBaseline.measure(app, Duration.ofSeconds(2));
            Progress chosen = Changes.run(migrator, Controls.NONE, null);
            assertThat(chosen.phase()).as(chosen.message()).isEqualTo(Phase.AwaitingSwap);
            assertThat(chosen.message()).contains("strategy Native (INSTANT)");
            db.exec("ALTER TABLE journal ROW_FORMAT=COMPRESSED");

            fellBack = migrator.advance(APPROVED, Duration.ofSeconds(20), null);
            assertThat(db.rows("SHOW COLUMNS FROM journal LIKE 'memo'"))
                    .as("the refused ALTER changed nothing")
                    .isEmpty();
            awaiting = Changes.run(migrator, Controls.NONE, null);
            done = Changes.run(migrator, APPROVED, null);
            baseline.assertNoMoreLockConflictsThanTheBaseline();
        }

        assertThat(fellBack.phase()).as(fellBack.message()).isEqualTo(Phase.Preparing);
        assertThat(fellBack.message())
                .startsWith(
                        "strategy Copy: at the swap the server no longer applies the ALTER to "
                                + db.name()
                                + ".journal as INSTANT")
                .contains("ALGORITHM=INSTANT is not supported", "goes on as a copy");
        assertThat(fellBack.notes()).contains(fellBack.message());
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM `_schemachange`.schemachange_native WHERE table_name = 'journal'"))
                .as("the native choice is forgotten")
                .isZero();
        assertThat(awaiting.phase()).as(awaiting.message()).isEqualTo(Phase.AwaitingSwap);
        assertThat(awaiting.waitingFor().reason()).isEqualTo(Wait.Reason.APPROVAL);
        assertThat(awaiting.rowsCopied()).as("copied").isGreaterThanOrEqualTo(rows);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SHOW COLUMNS FROM journal LIKE 'memo'")).hasSize(1);
        assertThat(db.rows("SHOW TRIGGERS LIKE 'journal'")).isEmpty();
        assertThat(
                        LockFootprintTest.difference(
                                db.rows(AppWorkload.rows("journal")),
                                db.rows(AppWorkload.rows("journal_ref"))))
                .as("the table against the application's record")
                .isEmpty();
    }

    /**
     * A crash between the fallback's state row and the removal of the native choice: the next run
     * finds a native choice beside a Preparing row, forgets it, and goes on as a copy.
     */
    @Test
    void aFallbackInterruptedBeforeTheChoiceWasForgottenResumesAsACopy(TestDatabase db) {
        db.exec(
                "CREATE TABLE shelf (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL)",
                "INSERT INTO shelf SELECT seq, seq FROM seq_1_to_300");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "shelf",
                                "ADD COLUMN memo VARCHAR(32) NULL",
                                "strategy: Auto\nretention: {keepOldTableFor: \"0\"}"));
        assertThat(
                        migrator.advance(Controls.NONE, Duration.ofSeconds(10), Phase.AwaitingSwap)
                                .phase())
                .isEqualTo(Phase.AwaitingSwap);
        db.exec(
                "CREATE TABLE shelf_choice AS SELECT * FROM `_schemachange`.schemachange_native "
                        + "WHERE table_name = 'shelf'",
                "ALTER TABLE shelf ROW_FORMAT=COMPRESSED");
        assertThat(migrator.advance(Controls.NONE, Duration.ofSeconds(10), null).phase())
                .isEqualTo(Phase.Preparing);
        db.exec("INSERT INTO `_schemachange`.schemachange_native SELECT * FROM shelf_choice");

        Progress done = Changes.run(migrator, Controls.NONE, null);

        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.Completed);
        assertThat(done.rowsCopied()).isEqualTo(300);
        assertThat(db.rows("SHOW COLUMNS FROM shelf LIKE 'memo'")).hasSize(1);
        assertThat(db.count("SELECT SUM(qty) FROM shelf")).isEqualTo(45150);
    }

    /**
     * The fallback validates as a copy: a copy that the spec does not allow (the old table could
     * not be kept reverse-synced without a value for a dropped NOT NULL column) fails the change
     * with both reasons and the copy's fix, the table unchanged.
     */
    @Test
    void aFallbackToACopyTheSpecDoesNotAllowFailsWithBothReasons(TestDatabase db) {
        db.exec(
                "CREATE TABLE tags (id INT NOT NULL PRIMARY KEY, legacy INT NOT NULL, v INT NULL)",
                "INSERT INTO tags SELECT seq, seq, seq FROM seq_1_to_100");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "tags",
                                "DROP COLUMN legacy",
                                "strategy: Auto\nswap: {approval: Required}"));
        assertThat(Changes.run(migrator, Controls.NONE, null).message())
                .contains("strategy Native (INSTANT)");
        db.exec("ALTER TABLE tags ROW_FORMAT=COMPRESSED");
        String before = db.rows("SHOW CREATE TABLE tags").get(0);

        Progress p = Changes.run(migrator, APPROVED, null);

        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Failed);
        assertThat(p.problem().field()).isEqualTo("spec.retention.reverseSync");
        assertThat(p.problem().reason())
                .startsWith("strategy Copy: at the swap the server no longer applies the ALTER")
                .contains(
                        ", but the copy is refused: rows written after the swap could not go back");
        assertThat(p.problem().fix()).contains("retention.reverseSync: false");
        assertThat(db.rows("SHOW CREATE TABLE tags").get(0)).isEqualTo(before);
        assertThat(db.rows("SHOW TABLES LIKE 'tags%'")).containsExactly("tags");
    }

    /** strategy Native never falls back: the same refusal fails the change, the table unchanged. */
    @Test
    void nativeFailsWithTheServersReasonWhenTheRealTableNoLongerTakesTheAlterInstantly(
            TestDatabase db) {
        db.exec(
                "CREATE TABLE stock (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL)",
                "INSERT INTO stock SELECT seq, seq FROM seq_1_to_100");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "stock",
                                "ADD COLUMN memo VARCHAR(32) NULL",
                                "strategy: Native\nswap: {approval: Required}"));
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);
        db.exec("ALTER TABLE stock ROW_FORMAT=COMPRESSED");
        String before = db.rows("SHOW CREATE TABLE stock").get(0);

        Progress p = Changes.run(migrator, APPROVED, null);

        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Failed);
        assertThat(p.problem().field()).isEqualTo("spec.strategy");
        assertThat(p.problem().reason())
                .contains(
                        "the server no longer applies the ALTER to "
                                + db.name()
                                + ".stock as INSTANT",
                        "ALGORITHM=INSTANT is not supported",
                        "(the table is unchanged)");
        assertThat(db.rows("SHOW CREATE TABLE stock").get(0)).isEqualTo(before);
        assertThat(db.rows("SHOW TABLES LIKE 'stock%'")).containsExactly("stock");
    }

    /**
     * A changed default under a copy: the shadow has the new default, every row keeps its value,
     * and a row inserted afterwards without the column gets the new default.
     */
    @Test
    void aCopyGivesTheNewTableTheNewDefaultAndTheRowsKeepTheirValues(TestDatabase db) {
        db.exec(
                "CREATE TABLE prices (id INT NOT NULL PRIMARY KEY, cents INT NOT NULL DEFAULT 100, "
                        + "label VARCHAR(10) NULL DEFAULT 'none')",
                "INSERT INTO prices SELECT seq, seq * 3, IF(seq % 2 = 0, NULL, 'odd') FROM seq_1_to_1000");
        String before = db.value("SELECT SUM(cents) FROM prices");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "prices",
                                "ALTER COLUMN cents SET DEFAULT 250, ALTER COLUMN label DROP DEFAULT",
                                "strategy: Copy\nretention: {keepOldTableFor: \"0\"}"));

        Progress p = Changes.run(migrator, Controls.NONE, null);

        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Completed);
        assertThat(p.rowsCopied()).isEqualTo(1000);
        assertThat(db.value("SELECT SUM(cents) FROM prices")).isEqualTo(before);
        assertThat(db.count("SELECT COUNT(*) FROM prices WHERE label IS NULL")).isEqualTo(500);
        assertThat(db.value("SHOW CREATE TABLE prices"))
                .contains(
                        "`cents` int(11) NOT NULL DEFAULT 250", "`label` varchar(10) DEFAULT NULL");
        db.exec("INSERT INTO prices (id) VALUES (5000)");
        assertThat(db.rows("SELECT cents, label FROM prices WHERE id = 5000"))
                .containsExactly("250|NULL");
    }

    /** The reverse of a changed default is the previous default (or none), applied natively. */
    @Test
    void rollbackOfAChangedDefaultRestoresThePreviousOne(TestDatabase db) {
        db.exec(
                "CREATE TABLE carts (id INT NOT NULL PRIMARY KEY, qty INT NOT NULL DEFAULT 1, "
                        + "note VARCHAR(10) NULL)",
                "INSERT INTO carts SELECT seq, seq, NULL FROM seq_1_to_100");
        String before = db.rows("SHOW CREATE TABLE carts").get(0);
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "carts",
                                "ALTER COLUMN qty SET DEFAULT 2, ALTER COLUMN note SET DEFAULT 'n'",
                                "strategy: Auto"));
        Progress swapped = Changes.run(migrator, Controls.NONE, null);
        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        assertThat(swapped.message())
                .startsWith("changed natively (INSTANT)")
                .contains("CHANGE COLUMN `qty` `qty` int(11) NOT NULL DEFAULT 1");

        Progress back = migrator.rollback(Duration.ofSeconds(20));

        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(db.rows("SHOW CREATE TABLE carts").get(0)).isEqualTo(before);
        assertThat(db.count("SELECT SUM(qty) FROM carts")).isEqualTo(5050);
    }

    @Test
    void autoCopiesWhatTheServerCannotDoInstantlyAndSaysWhy(TestDatabase db) {
        db.exec(
                "CREATE TABLE widen (id INT NOT NULL PRIMARY KEY, code INT NULL)",
                "INSERT INTO widen SELECT seq, seq FROM seq_1_to_500");
        for (String alter : List.of("MODIFY id BIGINT NOT NULL", "ADD UNIQUE KEY (code)")) {
            Migrator migrator =
                    new Migrator(
                            db::connect,
                            Changes.spec(
                                    db,
                                    "widen",
                                    alter,
                                    "strategy: Auto\nretention: {keepOldTableFor: \"0\"}"),
                            "test/widen-" + alter.length(),
                            Clock.systemUTC());
            Progress validated =
                    migrator.advance(Controls.NONE, Duration.ofSeconds(10), Phase.Validating);
            Progress p = Changes.run(migrator, Controls.NONE, null);
            assertThat(p.phase()).as(alter + ": " + p.message()).isEqualTo(Phase.Completed);
            assertThat(p.rowsCopied()).as("copied").isEqualTo(500);
            assertThat(validated.notes())
                    .as(validated.toString())
                    .anyMatch(
                            n ->
                                    n.startsWith("strategy Copy: the server would need a copy: ")
                                            && n.contains("ALGORITHM=INSTANT is not supported"));
        }
        assertThat(
                        db.value(
                                "SELECT COLUMN_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'widen' AND COLUMN_NAME = 'id'"))
                .isEqualTo("bigint(20)");
    }

    @Test
    void autoCopiesAnAutoIncrementBelowTheCounterSoTheTableGetsExactlyTheCounterAsked(
            TestDatabase db) {
        db.exec(
                "CREATE TABLE counter (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT)",
                "INSERT INTO counter (v) SELECT seq FROM seq_1_to_7",
                "DELETE FROM counter WHERE id >= 5");
        Migrator migrator =
                new Migrator(
                        db::connect,
                        Changes.spec(
                                db,
                                "counter",
                                "AUTO_INCREMENT = 7",
                                "strategy: Auto\nretention: {keepOldTableFor: \"0\"}"),
                        "test/counter",
                        Clock.systemUTC());
        Progress validated =
                migrator.advance(Controls.NONE, Duration.ofSeconds(10), Phase.Validating);
        assertThat(validated.notes())
                .as("natively the server would keep its counter of 8")
                .anyMatch(n -> n.startsWith("strategy Copy: AUTO_INCREMENT = N sets the counter"));
        Progress p = Changes.run(migrator, Controls.NONE, null);
        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Completed);
        assertThat(
                        db.value(
                                "SELECT AUTO_INCREMENT FROM information_schema.TABLES"
                                        + " WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'counter'"))
                .isEqualTo("7");
    }

    @Test
    void nativeRefusesAChangeThatNeedsACopyWithTheServersReasonAndChangesNothing(TestDatabase db) {
        db.exec(
                "CREATE TABLE orders (id INT NOT NULL PRIMARY KEY, total INT NULL)",
                "INSERT INTO orders SELECT seq, seq FROM seq_1_to_100");
        String before = db.rows("SHOW CREATE TABLE orders").get(0);
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(db, "orders", "MODIFY total BIGINT NULL", "strategy: Native"));

        Progress p = Changes.run(migrator, Controls.NONE, null);

        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.problem().field()).isEqualTo("spec.strategy");
        assertThat(p.problem().reason())
                .startsWith("Native: the server would need a copy: ")
                .contains("ALGORITHM=INSTANT is not supported. Reason: Cannot change column type");
        assertThat(p.problem().fix())
                .contains("strategy: Auto or Copy", "native.allowInplace: true");
        assertThat(db.rows("SHOW CREATE TABLE orders").get(0)).isEqualTo(before);
        assertThat(db.rows("SHOW TABLES FROM `_schemachange` LIKE 'orders%'")).isEmpty();
        assertThat(db.count("SELECT SUM(total) FROM orders")).isEqualTo(5050);
    }

    @Test
    void nativeWithAllowInplaceBuildsAnIndexInPlace(TestDatabase db) {
        db.exec(
                "CREATE TABLE items (id INT NOT NULL PRIMARY KEY, sku INT NULL)",
                "INSERT INTO items SELECT seq, seq FROM seq_1_to_100");
        Migrator migrator =
                Changes.migrator(
                        db,
                        Changes.spec(
                                db,
                                "items",
                                "ADD INDEX by_sku (sku)",
                                "strategy: Native\nnative: {allowInplace: true}"));

        Progress p = Changes.run(migrator, Controls.NONE, null);

        assertThat(p.phase()).as(p.message()).isEqualTo(Phase.Swapped);
        assertThat(p.message())
                .startsWith("changed natively (INPLACE)")
                .contains("DROP INDEX `by_sku`");
        assertThat(db.rows("SHOW INDEX FROM items WHERE Key_name = 'by_sku'")).hasSize(1);
    }

    @Test
    void rollbackAppliesTheReverseAlterAndRemovesTheVersion(TestDatabase db) {
        db.exec(
                "CREATE TABLE people_versions (version VARCHAR(255) NOT NULL PRIMARY KEY)",
                "CREATE TABLE people (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x')",
                "INSERT INTO people SELECT seq, CONCAT('p', seq) FROM seq_1_to_100");
        String before = db.rows("SHOW CREATE TABLE people").get(0);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "people",
                        "ADD COLUMN phone VARCHAR(32) NULL, MODIFY name VARCHAR(20) NOT NULL DEFAULT 'y', RENAME COLUMN id TO person_id",
                        "strategy: Auto\nmigrationVersion: {table: people_versions, column: version, value: \"7\"}");
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        assertThat(db.rows("SELECT version FROM people_versions")).containsExactly("7");

        Progress back = migrator.rollback(Duration.ofSeconds(20));

        assertThat(back.phase()).as(back.message()).isEqualTo(Phase.RolledBack);
        assertThat(back.message()).startsWith("rolled back natively");
        assertThat(db.rows("SHOW CREATE TABLE people").get(0)).isEqualTo(before);
        assertThat(db.rows("SELECT version FROM people_versions")).isEmpty();
        assertThat(db.count("SELECT COUNT(*) FROM people WHERE name LIKE 'p%'")).isEqualTo(100);
    }

    @Test
    void aDroppedColumnCannotBeRolledBackAndTheRefusalSaysWhy(TestDatabase db) {
        db.exec(
                "CREATE TABLE notes (id INT NOT NULL PRIMARY KEY, body VARCHAR(20) NULL, old INT NULL)",
                "INSERT INTO notes SELECT seq, 'b', seq FROM seq_1_to_10");
        Migrator migrator =
                Changes.migrator(
                        db, Changes.spec(db, "notes", "DROP COLUMN old", "strategy: Auto"));
        Progress done = Changes.run(migrator, Controls.NONE, null);
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.Completed);
        assertThat(done.message()).contains("no rollback: no ALTER undoes \"DROP COLUMN old\"");

        Progress back = migrator.rollback(Duration.ofSeconds(20));

        assertThat(back.phase()).isEqualTo(Phase.Completed);
        assertThat(back.problem().reason()).contains("no ALTER undoes \"DROP COLUMN old\"");
        assertThat(db.rows("SHOW COLUMNS FROM notes")).hasSize(2);
    }

    /**
     * A transaction that read the table holds it while the native ALTER is due: each attempt gives
     * up after lockWaitTimeout and the next one is tried after a pause; the application's other
     * statements wait at most lockWaitTimeout per attempt, never for the long transaction.
     */
    @Test
    void aLongTransactionMakesTheAlterTimeOutAndRetryWithoutQueueingTheApplication(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, balance INT NOT NULL)",
                "INSERT INTO accounts SELECT seq, 100 FROM seq_1_to_1000");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "accounts",
                        "ADD COLUMN note VARCHAR(20) NULL",
                        "strategy: Auto\nswap: {lockWaitTimeout: 1s, maxAttempts: 3}");
        Migrator migrator = Changes.migrator(db, spec);
        Probe probe = new Probe(db, "UPDATE accounts SET balance = balance + 1 WHERE id = 2");
        try (Connection blocker = db.connect()) {
            blocker.setAutoCommit(false);
            blocker.createStatement().executeQuery("SELECT * FROM accounts WHERE id = 1").close();
            probe.start();
            long start = System.nanoTime();
            assertThatThrownBy(() -> migrator.advance(Controls.NONE, Duration.ofSeconds(60), null))
                    .isInstanceOf(EngineException.class)
                    .hasMessageContaining("Lock wait timeout");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMillis)
                    .as("three attempts of 1 s without and 1 s with waiting, and pauses")
                    .isBetween(3_000L, 15_000L);
            Thread.sleep(200);
            probe.stop();
            assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).isEmpty();
            assertThat(migrator.read().orElseThrow().phase()).isEqualTo(Phase.Swapping);
            assertThat(migrator.read().orElseThrow().swapAttempts()).isEqualTo(3);
            blocker.rollback();
        }
        assertThat(probe.errors).isEmpty();
        assertThat(probe.count.get()).isGreaterThan(10);
        assertThat(probe.maxMillis.get()).as("longest wait of the application").isLessThan(1_700);

        Progress done = Changes.run(migrator, Controls.NONE, null);

        assertThat(done.phase()).isEqualTo(Phase.Swapped);
        assertThat(done.swapAttempts()).isEqualTo(4);
        assertThat(db.rows("SHOW COLUMNS FROM accounts LIKE 'note'")).hasSize(1);
    }

    /** An application statement run in a loop, timing the slowest. */
    private static final class Probe {
        private final TestDatabase db;
        private final String sql;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong maxMillis = new AtomicLong();
        private final AtomicLong count = new AtomicLong();
        private final List<String> errors = new CopyOnWriteArrayList<>();
        private Thread thread;

        Probe(TestDatabase db, String sql) {
            this.db = db;
            this.sql = sql;
        }

        void start() {
            thread = new Thread(this::loop, "probe");
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            if (thread != null) {
                thread.join();
            }
        }

        private void loop() {
            try (Connection c = db.connect();
                    Statement s = c.createStatement()) {
                while (running.get()) {
                    long start = System.nanoTime();
                    try {
                        s.execute(sql);
                    } catch (SQLException e) {
                        errors.add(e.getErrorCode() + " " + e.getMessage());
                    }
                    maxMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000, Math::max);
                    count.incrementAndGet();
                    Thread.sleep(5);
                }
            } catch (SQLException | InterruptedException e) {
                errors.add("probe: " + e.getMessage());
            }
        }
    }
}

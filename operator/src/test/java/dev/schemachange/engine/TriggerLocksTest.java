package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The lock footprint of every trigger path, probed one statement at a time: an application
 * transaction runs a write and stays open; a second application session, waiting at most one second
 * for a lock, appends a row and writes other rows. Any gap or next-key lock the first transaction's
 * trigger took in a target table would make the second wait (and, with two appenders, deadlock).
 * docs/how-it-works.md lists the locks each statement takes.
 */
@MariaDb
class TriggerLocksTest {
    /**
     * What the first transaction holds open: the common path of each trigger ({@code %2$d} is the
     * table's highest key, {@code %3$d} a round number that picks rows no other round touched).
     */
    private static final List<String> HELD =
            List.of(
                    "INSERT INTO %1$s (v, k) VALUES (1, 1)",
                    "UPDATE %1$s SET v = v + 1 WHERE id = %2$d",
                    "UPDATE %1$s SET id = 500000 + 1000000 * (1 + %3$d) + id WHERE id = 30 + %3$d",
                    "DELETE FROM %1$s WHERE id = %2$d",
                    "INSERT INTO %1$s (v, k) VALUES (2, 2); "
                            + "UPDATE %1$s SET k = k + 1 WHERE id IN (200 + 2 * %3$d, 201 + 2 * %3$d)");

    /** What the second session must get through meanwhile: other rows, and an append. */
    private static final List<String> PROBES =
            List.of(
                    "INSERT INTO %1$s (v, k) VALUES (3, 3)",
                    "UPDATE %1$s SET v = v + 1 WHERE id = 300 + 3 * %3$d",
                    "UPDATE %1$s SET id = 1000000 * (1 + %3$d) + id WHERE id = 301 + 3 * %3$d",
                    "DELETE FROM %1$s WHERE id = 302 + 3 * %3$d");

    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void noTriggerStatementHoldsALockThatAnotherSessionsAppendOrOtherRowsWaitFor(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "ledger_rr" : "ledger_rc";
        db.exec(
                "CREATE TABLE "
                        + t
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, k INT NOT"
                        + " NULL, KEY (k))",
                "INSERT INTO " + t + " (v, k) SELECT seq, seq % 7 FROM seq_1_to_500");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(32) NULL",
                        """
                swap: {approval: Required}
                retention: {keepOldTableFor: 72h}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);

        probeEveryPath(db, isolation, t, 0);
        assertThat(db.rows("SELECT id, v, k FROM `_schemachange`." + t + " ORDER BY id"))
                .as("the shadow after the probes")
                .isEqualTo(db.rows("SELECT id, v, k FROM " + t + " ORDER BY id"));

        Progress swapped = Changes.run(migrator, new Controls(true, null, false, false), null);
        assertThat(swapped.phase()).isEqualTo(Phase.Swapped);
        probeEveryPath(db, isolation, t, 20);
        assertThat(db.rows("SELECT id, v, k FROM " + t + "__osc_old ORDER BY id"))
                .as("the reverse-synced old table after the probes")
                .isEqualTo(db.rows("SELECT id, v, k FROM " + t + " ORDER BY id"));

        List<String> live = db.rows("SELECT id, v, k FROM " + t + " ORDER BY id");
        assertThat(migrator.rollback(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.RolledBack);
        assertThat(db.rows("SELECT id, v, k FROM " + t + " ORDER BY id")).isEqualTo(live);
    }

    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aSplitsFanOutAndItsReverseSyncHoldNoLockThatAnotherSessionsAppendWaitsFor(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "wallet_rr" : "wallet_rc";
        db.exec(
                "CREATE TABLE "
                        + t
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL DEFAULT 0, k INT"
                        + " NOT NULL DEFAULT 0, memo VARCHAR(20) NULL, KEY (k))",
                "INSERT INTO " + t + " (v, k, memo) SELECT seq, seq % 7, 'm' FROM seq_1_to_500");
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        t,
                        """
                split:
                  - {table: %1$s, columns: [id, v, k]}
                  - {table: %1$s_memo, columns: [id, memo]}
                swap: {approval: Required}
                retention: {keepOldTableFor: 72h}
                """
                                .formatted(t));
        Migrator migrator = Changes.migrator(db, spec);
        Progress waiting = Changes.run(migrator, Controls.NONE, null);
        assertThat(waiting.phase()).as(waiting.message()).isEqualTo(Phase.AwaitingSwap);
        probeEveryPath(db, isolation, t, 0);

        assertThat(Changes.run(migrator, new Controls(true, null, false, false), null).phase())
                .isEqualTo(Phase.Swapped);
        String memo = t + "_memo";
        // the application now writes both parts of an entity in one transaction
        probe(
                db,
                isolation,
                List.of(
                        "INSERT INTO " + t + " (v, k) VALUES (1, 1)",
                        "INSERT INTO " + memo + " (id, memo) VALUES (LAST_INSERT_ID(), 'a')"),
                List.of(
                        "INSERT INTO " + t + " (v, k) VALUES (2, 2)",
                        "INSERT INTO " + memo + " (id, memo) VALUES (LAST_INSERT_ID(), 'b')",
                        "UPDATE " + memo + " SET memo = 'c' WHERE id = 30"));
        probe(
                db,
                isolation,
                List.of(
                        "UPDATE " + t + " SET v = v + 1 WHERE id = 40",
                        "UPDATE " + memo + " SET memo = 'd' WHERE id = 40"),
                List.of(
                        "INSERT INTO " + t + " (v, k) VALUES (3, 3)",
                        "INSERT INTO " + memo + " (id, memo) VALUES (LAST_INSERT_ID(), 'e')"));
        probe(
                db,
                isolation,
                List.of(
                        "DELETE FROM " + t + " WHERE id = 50",
                        "DELETE FROM " + memo + " WHERE id = 50"),
                List.of(
                        "INSERT INTO " + t + " (v, k) VALUES (4, 4)",
                        "INSERT INTO " + memo + " (id, memo) VALUES (LAST_INSERT_ID(), 'f')",
                        "DELETE FROM " + t + " WHERE id = 60",
                        "DELETE FROM " + memo + " WHERE id = 60"));
        assertThat(db.rows("SELECT id, v, k, memo FROM " + t + "__osc_old ORDER BY id"))
                .as("the reverse-synced old table holds the union of the parts")
                .isEqualTo(
                        db.rows(
                                "SELECT a.id, a.v, a.k, b.memo FROM "
                                        + t
                                        + " a JOIN "
                                        + memo
                                        + " b USING (id) ORDER BY a.id"));
        assertThat(migrator.rollback(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.RolledBack);
    }

    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void writesTheBackfillJournalsAboveItsMarkHoldNoLockThatAnotherSessionsWriteWaitsFor(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "journal_rr" : "journal_rc";
        db.exec(
                "CREATE TABLE "
                        + t
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, k INT NOT"
                        + " NULL, KEY (k))",
                "INSERT INTO " + t + " (v, k) SELECT seq, seq % 7 FROM seq_1_to_20000");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(32) NULL",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 200}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress p;
        do {
            p = migrator.advance(Controls.NONE, Duration.ofMillis(100), null);
        } while (p.phase() != Phase.Backfilling || p.rowsCopied() == 0);
        assertThat(p.rowsCopied()).as("the mark is inside the copy range").isLessThan(15_000);

        // between two slices the copier holds nothing: what the probes meet is the triggers' own
        probe(
                db,
                isolation,
                List.of(
                        "UPDATE " + t + " SET v = v + 1 WHERE id = 19990",
                        "UPDATE " + t + " SET id = 30000 WHERE id = 19991",
                        "DELETE FROM " + t + " WHERE id = 19992",
                        "INSERT INTO " + t + " (id, v, k) VALUES (19992, 5, 5)"),
                List.of(
                        "UPDATE " + t + " SET v = v + 1 WHERE id = 19993",
                        "UPDATE " + t + " SET id = 30001 WHERE id = 19994",
                        "DELETE FROM " + t + " WHERE id = 19995",
                        "INSERT INTO " + t + " (v, k) VALUES (6, 6)"));

        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Completed);
        assertThat(db.count("SELECT COUNT(*) FROM " + t)).isEqualTo(20_000);
    }

    /**
     * A widening's reverse triggers test each value against the old column before writing it back:
     * an expression over NEW and OLD, no read, so the common path locks as without a widening.
     */
    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aWidenedKeyAndColumnAreSyncedBackWithoutALockThatAnotherSessionsAppendWaitsFor(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "wide_rr" : "wide_rc";
        db.exec(
                "CREATE TABLE "
                        + t
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL, k INT NOT"
                        + " NULL, KEY (k))",
                "INSERT INTO " + t + " (v, k) SELECT seq, seq % 7 FROM seq_1_to_500");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "MODIFY id BIGINT NOT NULL AUTO_INCREMENT, MODIFY v BIGINT NOT NULL",
                        "retention: {keepOldTableFor: 72h}");
        Migrator migrator = Changes.migrator(db, spec);
        assertThat(Changes.run(migrator, Controls.NONE, null).phase()).isEqualTo(Phase.Swapped);
        probeEveryPath(db, isolation, t, 0);
        assertThat(db.rows("SELECT id, v, k FROM " + t + "__osc_old ORDER BY id"))
                .as("the reverse-synced old table after the probes")
                .isEqualTo(db.rows("SELECT id, v, k FROM " + t + " ORDER BY id"));
        List<String> live = db.rows("SELECT id, v, k FROM " + t + " ORDER BY id");
        assertThat(migrator.rollback(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.RolledBack);
        assertThat(db.rows("SELECT id, v, k FROM " + t + " ORDER BY id")).isEqualTo(live);
    }

    /** Each held write against every probe, on {@code table}. */
    private static void probeEveryPath(
            TestDatabase db, String isolation, String table, int firstRound) throws SQLException {
        int round = firstRound;
        for (String held : HELD) {
            for (String probe : PROBES) {
                long max = db.count("SELECT MAX(id) FROM " + table);
                probe(
                        db,
                        isolation,
                        List.of(held.formatted(table, max, round).split("; ")),
                        List.of(probe.formatted(table, max, round)));
                round++;
            }
        }
    }

    /**
     * Runs {@code held} in a transaction left open, then {@code probe} in another session that
     * gives up after one second of lock wait; asserts the probe did not wait, then commits both.
     */
    private static void probe(
            TestDatabase db, String isolation, List<String> held, List<String> probe)
            throws SQLException {
        try (Connection a = db.transaction(isolation);
                Connection b = db.transaction(isolation);
                Statement sa = a.createStatement();
                Statement sb = b.createStatement()) {
            for (String sql : held) {
                sa.execute(sql);
            }
            assertThatCode(
                            () -> {
                                for (String sql : probe) {
                                    sb.execute(sql);
                                }
                            })
                    .as("%s while another transaction holds %s", probe, held)
                    .doesNotThrowAnyException();
            b.commit();
            a.commit();
        }
    }

    /**
     * A split's reverse DELETE removes the old table's row once no part holds the key: after
     * another part's row was deleted in the same transaction (an entity deleted whole, in either
     * order), its lookup finds that row delete-marked by the transaction itself, and the server
     * lists only record locks (no gap, no next-key) — at both levels. A key another part never had
     * is the uncommon path the docs name: under REPEATABLE READ its lookup locks the gap where the
     * key would be; the probe shows it, so the listing is read right.
     */
    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aSplitsReverseDeleteOfAWholeEntityTakesRecordLocksOnlyInEitherOrder(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "purse_rr" : "purse_rc";
        String memo = t + "_memo";
        db.exec(
                "CREATE TABLE "
                        + t
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, v INT NOT NULL DEFAULT 0, k INT"
                        + " NOT NULL DEFAULT 0, memo VARCHAR(20) NULL, KEY (k))",
                "INSERT INTO " + t + " (v, k, memo) SELECT seq, seq % 7, 'm' FROM seq_1_to_500");
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        t,
                        """
                split:
                  - {table: %1$s, columns: [id, v, k]}
                  - {table: %1$s_memo, columns: [id, memo]}
                retention: {keepOldTableFor: 72h}
                """
                                .formatted(t));
        Migrator migrator = Changes.migrator(db, spec);
        Progress swapped = Changes.run(migrator, Controls.NONE, null);
        assertThat(swapped.phase()).as(swapped.message()).isEqualTo(Phase.Swapped);
        db.exec("SET GLOBAL innodb_status_output_locks = ON");
        try {
            List<String> wholeFirstPartFirst =
                    heldLocks(
                            db,
                            isolation,
                            "DELETE FROM " + t + " WHERE id = 50",
                            "DELETE FROM " + memo + " WHERE id = 50");
            List<String> wholeSecondPartFirst =
                    heldLocks(
                            db,
                            isolation,
                            "DELETE FROM " + memo + " WHERE id = 60",
                            "DELETE FROM " + t + " WHERE id = 60");
            db.exec("INSERT INTO " + t + " (id, v, k) VALUES (900, 9, 9)"); // no memo row
            List<String> neverInTheOtherPart =
                    heldLocks(db, isolation, "DELETE FROM " + t + " WHERE id = 900");

            for (List<String> locks : List.of(wholeFirstPartFirst, wholeSecondPartFirst)) {
                assertThat(locks)
                        .as("the record locks of an entity's delete from both parts")
                        .isNotEmpty()
                        .allMatch(l -> l.endsWith("locks rec but not gap"), "record only");
                assertThat(locks)
                        .as("the old table's row is deleted by its key")
                        .anyMatch(l -> l.contains(t + "__osc_old` PRIMARY: lock_mode X"));
            }
            if (isolation.startsWith("REPEATABLE")) {
                assertThat(neverInTheOtherPart)
                        .as("a key the other part never had")
                        .anyMatch(l -> l.contains(memo + "`") && !l.endsWith("rec but not gap"));
            } else {
                assertThat(neverInTheOtherPart)
                        .as("a key the other part never had, at READ COMMITTED")
                        .allMatch(l -> l.endsWith("locks rec but not gap"), "record only");
            }
        } finally {
            db.exec("SET GLOBAL innodb_status_output_locks = OFF");
        }
        assertThat(db.rows("SELECT id, v, k, memo FROM " + t + "__osc_old ORDER BY id"))
                .as("the reverse-synced old table holds the union of the parts")
                .isEqualTo(
                        db.rows(
                                "SELECT a.id, a.v, a.k, b.memo FROM "
                                        + t
                                        + " a JOIN "
                                        + memo
                                        + " b USING (id) ORDER BY a.id"));
        assertThat(migrator.rollback(Duration.ofSeconds(30)).phase()).isEqualTo(Phase.RolledBack);
    }

    /**
     * Runs {@code held} in a transaction, lists the record locks the server reports for it (SHOW
     * ENGINE INNODB STATUS with innodb_status_output_locks) as "`schema`.`table` INDEX: mode", then
     * commits it.
     */
    private static List<String> heldLocks(TestDatabase db, String isolation, String... held)
            throws SQLException {
        try (Connection a = db.transaction(isolation);
                Connection watcher = db.connect();
                Statement sa = a.createStatement();
                Statement sw = watcher.createStatement()) {
            long id;
            try (ResultSet rs = sa.executeQuery("SELECT CONNECTION_ID()")) {
                rs.next();
                id = rs.getLong(1);
            }
            for (String sql : held) {
                sa.execute(sql);
            }
            String status;
            try (ResultSet rs = sw.executeQuery("SHOW ENGINE INNODB STATUS")) {
                rs.next();
                status = rs.getString("Status");
            }
            a.commit();
            Pattern lock = Pattern.compile("index (\\S+) of table (\\S+) trx id \\d+ (.*)$");
            List<String> locks = new ArrayList<>();
            for (String trx : status.split("---TRANSACTION ")) {
                if (!trx.contains("MariaDB thread id " + id + ",")) {
                    continue;
                }
                for (String line : trx.split("\n")) {
                    Matcher m = lock.matcher(line.trim());
                    if (line.startsWith("RECORD LOCKS") && m.find()) {
                        locks.add(m.group(2) + " " + m.group(1) + ": " + m.group(3));
                    }
                }
            }
            return locks;
        }
    }
}

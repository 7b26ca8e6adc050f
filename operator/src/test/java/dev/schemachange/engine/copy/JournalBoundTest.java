package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.local.Writers;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableSet;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The journal stays bounded under a uniform write load during a long copy: a key journaled ahead of
 * the copier is forgotten once no open transaction holds it, because the copier reads it later and
 * sees the committed write. The journal then holds the keys written since the copier's previous
 * settle, plus those of open transactions; the previous design kept every key written ahead of the
 * copier until the copier passed it.
 */
@MariaDb
class JournalBoundTest {
    private static final Controls PAUSED = new Controls(false, null, true, false);
    private static final Controls APPROVED = new Controls(true, null, false, false);
    private static final int ROWS = 60_000;
    private static final int WRITERS = 3;

    /** Moved keys land here, above the copy range (the triggers mirror them). */
    private static final int MOVED = 1_000_000;

    @Test
    void aKeyWrittenAheadOfTheCopierIsForgottenOnceItsTransactionEndsAndKeptWhileItIsOpen(
            TestDatabase db) throws Exception {
        db.exec(
                "CREATE TABLE accounts (id INT NOT NULL PRIMARY KEY, v VARCHAR(16) NOT NULL)",
                "INSERT INTO accounts SELECT seq, CONCAT('v', seq) FROM seq_1_to_30000",
                "ANALYZE TABLE accounts");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "accounts",
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10ms, maxChunkRows: 100}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress p;
        do {
            p = migrator.advance(Controls.NONE, Duration.ofMillis(150), null);
        } while (p.phase() != Phase.Backfilling || p.rowsCopied() == 0);
        assertThat(p.rowsCopied())
                .as("the copier is far below the keys written")
                .isLessThan(20_000);

        db.exec(
                "UPDATE accounts SET v = 'committed' WHERE id = 25000",
                "DELETE FROM accounts WHERE id = 26000",
                "UPDATE accounts SET id = 50000 WHERE id = 27000", // its new key is mirrored
                "INSERT INTO accounts VALUES (26000, 'again')",
                "UPDATE accounts SET v = 'first' WHERE id = 28000");
        assertThat(db.rows("SELECT id FROM accounts__osc_jnl ORDER BY id"))
                .containsExactly("25000", "26000", "27000", "28000");
        try (Connection open = db.connect()) {
            open.setAutoCommit(false);
            try (Statement s = open.createStatement()) {
                // one entry that is there (the no-op update's lock), one new (the insert's)
                s.executeUpdate("UPDATE accounts SET v = 'open' WHERE id = 28000");
                s.executeUpdate("UPDATE accounts SET v = 'open' WHERE id = 29000");
            }

            migrator.advance(PAUSED, Duration.ofSeconds(5), null); // settles, copies nothing

            assertThat(db.rows("SELECT id FROM accounts__osc_jnl ORDER BY id"))
                    .as("the committed writes' keys are forgotten, the open transaction's kept")
                    .containsExactly("28000");
            open.commit();
        }
        assertThat(db.rows("SELECT id FROM accounts__osc_jnl ORDER BY id"))
                .containsExactly("28000", "29000");
        migrator.advance(PAUSED, Duration.ofSeconds(5), null);
        assertThat(db.count("SELECT COUNT(*) FROM accounts__osc_jnl")).isZero();

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).as("nothing left for Verifying to repair").isZero();
        assertThat(db.rows("SELECT id, v FROM `_schemachange`.accounts ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM accounts ORDER BY id"));
        assertThat(
                        db.rows(
                                "SELECT id, v FROM accounts WHERE id IN (25000, 26000, 27000,"
                                        + " 28000, 29000, 50000) ORDER BY id"))
                .containsExactly(
                        "25000|committed",
                        "26000|again",
                        "28000|open",
                        "29000|open",
                        "50000|v27000");
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    /**
     * A pruned key's entry stays delete-marked until purge (held off here by an open snapshot);
     * journaling that key again locks the entry's record only, so another session's writes to the
     * keys around it, pruned or not, never wait (TriggerLocksTest's probe, for this path).
     */
    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void journalingAPrunedKeyAgainHoldsNoLockThatAnotherSessionsWriteWaitsFor(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "pruned_rr" : "pruned_rc";
        db.exec(
                "CREATE TABLE " + t + " (id INT NOT NULL PRIMARY KEY, v VARCHAR(16) NOT NULL)",
                "INSERT INTO " + t + " SELECT seq, CONCAT('v', seq) FROM seq_1_to_30000",
                "ANALYZE TABLE " + t);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10ms, maxChunkRows: 100}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress p;
        do {
            p = migrator.advance(Controls.NONE, Duration.ofMillis(150), null);
        } while (p.phase() != Phase.Backfilling || p.rowsCopied() == 0);
        assertThat(p.rowsCopied()).isLessThan(20_000);

        try (Connection snapshot = db.connect();
                Statement ss = snapshot.createStatement()) {
            snapshot.setAutoCommit(false);
            ss.execute("START TRANSACTION WITH CONSISTENT SNAPSHOT");
            ss.executeQuery("SELECT COUNT(*) FROM " + t + "__osc_jnl").close();
            db.exec(
                    "UPDATE " + t + " SET v = 'one' WHERE id IN (25000, 25002, 25004)",
                    "DELETE FROM " + t + " WHERE id = 25006");
            migrator.advance(PAUSED, Duration.ofSeconds(5), null);
            assertThat(db.count("SELECT COUNT(*) FROM " + t + "__osc_jnl")).isZero();

            try (Connection a = db.transaction(isolation);
                    Connection b = db.transaction(isolation);
                    Statement sa = a.createStatement();
                    Statement sb = b.createStatement()) {
                sa.execute("UPDATE " + t + " SET v = 'held' WHERE id = 25002");
                sa.execute("INSERT INTO " + t + " VALUES (25006, 'held')");
                assertThatCode(
                                () -> {
                                    sb.execute("UPDATE " + t + " SET v = 'b' WHERE id = 25000");
                                    sb.execute("UPDATE " + t + " SET v = 'b' WHERE id = 25001");
                                    sb.execute("UPDATE " + t + " SET v = 'b' WHERE id = 25003");
                                    sb.execute("DELETE FROM " + t + " WHERE id = 25004");
                                    sb.execute("INSERT INTO " + t + " VALUES (25004, 'b')");
                                    sb.execute("UPDATE " + t + " SET v = 'b' WHERE id = 25005");
                                    sb.execute("UPDATE " + t + " SET id = 40000 WHERE id = 25008");
                                })
                        .as("writes around pruned keys another transaction journaled again")
                        .doesNotThrowAnyException();
                b.commit();
                a.commit();
            }
            snapshot.commit();
        }

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).as("nothing left for Verifying to repair").isZero();
        assertThat(db.rows("SELECT id, v FROM `_schemachange`." + t + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM " + t + " ORDER BY id"));
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
    }

    /**
     * Uniform writers over the whole key space — updates, key changes, deletes, inserts — while a
     * slow copier (chunks of 50 rows) crosses 60,000 rows. At every sample, each range's journal
     * holds at most the writes committed since that range's previous mark was first seen, plus one
     * per open writer: the keys written since the copier's last settle. What the previous design
     * would hold (every key written above the mark) is counted from the writers' own keys.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 3})
    void underUniformWritersTheJournalHoldsOnlyTheWritesSinceTheCopiersLastSettle(
            int threads, TestDatabase db) throws Exception {
        String t = "uniform_" + threads;
        for (String table : List.of(t, t + "_ref")) {
            db.exec(
                    "CREATE TABLE "
                            + table
                            + " (id INT NOT NULL PRIMARY KEY, k INT NOT NULL, v VARCHAR(32) NULL,"
                            + " KEY (k))");
        }
        db.exec(
                "INSERT INTO "
                        + t
                        + " SELECT seq, seq % 100, CONCAT('v', seq) FROM seq_1_to_"
                        + ROWS,
                "INSERT INTO " + t + "_ref SELECT * FROM " + t,
                "ANALYZE TABLE " + t);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 20ms, maxChunkRows: 50, threads: %d}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """
                                .formatted(threads));
        Migrator migrator = Changes.migrator(db, spec);
        NavigableSet<Integer> written = new ConcurrentSkipListSet<>();
        List<Sample> samples = new ArrayList<>();
        Progress verified;
        long copyMillis;
        Writers app = uniformWriters(db, t, written);
        try (app) {
            Changes.run(migrator, Controls.NONE, Phase.Backfilling);
            AtomicBoolean copying = new AtomicBoolean(true);
            Thread sampler = new Thread(() -> sample(db, t, app, written, copying, samples));
            sampler.start();
            long started = System.nanoTime();
            verified = Changes.run(migrator, Controls.NONE, Phase.AwaitingSwap);
            copyMillis = (System.nanoTime() - started) / 1_000_000;
            copying.set(false);
            sampler.join();
            Thread.sleep(300); // the triggers keep the shadow equal after the copy too
        }
        assertThat(app.errors()).as("errors the application saw").isEmpty();

        long most = 0; // in the second half of the copy, past the copier's first slow chunks
        long previousDesign = 0;
        for (int i = 0; i < samples.size(); i++) {
            Sample s = samples.get(i);
            if (i >= samples.size() / 2) {
                most = Math.max(most, s.journal().size());
            }
            for (Mark m : s.marks()) {
                long held = s.journal().stream().filter(m::inRange).count();
                long since = writesBeforeThePreviousMark(samples, i, m.r());
                if (since >= 0) {
                    assertThat(held)
                            .as("range %d's journal at sample %d of %d", m.r(), i, samples.size())
                            .isLessThanOrEqualTo(s.writesAfter() - since + WRITERS);
                }
            }
            previousDesign = Math.max(previousDesign, s.previousDesign());
        }
        System.out.printf(
                "%d copiers: backfill and verify %d ms, %d samples, %d writes, journal at most %d in the"
                        + " second half, the previous design's peak %d%n",
                threads, copyMillis, samples.size(), app.writes(), most, previousDesign);
        assertThat(samples).as("samples during the copy").hasSizeGreaterThan(50);
        assertThat(app.writes()).isGreaterThan(1_000);
        assertThat(previousDesign)
                .as("keys the previous design would have held at its peak; at most %d now", most)
                .isGreaterThan(5 * Math.max(most, 20));

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.chunksRepaired()).as("nothing left for Verifying to repair").isZero();
        assertThat(db.count("SELECT COUNT(*) FROM " + t + "__osc_jnl")).isZero();
        assertThat(db.rows("SELECT id, k, v FROM `_schemachange`." + t + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, v FROM " + t + " ORDER BY id"));
        assertThat(db.rows("SELECT id, k, v FROM " + t + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, v FROM " + t + "_ref ORDER BY id"));
        assertThat(Changes.run(migrator, APPROVED, null).phase()).isEqualTo(Phase.Completed);
        assertThat(db.rows("SELECT id, k, v FROM " + t + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, v FROM " + t + "_ref ORDER BY id"));
    }

    /** One range of the mark as sampled: {@code copied = false} means nothing copied yet. */
    record Mark(int r, boolean bounded, int after, boolean copied, int lo, int max) {
        boolean inRange(int key) {
            return (!bounded || key > after) && key <= max;
        }

        /** Whether the previous design's triggers journal this key now. */
        boolean journals(int key) {
            return inRange(key) && (!copied || key > lo);
        }
    }

    /**
     * What one sample saw, in this order: the writers' count, the mark, the journal, the count
     * again.
     */
    record Sample(
            long writesBefore,
            List<Mark> marks,
            List<Integer> journal,
            long writesAfter,
            long previousDesign) {
        Mark mark(int r) {
            return marks.stream().filter(m -> m.r() == r).findFirst().orElse(null);
        }
    }

    /**
     * The writers' count before the sample that last saw range {@code r} below the mark it had
     * before its current one, or -1 when the samples do not go back that far. The settle that
     * raised the mark to that previous value began after that sample, and forgot every key
     * committed before its prune; so what the journal holds now was written after that count.
     */
    private static long writesBeforeThePreviousMark(List<Sample> samples, int i, int r) {
        Mark now = samples.get(i).mark(r);
        int j = i;
        while (j >= 0 && sameMark(samples.get(j).mark(r), now)) {
            j--;
        }
        if (j < 0) {
            return -1;
        }
        Mark previous = samples.get(j).mark(r);
        if (previous == null || !previous.copied()) {
            return -1; // set when the mark was opened or divided, not by a settle
        }
        while (j >= 0 && sameMark(samples.get(j).mark(r), previous)) {
            j--;
        }
        return j < 0 ? -1 : samples.get(j).writesBefore();
    }

    private static boolean sameMark(Mark a, Mark b) {
        return a != null && b != null && a.copied() == b.copied() && a.lo() == b.lo();
    }

    private static void sample(
            TestDatabase db,
            String t,
            Writers app,
            NavigableSet<Integer> written,
            AtomicBoolean copying,
            List<Sample> out) {
        try (Connection c = db.connect();
                Statement s = c.createStatement()) {
            while (copying.get()) {
                long before = app.writes();
                List<Mark> marks = new ArrayList<>();
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT r, bounded, after_0, copied, lo_0, max_0 FROM "
                                        + t
                                        + "__osc_wmk")) {
                    while (rs.next()) {
                        marks.add(
                                new Mark(
                                        rs.getInt(1),
                                        rs.getInt(2) == 1,
                                        rs.getInt(3),
                                        rs.getInt(4) == 1,
                                        rs.getInt(5),
                                        rs.getInt(6)));
                    }
                }
                List<Integer> journal = new ArrayList<>();
                try (ResultSet rs = s.executeQuery("SELECT id FROM " + t + "__osc_jnl")) {
                    while (rs.next()) {
                        journal.add(rs.getInt(1));
                    }
                }
                long after = app.writes();
                long previousDesign =
                        written.stream()
                                .filter(k -> marks.stream().anyMatch(m -> m.journals(k)))
                                .count();
                if (!marks.isEmpty()) {
                    out.add(new Sample(before, List.copyOf(marks), journal, after, previousDesign));
                }
                Thread.sleep(20);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Writers over keys 1..ROWS chosen uniformly, each write also applied to the reference table in
     * the same transaction; {@code written} collects the keys the triggers decide on.
     */
    private static Writers uniformWriters(
            TestDatabase db, String t, NavigableSet<Integer> written) {
        AtomicInteger moved = new AtomicInteger(MOVED);
        return Writers.start(
                "uniform-" + t,
                WRITERS,
                db::connect,
                c -> {
                    List<PreparedStatement[]> both = new ArrayList<>();
                    for (String table : List.of(t, t + "_ref")) {
                        both.add(
                                new PreparedStatement[] {
                                    c.prepareStatement(
                                            "UPDATE "
                                                    + table
                                                    + " SET v = ?, k = k + 1 WHERE id = ?"),
                                    c.prepareStatement(
                                            "UPDATE " + table + " SET id = ? WHERE id = ?"),
                                    c.prepareStatement("DELETE FROM " + table + " WHERE id = ?"),
                                    c.prepareStatement(
                                            "INSERT IGNORE INTO "
                                                    + table
                                                    + " (id, k, v) VALUES (?, 7, ?)")
                                });
                    }
                    return () -> {
                        ThreadLocalRandom r = ThreadLocalRandom.current();
                        int op = r.nextInt(10);
                        int id = r.nextInt(1, ROWS + 1);
                        String v = "w" + r.nextInt(1_000_000);
                        int movedTo = op >= 4 && op < 6 ? moved.incrementAndGet() : 0;
                        int changed = -1;
                        for (PreparedStatement[] ps : both) {
                            int n;
                            if (op < 4) {
                                ps[0].setString(1, v);
                                ps[0].setInt(2, id);
                                n = ps[0].executeUpdate();
                            } else if (op < 6) {
                                ps[1].setInt(1, movedTo);
                                ps[1].setInt(2, id);
                                n = ps[1].executeUpdate();
                            } else if (op < 8) {
                                ps[2].setInt(1, id);
                                n = ps[2].executeUpdate();
                            } else {
                                ps[3].setInt(1, id);
                                ps[3].setString(2, v);
                                n = ps[3].executeUpdate();
                            }
                            changed = changed < 0 ? n : changed;
                        }
                        if (changed > 0) { // the triggers fired for this key
                            written.add(id);
                        }
                    };
                });
    }
}

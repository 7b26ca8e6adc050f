package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.AppWorkload;
import dev.schemachange.testing.AppWorkload.Counts;
import dev.schemachange.testing.AppWorkload.Target;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The change's lock footprint on an ordinary application: twelve sessions appending rows with
 * AUTO_INCREMENT, updating, moving and deleting rows and running ORM-style units of work get no
 * more deadlocks or lock wait timeouts from the change's triggers than they get from each other
 * without a change — through the backfill, the wait for approval, the swap with reverse sync and
 * the rollback. The same application without a change, measured first on the same table, is the
 * baseline; both counts are printed, with the count per phase.
 *
 * <p>What it guards against: under REPEATABLE READ a trigger that deletes a key its target does not
 * hold (a new row's key in the shadow, or in the old table after the swap) takes a next-key lock on
 * the gap where that key would go — for appended rows the end of the table, the supremum — and two
 * appenders whose INSERT IGNOREs then wait for each other's gap lock deadlock. An application that
 * never deadlocks on its own would start failing transactions because of the change.
 */
@MariaDb
class LockFootprintTest {
    private static final int THREADS = 12;
    private static final int ROWS = 15_000;
    private static final int SPLIT_ROWS = 10_000; // one backfill pass writes both parts
    private static final Duration BASELINE = Duration.ofSeconds(2);
    private static final Duration AWAITING_SWAP = Duration.ofSeconds(1);
    private static final Duration SWAPPED = Duration.ofMillis(1_500);
    private static final Duration PHASE_DEADLINE = Duration.ofSeconds(30);
    private static final Duration ROLLED_BACK = Duration.ofSeconds(1);
    private static final Duration REPOINT_DEADLINE = Duration.ofSeconds(20);
    private static final Duration CHILD_APP_PAUSE =
            Duration.ofMillis(Long.getLong("fkPauseMillis", 2));
    private static final Controls APPROVED = new Controls(true, null, false, false);
    private static final Controls ROLLBACK = new Controls(false, null, false, true);
    private static final String OPTIONS =
            """
            backfill: {chunkTime: 50ms, maxChunkRows: 500}
            swap: {approval: Required}
            retention: {keepOldTableFor: 72h}
            """;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void appendsUpdatesKeyChangesAndDeletesGetNoDeadlockThroughTheWholeChange(
            String isolation, TestDatabase db) throws Exception {
        String t = "accounts_log_" + suffix(isolation);
        AppWorkload.create(db, t, null, ROWS);
        SchemaChangeSpec spec = Changes.spec(db, t, "ADD COLUMN note2 VARCHAR(32) NULL", OPTIONS);

        Footprint f = measure(db, t, null, ROWS, spec, false, isolation);

        f.assertNoMoreLockConflictsThanTheBaseline();
        assertEqualToTheApplicationsRecord(db, t);
        assertNothingLeft(db, t);
    }

    /**
     * Four copiers over disjoint ranges, each raising its own row of the mark and re-copying its
     * own part of the journal: the application's footprint is the single copier's.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void parallelCopiersGiveTheApplicationNoDeadlockThroughTheWholeChange(
            String isolation, TestDatabase db) throws Exception {
        String t = "accounts_par_" + suffix(isolation);
        AppWorkload.create(db, t, null, ROWS);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note2 VARCHAR(32) NULL",
                        OPTIONS.replace("maxChunkRows: 500}", "maxChunkRows: 500, threads: 4}"));

        Footprint f = measure(db, t, null, ROWS, spec, false, isolation);

        f.assertNoMoreLockConflictsThanTheBaseline();
        assertEqualToTheApplicationsRecord(db, t);
        assertNothingLeft(db, t);
    }

    /**
     * A split's forward triggers write every part; after the swap the application writes the parts
     * (its new version) and each part's reverse triggers write back to the old table.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aSplitsFanOutTriggersGiveTheApplicationNoDeadlockBeforeOrAfterTheSwap(
            String isolation, TestDatabase db) throws Exception {
        String t = "ledger_" + suffix(isolation);
        AppWorkload.create(db, t, null, SPLIT_ROWS);
        SchemaChangeSpec spec =
                Changes.split(
                        db,
                        t,
                        """
                        split:
                          - {table: %s, columns: [id, account, amount]}
                          - {table: %s_notes, columns: [id, note]}
                        """
                                        .formatted(t, t)
                                + OPTIONS);

        Footprint f = measure(db, t, null, SPLIT_ROWS, spec, true, isolation);

        f.assertNoMoreLockConflictsThanTheBaseline();
        assertEqualToTheApplicationsRecord(db, t);
        assertNothingLeft(db, t);
    }

    /**
     * Child rows are inserted with their parents (and for parents the session appended before), so
     * every transaction also locks parent rows through the constraint while it points at the
     * original, the old table right after the swap, the live table once rebuilt, and back.
     *
     * <p>Re-pointing the children is DDL on them, and an application transaction that wrote a
     * parent already holds a metadata lock on the child through the constraint: a waiting ALTER
     * there would meet the transaction's own child insert in a metadata-lock deadlock that the
     * server breaks by failing the application's statement. The re-point never waits, so it needs a
     * moment when no transaction holds the child; the sessions pause {@link #CHILD_APP_PAUSE}
     * between transactions, as a real application thread spends most of a request outside the
     * database. Measured: without a pause twelve sessions hardly ever leave the child idle (the
     * rollback's re-point took up to 34 s), with 1 ms up to 24 s, with 2 ms and 5 ms under 0.1 s;
     * never with an application error.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void childRowsWrittenWithTheirParentsGetNoDeadlockThroughTheWholeChange(
            String isolation, TestDatabase db) throws Exception {
        String t = "payments_" + suffix(isolation);
        String child = "payment_items_" + suffix(isolation);
        AppWorkload.create(db, t, child, ROWS);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note2 VARCHAR(32) NULL",
                        OPTIONS + "foreignKeys: {children: RebuildConstraints}\n");

        Footprint f = measure(db, t, child, ROWS, spec, false, isolation, CHILD_APP_PAUSE);

        f.assertNoMoreLockConflictsThanTheBaselineOutside();
        assertEqualToTheApplicationsRecord(db, t);
        assertThat(difference(db.rows(childRows(child)), db.rows(childRows(child + "_ref"))))
                .as("the child table after the rollback")
                .isEmpty();
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM `"
                                        + child
                                        + "` c LEFT JOIN `"
                                        + t
                                        + "` p ON p.id = c.log_id WHERE p.id IS NULL"))
                .as("orphans")
                .isZero();
        assertThat(
                        db.rows(
                                "SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM"
                                        + " information_schema.REFERENTIAL_CONSTRAINTS WHERE"
                                        + " CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '"
                                        + child
                                        + "'"))
                .isEqualTo(db.rows("SELECT '" + child + "_log', '" + t + "'"));
        assertNothingLeft(db, t);
    }

    /**
     * Runs the application for the baseline, then on through the change: Validating … AwaitingSwap,
     * a while waiting for approval, the swap, a while swapped (checking live, old and reference
     * tables in one snapshot), the rollback, a while after it.
     */
    private static Footprint measure(
            TestDatabase db,
            String t,
            String child,
            int rows,
            SchemaChangeSpec spec,
            boolean split,
            String isolation)
            throws Exception {
        return measure(db, t, child, rows, spec, split, isolation, Duration.ZERO);
    }

    /** As above, with each application session pausing {@code pause} between transactions. */
    private static Footprint measure(
            TestDatabase db,
            String t,
            String child,
            int rows,
            SchemaChangeSpec spec,
            boolean split,
            String isolation,
            Duration pause)
            throws Exception {
        // every deadlock goes to the server's error log, read back for the failure message
        db.exec("SET GLOBAL innodb_print_all_deadlocks = ON");
        Path errorLog = db.server().directory().resolve("error.log");
        AppWorkload app = AppWorkload.of(db, t, child, rows, THREADS, isolation).pausing(pause);
        Driver change = new Driver(Changes.migrator(db, spec));
        Counts baseline;
        Duration baselineTime;
        String stopped;
        Timeline timeline;
        long logFrom;
        long changeStart;
        try (app) {
            long start = System.nanoTime();
            app.start(Target.TABLE);
            Thread.sleep(BASELINE.toMillis());
            baseline = app.counts();
            baselineTime = Duration.ofNanos(System.nanoTime() - start);
            logFrom = Files.size(errorLog);
            changeStart = System.nanoTime();
            timeline = new Timeline(app, baseline);
            stopped = walk(db, app, change, timeline, t, child, split);
            app.stop();
        } finally {
            if (!change.rolledBack) {
                // the work schema is shared: a change left running fails other tests' checks
                change.reach(Phase.RolledBack, ROLLBACK);
            }
        }
        Footprint f =
                new Footprint(
                        t,
                        isolation,
                        baseline,
                        baselineTime,
                        app.counts().minus(baseline),
                        Duration.ofNanos(System.nanoTime() - changeStart),
                        stopped,
                        timeline.entries,
                        timeline.conflictsByPhase,
                        change.retries,
                        app.conflicts(),
                        deadlocks(
                                errorLog, logFrom, child == null ? List.of(t) : List.of(t, child)),
                        app.errors());
        System.out.println(f);
        return f;
    }

    /**
     * The change's walk while the application writes; returns why it ended early, or null. A
     * difference between the live, old and reference tables fails at once.
     */
    private static String walk(
            TestDatabase db,
            AppWorkload app,
            Driver change,
            Timeline timeline,
            String t,
            String child,
            boolean split)
            throws InterruptedException {
        String stopped = change.reach(Phase.AwaitingSwap, Controls.NONE);
        timeline.mark("to AwaitingSwap");
        if (stopped != null) {
            return stopped;
        }
        Thread.sleep(AWAITING_SWAP.toMillis());
        timeline.mark("awaiting approval");
        if (split) {
            app.stop(); // the application's new version writes the parts: deployed with the swap
        }
        stopped = change.reach(Phase.Swapped, APPROVED);
        timeline.mark("swap");
        if (stopped != null) {
            return stopped;
        }
        assertThat(change.last.message()).contains("reverse-synced");
        if (split) {
            app.start(Target.PARTS);
        }
        long swappedFrom = System.nanoTime();
        if (child != null) {
            stopped = untilRepointed(db, change, t, child);
            timeline.mark("re-pointing");
            if (stopped != null) {
                return stopped;
            }
        }
        Thread.sleep(
                Math.max(0, SWAPPED.toMillis() - (System.nanoTime() - swappedFrom) / 1_000_000));
        List<List<String>> s =
                db.snapshot(
                        split ? AppWorkload.joinedParts(t) : AppWorkload.rows(t),
                        split ? notesJoined(t) : AppWorkload.rows(t),
                        AppWorkload.rows(t + "__osc_old"),
                        AppWorkload.rows(t + "_ref"),
                        child == null ? "SELECT 1" : childRows(child),
                        child == null ? "SELECT 1" : childRows(child + "_ref"));
        assertThat(difference(s.get(0), s.get(3)))
                .as(split ? "the parts joined to the first after the swap" : "the new table")
                .isEmpty();
        assertThat(difference(s.get(1), s.get(3)))
                .as(split ? "the parts joined to the second after the swap" : "the new table")
                .isEmpty();
        assertThat(difference(s.get(2), s.get(3))).as("the reverse-synced old table").isEmpty();
        assertThat(difference(s.get(4), s.get(5))).as("the child table after the swap").isEmpty();
        timeline.mark("swapped");
        if (split) {
            app.stop(); // and the previous version comes back with the rollback
        }
        stopped = change.reach(Phase.RolledBack, ROLLBACK);
        timeline.mark("rollback");
        if (stopped != null) {
            return stopped;
        }
        if (split) {
            app.start(Target.TABLE);
        }
        Thread.sleep(ROLLED_BACK.toMillis());
        timeline.mark("rolled back");
        return null;
    }

    /**
     * Steps the swapped change, as the operator's reconciles and {@code osc run} do, until the
     * child's constraint references the live table under its own name: a re-point that never waits
     * may come after the swap. Returns null once it does, else why not.
     */
    private static String untilRepointed(TestDatabase db, Driver change, String t, String child)
            throws InterruptedException {
        long start = System.nanoTime();
        long deadline = start + REPOINT_DEADLINE.toNanos();
        String query =
                "SELECT CONSTRAINT_NAME, REFERENCED_TABLE_NAME FROM"
                        + " information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA ="
                        + " DATABASE() AND TABLE_NAME = '"
                        + child
                        + "'";
        List<String> expected = db.rows("SELECT '" + child + "_log', '" + t + "'");
        List<String> now = db.rows(query);
        while (!now.equals(expected) && System.nanoTime() < deadline) {
            String stopped = change.reach(Phase.Swapped, Controls.NONE);
            if (stopped != null) {
                return stopped;
            }
            Thread.sleep(20);
            now = db.rows(query);
        }
        System.out.printf(
                "%s: %s after %d ms (%s)%n",
                child, now, (System.nanoTime() - start) / 1_000_000, change.last.message());
        return now.equals(expected)
                ? null
                : child
                        + " still has "
                        + now
                        + " after "
                        + REPOINT_DEADLINE.toSeconds()
                        + " s: "
                        + change.last.message();
    }

    /** Lock conflicts (of them lock wait timeouts) and transactions per phase of the change. */
    private static final class Timeline {
        final AppWorkload app;
        final List<String> entries = new ArrayList<>();
        final java.util.Map<String, Long> conflictsByPhase = new java.util.LinkedHashMap<>();
        Counts last;
        long lastNanos = System.nanoTime();

        Timeline(AppWorkload app, Counts start) {
            this.app = app;
            this.last = start;
        }

        void mark(String phase) {
            Counts now = app.counts();
            Counts d = now.minus(last);
            long nanos = System.nanoTime();
            entries.add(
                    "%s %d ms: %d (%d) in %d"
                            .formatted(
                                    phase,
                                    (nanos - lastNanos) / 1_000_000,
                                    d.lockConflicts(),
                                    d.lockWaitTimeouts(),
                                    d.writes()));
            conflictsByPhase.put(phase, d.lockConflicts());
            last = now;
            lastNanos = nanos;
        }
    }

    /**
     * Drives the change as the CLI and the operator do: a transient error (e.g. the engine's own
     * lock wait timed out) ends the step, and the next step tries again, for up to {@link
     * #PHASE_DEADLINE} per phase.
     */
    private static final class Driver {
        final Migrator migrator;
        final List<String> retries = new ArrayList<>();
        Progress last;
        boolean rolledBack;

        Driver(Migrator migrator) {
            this.migrator = migrator;
        }

        /** Advances to {@code phase}; returns null once there, else what stopped it. */
        String reach(Phase phase, Controls controls) {
            long deadline = System.nanoTime() + PHASE_DEADLINE.toNanos();
            int before = retries.size();
            while (System.nanoTime() < deadline) {
                try {
                    last =
                            phase == Phase.RolledBack
                                    ? migrator.advance(controls, Duration.ofSeconds(30), null)
                                    : Changes.run(migrator, controls, null);
                } catch (RuntimeException e) {
                    if (!Migrator.isTransient(e)) {
                        throw e;
                    }
                    retries.add(e.getMessage());
                    continue;
                }
                if (phase == Phase.RolledBack && last.phase() == Phase.RollingBack) {
                    continue; // a child is busy: the rollback waits for its re-point
                }
                rolledBack = last.phase() == Phase.RolledBack;
                return last.phase() == phase
                        ? null
                        : "stopped at " + last.phase() + " instead of " + phase + ": " + last;
            }
            return "not at "
                    + phase
                    + " after "
                    + PHASE_DEADLINE.toSeconds()
                    + " s: the engine's step failed "
                    + (retries.size() - before)
                    + " times with "
                    + retries.stream().skip(before).distinct().toList();
        }
    }

    /** What the application saw without a change and during one. */
    private record Footprint(
            String table,
            String isolation,
            Counts baseline,
            Duration baselineTime,
            Counts change,
            Duration changeTime,
            String stopped,
            List<String> phases,
            java.util.Map<String, Long> conflictsByPhase,
            List<String> engineRetries,
            List<String> conflicts,
            List<String> deadlocks,
            List<String> appErrors) {

        /** The baseline's lock conflicts scaled to the change's duration. */
        long baselineForTheChangesDuration() {
            return baseline.lockConflicts() * changeTime.toMillis() / baselineTime.toMillis();
        }

        void assertNoMoreLockConflictsThanTheBaseline() {
            assertThat(baseline.writes()).as("writes in the baseline").isGreaterThan(300);
            assertThat(change.writes()).as("writes during the change").isGreaterThan(1_000);
            assertThat(change.lockConflicts())
                    .as(
                            "deadlocks and lock wait timeouts during the change (%s); the first"
                                    + " ones the application got: %s; the first of %d deadlocks the"
                                    + " server logged for the table:%n%s",
                            this,
                            conflicts,
                            deadlocks.size(),
                            deadlocks.isEmpty() ? "none" : deadlocks.get(0))
                    .isLessThanOrEqualTo(baselineForTheChangesDuration());
            assertThat(stopped).as("the change walked every phase (%s)", this).isNull();
            assertThat(appErrors).as("errors the application saw").isEmpty();
        }

        /**
         * As {@link #assertNoMoreLockConflictsThanTheBaseline}, except in the {@code ddlSteps},
         * where only row-lock deadlocks (InnoDB logs each) count: there a metadata-lock deadlock
         * with our DDL can fail an application statement (docs/foreign-keys.md).
         */
        void assertNoMoreLockConflictsThanTheBaselineOutside(String... ddlSteps) {
            assertThat(baseline.lockConflicts()).as("the baseline's lock conflicts").isZero();
            assertThat(change.writes()).as("writes during the change").isGreaterThan(1_000);
            Set<String> ddl = Set.of(ddlSteps);
            conflictsByPhase.forEach(
                    (phase, n) ->
                            assertThat(ddl.contains(phase) ? 0 : n)
                                    .as("lock conflicts while %s (%s): %s", phase, this, conflicts)
                                    .isZero());
            assertThat(deadlocks).as("row-lock deadlocks the server logged (%s)", this).isEmpty();
            assertThat(stopped).as("the change walked every phase (%s)", this).isNull();
            assertThat(appErrors).as("errors the application saw").isEmpty();
        }

        @Override
        public String toString() {
            return ("%s at %s: baseline %d lock conflicts in %d transactions (%d ms; %d scaled to"
                            + " the change's duration), during the change %d lock conflicts (%d"
                            + " lock wait timeouts) in %d transactions (%d ms; %d deadlocks in the"
                            + " server's log); by phase, conflicts (timeouts) in transactions:"
                            + " %s; the engine's step failed %d times%s")
                    .formatted(
                            table,
                            isolation,
                            baseline.lockConflicts(),
                            baseline.writes(),
                            baselineTime.toMillis(),
                            baselineForTheChangesDuration(),
                            change.lockConflicts(),
                            change.lockWaitTimeouts(),
                            change.writes(),
                            changeTime.toMillis(),
                            deadlocks.size(),
                            String.join(", ", phases),
                            engineRetries.size(),
                            stopped == null ? "" : "; " + stopped);
        }
    }

    /**
     * How {@code actual} differs from {@code expected}, rows in both sorted by key: up to 20 rows
     * only the one has ("+") or only the other ("-"), and the row counts if they differ.
     */
    static List<String> difference(List<String> actual, List<String> expected) {
        Set<String> a = new HashSet<>(actual);
        Set<String> e = new HashSet<>(expected);
        List<String> out = new ArrayList<>();
        actual.stream().filter(r -> !e.contains(r)).limit(20).forEach(r -> out.add("+ " + r));
        expected.stream().filter(r -> !a.contains(r)).limit(20).forEach(r -> out.add("- " + r));
        if (out.isEmpty() && !actual.equals(expected)) {
            out.add("same rows, other order or count: " + actual.size() + " vs " + expected.size());
        } else if (!out.isEmpty()) {
            out.add(actual.size() + " rows, expected " + expected.size());
        }
        return out;
    }

    /** The deadlocks the server logged from {@code offset} on that involve one of the tables. */
    private static List<String> deadlocks(Path errorLog, long offset, List<String> tables)
            throws IOException {
        byte[] all = Files.readAllBytes(errorLog);
        String log =
                new String(
                        all,
                        (int) Math.min(offset, all.length),
                        (int) Math.max(0, all.length - offset),
                        StandardCharsets.UTF_8);
        List<String> out = new ArrayList<>();
        for (String d : log.split("InnoDB: Transactions deadlock detected")) {
            if (d.contains("WE ROLL BACK") && tables.stream().anyMatch(t -> d.contains("`" + t))) {
                out.add(d.substring(0, d.indexOf("WE ROLL BACK")));
            }
        }
        return out;
    }

    /** After the rollback the table holds exactly the rows the application's own record says. */
    private static void assertEqualToTheApplicationsRecord(TestDatabase db, String t) {
        assertThat(difference(db.rows(AppWorkload.rows(t)), db.rows(AppWorkload.rows(t + "_ref"))))
                .as("the table after the rollback")
                .isEmpty();
    }

    private static void assertNothingLeft(TestDatabase db, String t) {
        assertThat(db.rows("SHOW TRIGGERS LIKE '" + t + "%'")).as("triggers left").isEmpty();
        assertThat(
                        db.rows(
                                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = '_schemachange' "
                                        + "AND TABLE_NAME LIKE '"
                                        + t
                                        + "%'"))
                .as("helper tables left behind")
                .isEmpty();
    }

    private static String notesJoined(String t) {
        return "SELECT n.id, a.account, a.amount, n.note FROM `"
                + t
                + "_notes` n LEFT JOIN `"
                + t
                + "` a ON a.id = n.id ORDER BY n.id";
    }

    private static String childRows(String child) {
        return "SELECT id, log_id, qty FROM `" + child + "` ORDER BY id";
    }

    private static String suffix(String isolation) {
        return isolation.startsWith("REPEATABLE") ? "rr" : "rc";
    }

    /**
     * A unique key the ALTER adds that does not contain the chunk key makes the copy lock its
     * source rows (a stale copied row could collide with a mirrored one and fail the change for
     * nothing). Those locks must be as short as one copy statement, at READ COMMITTED without gaps,
     * and the copier must never wait for an application's row lock while it holds the shadow's
     * AUTO-INC lock: the application's inserts wait for that lock, and InnoDB may break the cycle
     * by failing the application.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aNewUniqueKeyWithoutTheChunkKeyCopiesInLockedChunksThatGiveTheApplicationNoDeadlock(
            String isolation, TestDatabase db) throws Exception {
        String t = "accounts_uq_" + suffix(isolation);
        AppWorkload.create(db, t, null, ROWS);
        // every initial row has a distinct code, appended rows have none (NULLs never collide)
        db.exec(
                "ALTER TABLE `" + t + "` ADD COLUMN code BIGINT NULL",
                "UPDATE `" + t + "` SET code = id * 7");
        SchemaChangeSpec spec = Changes.spec(db, t, "ADD UNIQUE KEY uq_code (code)", OPTIONS);

        Footprint f = measure(db, t, null, ROWS, spec, false, isolation);

        f.assertNoMoreLockConflictsThanTheBaseline();
        assertEqualToTheApplicationsRecord(db, t);
        assertThat(db.count("SELECT COUNT(DISTINCT code) FROM `" + t + "` WHERE code IS NOT NULL"))
                .as("codes after the rollback")
                .isEqualTo(db.count("SELECT COUNT(code) FROM `" + t + "`"));
        assertNothingLeft(db, t);
    }

    /**
     * A table with its own foreign key to a parent: the new table has one too, so the copy locks
     * its source rows, and each copied row also share-locks its parent through the constraint.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void aTableWithItsOwnParentCopiesInLockedChunksThatGiveTheApplicationNoDeadlock(
            String isolation, TestDatabase db) throws Exception {
        String t = "entries_" + suffix(isolation);
        String parent = "owners_" + suffix(isolation);
        AppWorkload.create(db, t, null, ROWS);
        db.exec(
                "CREATE TABLE `" + parent + "` (id INT NOT NULL PRIMARY KEY, name VARCHAR(20))",
                "INSERT INTO `" + parent + "` SELECT seq, CONCAT('owner ', seq) FROM seq_0_to_1999",
                "ALTER TABLE `"
                        + t
                        + "` ADD CONSTRAINT `"
                        + t
                        + "_owner` FOREIGN KEY (account) REFERENCES `"
                        + parent
                        + "` (id)");
        SchemaChangeSpec spec = Changes.spec(db, t, "ADD COLUMN note2 VARCHAR(32) NULL", OPTIONS);

        Footprint f = measure(db, t, null, ROWS, spec, false, isolation);

        f.assertNoMoreLockConflictsThanTheBaseline();
        assertEqualToTheApplicationsRecord(db, t);
        assertThat(
                        db.rows(
                                "SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS "
                                        + "WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = '"
                                        + t
                                        + "'"))
                .as("the table's own foreign key after the rollback")
                .containsExactly(parent);
        assertNothingLeft(db, t);
    }
}

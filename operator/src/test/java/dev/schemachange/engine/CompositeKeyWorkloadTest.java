package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.AppWorkload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.LockBaseline;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A multi-tenant table keyed by {@code (tenant, seq)} with a unique code: the application appends
 * inside each tenant's key range (not at the table's end), updates and deletes rows, moves rows to
 * new keys and runs two-statement units of work, from eight sessions. Through the copy, the swap,
 * writes on the new table with reverse sync and a rollback it gets no more deadlocks or lock wait
 * timeouts than the same workload before the change, and the table ends equal to the application's
 * own record.
 */
@MariaDb
class CompositeKeyWorkloadTest {
    private static final int TENANTS = 20;
    private static final int ROWS_PER_TENANT = 1_000;
    private static final int THREADS = 8;
    private static final Duration BASELINE = Duration.ofSeconds(4);

    /**
     * Each session's pause between transactions, as a request spends most of its time outside the
     * database; without one, eight sessions append faster than a test-sized copy goes.
     */
    private static final long PAUSE_MILLIS = 2;

    @ParameterizedTest
    @ValueSource(strings = {"REPEATABLE READ", "READ COMMITTED"})
    void appendsInsideEachTenantsRangeGetNoDeadlockThroughTheWholeChange(
            String isolation, TestDatabase db) throws Exception {
        String t = isolation.startsWith("REPEATABLE") ? "tenant_rr" : "tenant_rc";
        for (String table : List.of(t, t + "_ref")) {
            db.exec(
                    "CREATE TABLE "
                            + table
                            + " (tenant INT NOT NULL, seq INT NOT NULL, v INT NOT NULL, code"
                            + " VARCHAR(24) NOT NULL, PRIMARY KEY (tenant, seq), UNIQUE KEY (code))",
                    "INSERT INTO "
                            + table
                            + " SELECT seq % "
                            + TENANTS
                            + ", seq DIV "
                            + TENANTS
                            + ", seq, CONCAT('c', seq) FROM seq_0_to_"
                            + (TENANTS * ROWS_PER_TENANT - 1));
        }
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(32) NULL",
                        """
                backfill: {chunkTime: 100ms, maxChunkRows: 1000}
                swap: {approval: Required}
                retention: {keepOldTableFor: 72h}
                """);
        Migrator migrator = Changes.migrator(db, spec);

        try (Application app = new Application(db, t, isolation)) {
            app.start();
            LockBaseline baseline = LockBaseline.measure(app, BASELINE);

            assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                    .isEqualTo(Phase.AwaitingSwap);
            assertThat(Changes.run(migrator, new Controls(true, null, false, false), null).phase())
                    .isEqualTo(Phase.Swapped);
            Thread.sleep(1_000);
            assertThat(migrator.rollback(Duration.ofSeconds(30)).phase())
                    .isEqualTo(Phase.RolledBack);
            Thread.sleep(500);
            app.stop();

            baseline.assertNoMoreLockConflictsThanTheBaseline();
        }
        String rows = "SELECT tenant, seq, v, code FROM %s ORDER BY tenant, seq";
        assertThat(db.rows(rows.formatted(t))).isEqualTo(db.rows(rows.formatted(t + "_ref")));
    }

    /**
     * Eight sessions writing the table and, in the same transaction, its reference copy ({@link
     * AppWorkload} writes a ledger with an AUTO_INCREMENT key only).
     */
    private static final class Application implements AutoCloseable, LockBaseline.Observed {
        private final TestDatabase db;
        private final String t;
        private final String isolation;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong writes = new AtomicLong();
        private final AtomicLong conflicts = new AtomicLong();
        private final AtomicLong lockWaitTimeouts = new AtomicLong();
        private final List<String> firstConflicts = new CopyOnWriteArrayList<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final List<Thread> threads = new ArrayList<>();

        Application(TestDatabase db, String t, String isolation) {
            this.db = db;
            this.t = t;
            this.isolation = isolation;
        }

        void start() {
            for (int i = 0; i < THREADS; i++) {
                int session = i;
                Thread thread = new Thread(() -> run(session), "app-" + i);
                threads.add(thread);
                thread.start();
            }
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread thread : threads) {
                thread.join();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }

        @Override
        public AppWorkload.Counts counts() {
            return new AppWorkload.Counts(writes.get(), conflicts.get(), lockWaitTimeouts.get());
        }

        @Override
        public List<String> conflicts() {
            return List.copyOf(firstConflicts);
        }

        @Override
        public List<String> errors() {
            return List.copyOf(failures);
        }

        /** A row appended inside the tenant's key range, above its initial rows. */
        private static String append(int tenant, int seq, int session) {
            return "INSERT INTO %%1$s (tenant, seq, v, code) VALUES (%d, %d, 0, 'a%d_%d')"
                    .formatted(tenant, seq, session, seq);
        }

        private void run(int session) {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            int appended = 0;
            int moved = 0;
            try (Connection c = db.transaction(isolation);
                    Statement s = c.createStatement()) {
                s.execute("SET SESSION innodb_lock_wait_timeout = 5");
                while (running.get()) {
                    int tenant = random.nextInt(TENANTS);
                    int existing = random.nextInt(ROWS_PER_TENANT);
                    int op = random.nextInt(10);
                    // each statement runs on the table and on its reference, hence %1$s
                    List<String> sql = new ArrayList<>();
                    if (op < 5 || op == 9) {
                        int seq = 100_000 + session * 100_000 + appended++;
                        sql.add(append(tenant, seq, session));
                    }
                    if ((op >= 5 && op < 7) || op == 9) {
                        sql.add(
                                "UPDATE %%1$s SET v = v + 1 WHERE tenant = %d AND seq = %d"
                                        .formatted(tenant, existing));
                    } else if (op == 7) {
                        int seq = 2_000_000 + session * 100_000 + moved++;
                        sql.add(
                                "UPDATE %%1$s SET seq = %d WHERE tenant = %d AND seq = %d"
                                        .formatted(seq, tenant, existing));
                    } else if (op == 8) {
                        sql.add(
                                "DELETE FROM %%1$s WHERE tenant = %d AND seq = %d"
                                        .formatted(tenant, existing));
                    }
                    try {
                        for (String q : sql) {
                            s.executeUpdate(q.formatted(t));
                            s.executeUpdate(q.formatted(t + "_ref"));
                        }
                        c.commit();
                        writes.incrementAndGet();
                        Thread.sleep(PAUSE_MILLIS);
                    } catch (SQLException e) {
                        c.rollback();
                        if (e.getErrorCode() == 1213 || e.getErrorCode() == 1205) {
                            conflicts.incrementAndGet();
                            if (e.getErrorCode() == 1205) {
                                lockWaitTimeouts.incrementAndGet();
                            }
                            if (firstConflicts.size() < 5) {
                                firstConflicts.add(e.getMessage() + " in " + sql);
                            }
                        } else {
                            failures.add(e.getErrorCode() + " " + e.getMessage());
                        }
                    }
                }
            } catch (SQLException e) {
                failures.add(e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

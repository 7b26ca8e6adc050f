package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The copy yields to the application when Threads_running rises well above the level measured
 * before copying, for every parallel copier at once, and says so in the status.
 */
@MariaDb
class ThreadsRunningRiseTest {
    private static final int BUSY_SESSIONS = 8;

    @Test
    void everyCopierWaitsWhileTheApplicationsRunningThreadsRiseAboveTheBaseline(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE events (id INT NOT NULL PRIMARY KEY, v VARCHAR(16) NOT NULL)",
                "INSERT INTO events SELECT seq, CONCAT('v', seq) FROM seq_1_to_200000",
                "ANALYZE TABLE events");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "events",
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill:
                  chunkTime: 20ms
                  maxChunkRows: 200
                  threads: 2
                  throttle: {maxThreadsRunningRise: 4}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Changes.run(migrator, Controls.NONE, Phase.Backfilling);

        List<Connection> busy = new ArrayList<>();
        List<CompletableFuture<Void>> sleeping = new ArrayList<>();
        Progress held;
        long copiedWhileHeld;
        try {
            CompletableFuture<Progress> step =
                    CompletableFuture.supplyAsync(
                            () -> migrator.advance(Controls.NONE, Duration.ofSeconds(3), null));
            Thread.sleep(500); // the step measured its baseline and copies
            for (int i = 0; i < BUSY_SESSIONS; i++) {
                Connection c = db.connect();
                busy.add(c);
                sleeping.add(CompletableFuture.runAsync(() -> sleep(c)));
            }
            Thread.sleep(500); // the hold reaches every copier after its chunk
            long atHold = copied(db);
            held = step.get();
            copiedWhileHeld = copied(db) - atHold;
        } finally {
            sleeping.forEach(CompletableFuture::join);
            for (Connection c : busy) {
                c.close();
            }
        }

        assertThat(held.phase()).isEqualTo(Phase.Backfilling);
        assertThat(held.throttled()).isTrue();
        assertThat(held.waitingFor().detail())
                .matches(
                        "throttled: Threads_running \\d+ \\(not counting our 2 copiers\\) rose"
                                + " more than 4 above the \\d+ measured before copying");
        assertThat(copiedWhileHeld).as("rows copied while held").isZero();

        Progress verified = Changes.run(migrator, Controls.NONE, Phase.AwaitingSwap);
        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(db.rows("SELECT id, v FROM `_schemachange`.events ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, v FROM events ORDER BY id"));
    }

    private static long copied(TestDatabase db) {
        return db.count(
                "SELECT COALESCE(SUM(rows_copied), 0) FROM `_schemachange`.schemachange_ranges"
                        + " WHERE table_schema = '"
                        + db.name()
                        + "' AND table_name = 'events'");
    }

    /** A session the server counts as running for a few seconds, as a busy application's. */
    private static void sleep(Connection c) {
        try (Statement st = c.createStatement()) {
            st.execute("SELECT SLEEP(4)");
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}

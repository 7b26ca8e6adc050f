package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.local.Workload;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@code osc run} while three copiers work, then {@code osc run} again: every copier
 * resumes at its own checkpoint, re-copying at most the chunk it had in flight.
 */
@MariaDb
public class ParallelCrashResumeTest {
    private static final int ROWS = 60_000;
    private static final int CHUNK = 500;
    private static final int THREADS = 3;

    @Test
    void aKilledParallelRunResumesEveryCopierAtItsCheckpointAndRecopiesAtMostOneChunkEach(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.createWorkloadTable("ledger", ROWS);
        db.exec("ANALYZE TABLE ledger");
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: ledger-note, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: ledger
                  alter: "ADD COLUMN note VARCHAR(64) NULL"
                  strategy: Copy
                  backfill: {chunkTime: 20ms, maxChunkRows: %d, threads: %d}
                  retention: {keepOldTableFor: "0"}
                """
                        .formatted(db.server().port(), db.name(), CHUNK, THREADS));
        long inFlightAtKill;
        try (Workload app = db.startWorkload("ledger", ROWS, 2, "")) {
            Process first =
                    CrashResumeTest.osc(dir, "run", "-f", manifest.toString(), "--user", "root");
            awaitRangesCopied(db, first, 5_000);
            first.destroyForcibly()
                    .waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no cleanup
            assertThat(db.value(state(db, "phase"))).isEqualTo("Backfilling");
            assertThat(db.count(ranges(db, "COUNT(*)"))).isEqualTo(THREADS);
            inFlightAtKill = db.count(ranges(db, "COUNT(*)") + " AND copy_cursor <> up_to");
            assertThat(db.count(ranges(db, "SUM(rows_copied)"))).isLessThan(ROWS);

            Process second =
                    CrashResumeTest.osc(dir, "run", "-f", manifest.toString(), "--user", "root");
            assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(dir.resolve("out.log"));
            assertThat(second.exitValue()).as(out).isZero();
            assertThat(out.strip().lines().reduce((a, b) -> b).orElse(""))
                    .isEqualTo("phase=Completed");
            app.close();
            assertThat(app.errors()).isEmpty();
        }
        assertThat(inFlightAtKill).as("copiers still working when killed").isPositive();
        long copied = Long.parseLong(db.value(state(db, "rows_copied")));
        assertThat(copied)
                .as("rows copied over both runs, by all copiers")
                .isLessThanOrEqualTo(ROWS + THREADS * CHUNK);
        assertThat(Long.parseLong(db.value(state(db, "chunk_rows"))))
                .as("the resumed copiers' chunk size, as the first run's")
                .isGreaterThan(50);
        assertThat(db.rows("SELECT id, k, payload FROM ledger ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM ledger_ref ORDER BY id"));
        assertThat(db.rows("SHOW TABLES LIKE 'ledger%'"))
                .containsExactlyInAnyOrder("ledger", "ledger_ref");
    }

    private static String state(TestDatabase db, String column) {
        return "SELECT "
                + column
                + " FROM `_schemachange`.schemachange_state WHERE table_schema = '"
                + db.name()
                + "' AND table_name = 'ledger'";
    }

    private static String ranges(TestDatabase db, String what) {
        return "SELECT "
                + what
                + " FROM `_schemachange`.schemachange_ranges WHERE table_schema = '"
                + db.name()
                + "' AND table_name = 'ledger'";
    }

    /** Waits until the copiers' own checkpoints (not the state row's totals) count this many. */
    private static void awaitRangesCopied(TestDatabase db, Process p, long atLeast)
            throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (!p.isAlive()) {
                throw new AssertionError("osc run ended before it could be killed");
            }
            try {
                String v = db.value(ranges(db, "COALESCE(SUM(rows_copied), 0)"));
                if (v != null && Long.parseLong(v) >= atLeast) {
                    return;
                }
            } catch (IllegalStateException notYetCreated) {
                // the ranges table appears when the run reaches Preparing
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the backfill did not progress");
    }
}

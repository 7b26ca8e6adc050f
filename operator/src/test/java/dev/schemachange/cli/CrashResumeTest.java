package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.local.Workload;
import dev.schemachange.testing.CrashingOsc;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 of {@code osc run} mid-backfill, then {@code osc run} again: it resumes and loses
 * nothing.
 */
@MariaDb
public class CrashResumeTest {
    private static final int ROWS = 60_000;
    private static final int CHUNK = 500;

    @Test
    void aKilledRunResumesFromTheCheckpointAndRecopiesAtMostOneChunk(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.createWorkloadTable("ledger", ROWS);
        Path manifest = manifest(db, dir, "ledger", CHUNK);
        long copiedAtKill;
        try (Workload app = db.startWorkload("ledger", ROWS, 2, "")) {
            Process first = osc(dir, "run", "-f", manifest.toString(), "--user", "root");
            copiedAtKill = awaitCopied(db, first, 5_000);
            first.destroyForcibly()
                    .waitFor(10, TimeUnit.SECONDS); // SIGKILL: no shutdown hook, no cleanup
            assertThat(state(db, "phase")).isEqualTo("Backfilling");

            Process second = osc(dir, "run", "-f", manifest.toString(), "--user", "root");
            assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(dir.resolve("out.log"));
            assertThat(second.exitValue()).as(out).isZero();
            assertThat(out.strip().lines().reduce((a, b) -> b).orElse(""))
                    .isEqualTo("phase=Completed");
            app.close();
            assertThat(app.errors()).isEmpty();
        }
        long copied = Long.parseLong(state(db, "rows_copied"));
        assertThat(copiedAtKill).isPositive();
        assertThat(copied).as("rows copied over both runs").isLessThanOrEqualTo(ROWS + CHUNK);
        assertThat(db.rows("SELECT id, k, payload FROM ledger ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM ledger_ref ORDER BY id"));
    }

    @Test
    void aRunKilledBetweenAChunksCommitAndItsWatermarkLosesNoJournaledWrite(
            TestDatabase db, @TempDir Path dir) throws Exception {
        db.createWorkloadTable("entries", ROWS);
        Path manifest = manifest(db, dir, "entries", ROWS / 2);
        try (Workload app = db.startWorkload("entries", ROWS, 2, "")) {
            Thread.sleep(200);
            Process first =
                    osc(
                            dir,
                            java.util.Map.of("OSC_CRASH_AT", "backfill:after-chunk"),
                            "run",
                            "-f",
                            manifest.toString(),
                            "--user",
                            "root");
            assertThat(first.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue())
                    .as(Files.readString(dir.resolve("out.log")))
                    .isEqualTo(137);
            Thread.sleep(300); // writes above the unmoved mark go on into the journal
            assertThat(db.count("SELECT COUNT(*) FROM entries__osc_jnl")).isPositive();

            Process second = osc(dir, "run", "-f", manifest.toString(), "--user", "root");
            assertThat(second.waitFor(180, TimeUnit.SECONDS)).isTrue();
            String out = Files.readString(dir.resolve("out.log"));
            assertThat(out.strip().lines().reduce((a, b) -> b).orElse(""))
                    .as(out)
                    .isEqualTo("phase=Completed");
            app.close();
            assertThat(app.errors()).isEmpty();
        }
        assertThat(db.rows("SELECT id, k, payload FROM entries ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM entries_ref ORDER BY id"));
        assertThat(db.rows("SHOW TABLES LIKE 'entries%'"))
                .containsExactlyInAnyOrder("entries", "entries_ref");
    }

    private static Path manifest(TestDatabase db, Path dir, String table, int maxChunkRows)
            throws Exception {
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: %s-note, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: %s
                  alter: "ADD COLUMN note VARCHAR(64) NULL"
                  strategy: Copy
                  backfill: {chunkTime: 20ms, maxChunkRows: %d}
                  retention: {keepOldTableFor: "0"}
                """
                        .formatted(table, db.server().port(), db.name(), table, maxChunkRows));
        return manifest;
    }

    private static String state(TestDatabase db, String column) {
        return db.value(
                "SELECT "
                        + column
                        + " FROM `_schemachange`.schemachange_state WHERE table_schema = '"
                        + db.name()
                        + "' AND table_name = 'ledger'");
    }

    private static long awaitCopied(TestDatabase db, Process p, long atLeast)
            throws InterruptedException {
        for (int i = 0; i < 1200; i++) {
            if (!p.isAlive()) {
                throw new AssertionError("osc run ended before it could be killed");
            }
            long copied = 0;
            try {
                String v = state(db, "rows_copied");
                copied = v == null ? 0 : Long.parseLong(v);
            } catch (IllegalStateException notYetCreated) {
                // the state table appears when the run reaches Preparing
            }
            if (copied >= atLeast) {
                return copied;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the backfill did not progress");
    }

    /**
     * {@code osc} as a separate JVM, with the test's classpath; it halts at the point OSC_CRASH_AT
     * names.
     */
    public static Process osc(Path dir, String... args) throws Exception {
        return osc(dir, java.util.Map.of(), args);
    }

    /**
     * The same with extra environment variables (e.g. OSC_CRASH_AT, read by {@link CrashingOsc}).
     */
    public static Process osc(Path dir, java.util.Map<String, String> env, String... args)
            throws Exception {
        List<String> cmd =
                new java.util.ArrayList<>(
                        List.of(
                                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                                "-cp",
                                System.getProperty("java.class.path"),
                                CrashingOsc.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("out.log").toFile());
        pb.environment().put("OSC_PASSWORD", "");
        pb.environment().putAll(env);
        return pb.start();
    }
}

package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import dev.schemachange.testing.WideTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 of {@code osc run} during a split — mid-backfill under writes, and at each step of the
 * swap — then the same command again: every part ends equal to its projection of the original, with
 * no helper left.
 */
@MariaDb
class SplitCrashTest {
    private static final String CORE = "id, email, name, region_id, created_at, score";
    private static final String PROFILE = "id, bio, avatar_url, prefs, legacy_flag";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "backfill",
                "swap:view-placeholders",
                "swap:after-own-triggers",
                "swap:after-rename",
                "swap:after-repoint"
            })
    void aKilledSplitIsFinishedByTheNextRun(String point, @TempDir Path dir, TestDatabase db)
            throws Exception {
        String table = "w_" + point.replaceAll("[^a-z]", "_");
        WideTable.create(db, table, 8_000);
        Path manifest = dir.resolve("split.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: split, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: %s
                  split:
                    - {table: {t}_core, columns: [id, email, name, region_id, created_at, score]}
                    - {table: {t}_profile, columns: [id, bio, avatar_url, prefs, legacy_flag]}
                  compatibilityView: true
                  backfill: {chunkTime: 20ms, maxChunkRows: 200}
                  swap: {approval: Required}
                  retention: {keepOldTableFor: "0"}
                """
                        .replace("{t}", table)
                        .formatted(db.server().port(), db.name(), table));
        try (WideTable app = WideTable.write(db, table, 8_000, 2)) {
            if (point.equals("backfill")) {
                Process first =
                        CrashResumeTest.osc(
                                dir, "run", "-f", manifest.toString(), "--user", "root");
                awaitCopied(db, table, first, 1_000);
                first.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            assertThat(osc(dir, Map.of(), manifest)).isEqualTo("phase=AwaitingSwap");
            app.close();
            assertThat(app.errors()).isEmpty();
        }
        if (!point.equals("backfill")) {
            Process crashed =
                    CrashResumeTest.osc(
                            dir,
                            Map.of("OSC_CRASH_AT", point),
                            "run",
                            "-f",
                            manifest.toString(),
                            "--user",
                            "root",
                            "--approve-swap");
            assertThat(crashed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(crashed.exitValue())
                    .as(Files.readString(dir.resolve("out.log")))
                    .isEqualTo(137);
        }

        assertThat(osc(dir, Map.of(), manifest, "--approve-swap")).isEqualTo("phase=Completed");

        assertThat(db.rows("SELECT " + CORE + " FROM " + table + "_core ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + CORE + " FROM " + table + "_ref ORDER BY id"));
        assertThat(db.rows("SELECT " + PROFILE + " FROM " + table + "_profile ORDER BY id"))
                .isEqualTo(db.rows("SELECT " + PROFILE + " FROM " + table + "_ref ORDER BY id"));
        assertThat(db.rows("SELECT " + WideTable.COLUMNS + " FROM " + table + " ORDER BY id"))
                .as("the compatibility view")
                .isEqualTo(
                        db.rows(
                                "SELECT "
                                        + WideTable.COLUMNS
                                        + " FROM "
                                        + table
                                        + "_ref ORDER BY id"));
        assertThat(
                        db.rows(
                                "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
                                        + "TABLE_NAME LIKE '"
                                        + table
                                        + "%' ORDER BY 1"))
                .containsExactly(table, table + "_core", table + "_profile", table + "_ref");
        assertThat(
                        db.rows(
                                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE() "
                                        + "AND EVENT_OBJECT_TABLE LIKE '"
                                        + table
                                        + "%'"))
                .isEmpty();
    }

    private static String osc(Path dir, Map<String, String> env, Path manifest, String... more)
            throws Exception {
        List<String> args =
                new java.util.ArrayList<>(
                        List.of("run", "-f", manifest.toString(), "--user", "root"));
        args.addAll(List.of(more));
        Process p = CrashResumeTest.osc(dir, env, args.toArray(String[]::new));
        assertThat(p.waitFor(180, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }

    private static void awaitCopied(TestDatabase db, String table, Process p, long atLeast)
            throws Exception {
        for (int i = 0; i < 1200; i++) {
            assertThat(p.isAlive()).as("osc run is still running").isTrue();
            try {
                String v =
                        db.value(
                                "SELECT rows_copied FROM `_schemachange`.schemachange_state WHERE table_schema = '"
                                        + db.name()
                                        + "' AND table_name = '"
                                        + table
                                        + "'");
                if (v != null && Long.parseLong(v) >= atLeast) {
                    return;
                }
            } catch (IllegalStateException notYetCreated) {
                // the state table appears when the run reaches Preparing
            }
            Thread.sleep(20);
        }
        throw new AssertionError("the backfill did not progress");
    }
}

package dev.schemachange.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.local.Workload;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * kill -9 at every step of the swap and of the rollback, under writes, then {@code osc run} again:
 * the database ends in one consistent state — data equal, the table's own trigger present exactly
 * once on the live table, our triggers where that state needs them and nowhere else.
 */
@MariaDb
class CrashDuringSwapTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "swap:after-own-triggers",
                "swap:after-rename",
                "swap:after-repoint",
                "rollback:after-repoint",
                "rollback:after-own-triggers",
                "rollback:after-rename",
                "rollback:after-aside-fks"
            })
    void aCrashAtAnyStepIsFinishedByTheNextRun(String point, @TempDir Path dir, TestDatabase db)
            throws Exception {
        String table = "t_" + point.replaceAll("[^a-z]", "_");
        db.createWorkloadTable(table, 2_000);
        db.exec(
                "CREATE TABLE IF NOT EXISTS audit (n INT)",
                "CREATE TRIGGER "
                        + table
                        + "_audit AFTER INSERT ON "
                        + table
                        + " FOR EACH ROW INSERT INTO audit VALUES (1)");
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: crash, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: %s
                  alter: "ADD COLUMN note VARCHAR(20) NULL"
                  strategy: Copy
                  retention: {keepOldTableFor: 72h}
                """
                        .formatted(db.server().port(), db.name(), table));
        boolean rollback = point.startsWith("rollback");
        Workload app = db.startWorkload(table, 2_000, 2, "");
        try (app) {
            if (rollback) {
                assertThat(osc(dir, Map.of(), "run", manifest)).isEqualTo("phase=Swapped");
            }
            String command = rollback ? "rollback" : "run";
            Process crashed =
                    CrashResumeTest.osc(
                            dir,
                            Map.of("OSC_CRASH_AT", point),
                            command,
                            "-f",
                            manifest.toString(),
                            "--user",
                            "root");
            assertThat(crashed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(crashed.exitValue())
                    .as(Files.readString(dir.resolve("out.log")))
                    .isEqualTo(137);
            Thread.sleep(200); // writes go on in whatever state the crash left

            if (rollback) {
                assertThat(
                                db.value(
                                        "SELECT phase FROM `_schemachange`.schemachange_state WHERE table_schema = "
                                                + "DATABASE() AND table_name = '"
                                                + table
                                                + "'"))
                        .isEqualTo("RollingBack");
            }
            // a rollback, once started, is finished by any run: `osc run` too
            assertThat(osc(dir, Map.of(), "run", manifest))
                    .isEqualTo(rollback ? "phase=RolledBack" : "phase=Swapped");
            Thread.sleep(200);
        }
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.rows("SELECT id, k, payload FROM " + table + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM " + table + "_ref ORDER BY id"));
        List<String> triggers =
                db.rows(
                        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                                + "EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE = '"
                                + table
                                + "' ORDER BY 1");
        assertThat(triggers)
                .as("triggers on the live table")
                .containsExactlyInAnyOrderElementsOf(
                        rollback
                                ? List.of(table + "_audit")
                                : List.of(
                                        table + "__osc_rdel",
                                        table + "__osc_rins",
                                        table + "__osc_rupd",
                                        table + "_audit"));
        assertThat(db.rows("SHOW COLUMNS FROM " + table + " LIKE 'note'"))
                .hasSize(rollback ? 0 : 1);
    }

    /**
     * DropSwap is not atomic: a crash between its DROP and its RENAME leaves the table missing (the
     * application gets errors until the next run, the opted-in risk); the next run must rename the
     * shadow into place with every committed write, and the child's constraint must bind to it.
     */
    @ParameterizedTest
    @ValueSource(strings = {"swap:after-drop", "swap:after-rename"})
    void aDropSwapCrashIsFinishedByTheNextRunWithoutLosingACommittedWrite(
            String point, @TempDir Path dir, TestDatabase db) throws Exception {
        String table = "d_" + point.replaceAll("[^a-z]", "_");
        db.createWorkloadTable(table, 2_000);
        db.exec(
                "CREATE TABLE "
                        + table
                        + "_child (id INT PRIMARY KEY, parent INT NOT NULL, CONSTRAINT "
                        + table
                        + "_fk FOREIGN KEY (parent) REFERENCES "
                        + table
                        + " (id) ON DELETE CASCADE ON UPDATE CASCADE)",
                "INSERT INTO " + table + "_child SELECT seq, seq FROM seq_1_to_500");
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: crash, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: %s
                  alter: "ADD COLUMN note VARCHAR(20) NULL"
                  strategy: Copy
                  foreignKeys: {children: DropSwap}
                  retention: {keepOldTableFor: "0"}
                """
                        .formatted(db.server().port(), db.name(), table));
        Workload app = db.startWorkload(table, 2_000, 2, "");
        try (app) {
            Process crashed =
                    CrashResumeTest.osc(
                            dir,
                            Map.of("OSC_CRASH_AT", point),
                            "run",
                            "-f",
                            manifest.toString(),
                            "--user",
                            "root");
            assertThat(crashed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(crashed.exitValue())
                    .as(Files.readString(dir.resolve("out.log")))
                    .isEqualTo(137);
            assertThat(osc(dir, Map.of(), "run", manifest)).isEqualTo("phase=Completed");
            Thread.sleep(200);
        }
        // the workload's writes that failed while the table was missing were rolled back on the
        // reference too
        assertThat(app.errors())
                .as("application errors")
                .allSatisfy(e -> assertThat(e).startsWith("1146 "));
        assertThat(db.rows("SELECT id, k, payload FROM " + table + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM " + table + "_ref ORDER BY id"));
        assertThat(db.rows("SHOW COLUMNS FROM " + table + " LIKE 'note'")).hasSize(1);
        assertThat(
                        db.rows(
                                "SELECT REFERENCED_TABLE_NAME FROM information_schema.REFERENTIAL_CONSTRAINTS WHERE "
                                        + "CONSTRAINT_SCHEMA = DATABASE() AND CONSTRAINT_NAME = '"
                                        + table
                                        + "_fk'"))
                .containsExactly(table);
        assertThat(
                        db.count(
                                "SELECT COUNT(*) FROM "
                                        + table
                                        + "_child c LEFT JOIN "
                                        + table
                                        + " p ON p.id = c.parent "
                                        + "WHERE p.id IS NULL"))
                .as("orphans")
                .isZero();
        assertThat(
                        db.rows(
                                "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = "
                                        + "DATABASE() AND EVENT_OBJECT_TABLE LIKE '"
                                        + table
                                        + "%'"))
                .isEmpty();
    }

    private static String osc(Path dir, Map<String, String> env, String command, Path manifest)
            throws Exception {
        Process p =
                CrashResumeTest.osc(dir, env, command, "-f", manifest.toString(), "--user", "root");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(p.exitValue()).as(out).isZero();
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }
}

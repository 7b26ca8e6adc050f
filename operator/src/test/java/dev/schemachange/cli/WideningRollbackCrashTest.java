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
 * {@code osc rollback} of an INT → BIGINT change after a row past the INT range was written:
 * refused without {@code --accept-loss}, and with it killed -9 at each step of the rollback under
 * writes; the next {@code osc run} finishes it, the INT table is live with every other write.
 */
@MariaDb
class WideningRollbackCrashTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "rollback:after-repoint",
                "rollback:after-own-triggers",
                "rollback:after-rename",
                "rollback:after-aside-fks"
            })
    void aCrashedLossyRollbackWithConsentIsFinishedByTheNextRun(
            String point, @TempDir Path dir, TestDatabase db) throws Exception {
        String table = "w_" + point.replaceAll("[^a-z]", "_");
        db.createWorkloadTable(table, 2_000);
        Path manifest = dir.resolve("change.yaml");
        Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: widen, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: %s
                  alter: "MODIFY id BIGINT NOT NULL AUTO_INCREMENT, MODIFY k BIGINT NOT NULL"
                  retention: {keepOldTableFor: 72h}
                """
                        .formatted(db.server().port(), db.name(), table));
        Workload app = db.startWorkload(table, 2_000, 2, "");
        try (app) {
            assertThat(last(osc(dir, Map.of(), manifest, 0, "run"))).isEqualTo("phase=Swapped");
            db.exec(
                    "INSERT INTO "
                            + table
                            + " (id, k, payload) VALUES (3000000000, 1, 'past the INT range')");
            assertThat(osc(dir, Map.of(), manifest, 0, "status"))
                    .contains(
                            "rollback not lossless: 1 row not carried: key 3000000000 (id, insert");

            String refused = osc(dir, Map.of(), manifest, 1, "rollback");
            assertThat(refused)
                    .contains(
                            "metadata.annotations[schemachange.dev/rollback-accept-loss]",
                            "key 3000000000 (id",
                            "--accept-loss",
                            "phase=Swapped");

            Process crashed =
                    CrashResumeTest.osc(
                            dir,
                            Map.of("OSC_CRASH_AT", point),
                            "rollback",
                            "--accept-loss",
                            "-f",
                            manifest.toString(),
                            "--user",
                            "root");
            assertThat(crashed.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(crashed.exitValue())
                    .as(Files.readString(dir.resolve("out.log")))
                    .isEqualTo(137);
            Thread.sleep(200); // writes go on in whatever state the crash left
            assertThat(last(osc(dir, Map.of(), manifest, 0, "run"))).isEqualTo("phase=RolledBack");
            Thread.sleep(200);
        }
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.rows("SELECT id, k, payload FROM " + table + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM " + table + "_ref ORDER BY id"));
        assertThat(db.value("SHOW CREATE TABLE " + table)).contains("`id` int(11) NOT NULL");
        assertThat(db.rows("SELECT id FROM " + table + "__osc_new WHERE id > 2147483647"))
                .containsExactly("3000000000");
        List<String> triggers =
                db.rows(
                        "SELECT TRIGGER_NAME FROM information_schema.TRIGGERS WHERE "
                                + "EVENT_OBJECT_SCHEMA = DATABASE() AND EVENT_OBJECT_TABLE LIKE '"
                                + table
                                + "%'");
        assertThat(triggers).isEmpty();
    }

    /** Runs {@code osc <command> -f manifest}, expecting {@code exit}; its whole output. */
    private static String osc(
            Path dir, Map<String, String> env, Path manifest, int exit, String command)
            throws Exception {
        Process p =
                CrashResumeTest.osc(dir, env, command, "-f", manifest.toString(), "--user", "root");
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String out = Files.readString(dir.resolve("out.log"));
        assertThat(p.exitValue()).as(out).isEqualTo(exit);
        return out;
    }

    private static String last(String out) {
        return out.strip().lines().reduce((a, b) -> b).orElse("");
    }
}

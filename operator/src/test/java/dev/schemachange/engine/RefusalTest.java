package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.JdbcConnections;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every refusal of the Validating phase names the field, the reason and the fix, and changes
 * nothing.
 */
@MariaDb
class RefusalTest {
    private TestDatabase db;

    @BeforeEach
    void tables(TestDatabase db) {
        this.db = db;
        db.exec(
                "DROP TABLE IF EXISTS child, parent, plain, nokey, floaty, dupes",
                "CREATE TABLE plain (id INT PRIMARY KEY, email VARCHAR(40), v INT)",
                "INSERT INTO plain VALUES (1, 'a@x', 1), (2, 'b@x', 2), (3, 'a@x', 3)",
                "CREATE TABLE nokey (a INT, b INT)",
                "CREATE TABLE floaty (f FLOAT NOT NULL, v INT, UNIQUE KEY (f))",
                "CREATE TABLE parent (id INT PRIMARY KEY)",
                "DROP TABLE IF EXISTS aria",
                "CREATE TABLE aria (id INT PRIMARY KEY) ENGINE=Aria",
                "CREATE TABLE child (id INT PRIMARY KEY, pid INT, CONSTRAINT child_parent FOREIGN KEY (pid) "
                        + "REFERENCES parent (id))");
    }

    private Problem refusal(String table, String alter) {
        return refusal(Changes.spec(db, table, alter, null));
    }

    private Problem refusal(SchemaChangeSpec spec) {
        List<String> before = snapshot();
        Problem planned = Changes.migrator(db, spec).plan().problem();
        assertThat(snapshot()).as("osc plan changed nothing").isEqualTo(before);
        Progress p = Changes.run(Changes.migrator(db, spec), Controls.NONE, null);
        assertThat(planned).as("osc plan refuses as run does").isEqualTo(p.problem());
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.problem()).isNotNull();
        assertThat(p.problem().fix()).isNotBlank();
        assertThat(snapshot()).as("nothing changed").isEqualTo(before);
        return p.problem();
    }

    /** Definitions, triggers, and whatever exists in the work schema. */
    private List<String> snapshot() {
        List<String> out =
                new java.util.ArrayList<>(
                        db.rows(
                                "SELECT CONCAT(TABLE_NAME, ' ', TABLE_ROWS) FROM "
                                        + "information_schema.TABLES WHERE TABLE_SCHEMA IN (DATABASE(), '_schemachange') ORDER BY 1"));
        for (String t : List.of("plain", "nokey", "floaty", "parent", "child", "aria")) {
            out.add(db.rows("SHOW CREATE TABLE " + t).get(0));
        }
        out.addAll(db.rows("SELECT TRIGGER_NAME FROM information_schema.TRIGGERS"));
        return out;
    }

    @Test
    void anUnknownTable() {
        Problem p = refusal("nosuch", "ADD COLUMN x INT");
        assertThat(p.field()).isEqualTo("spec.table");
        assertThat(p.reason()).contains(db.name() + ".nosuch does not exist");
    }

    @Test
    void aLossyReverseSyncWithoutConsent() {
        Problem p =
                refusal(
                        Changes.spec(
                                db,
                                "plain",
                                "MODIFY v DOUBLE",
                                "retention: {keepOldTableFor: 24h}"));
        assertThat(p.field()).isEqualTo("spec.retention.reverseSync");
        assertThat(p.reason()).contains("column v changes from int(11) to double");
        assertThat(p.fix()).contains("reverseSync: false").contains("keepOldTableFor: \"0\" ");
    }

    @Test
    void aNarrowedColumnWithoutConsentToAnUnsyncedOldTable() {
        db.exec("CREATE TABLE IF NOT EXISTS required (id INT PRIMARY KEY, w INT NOT NULL)");
        Problem p =
                refusal(
                        Changes.spec(
                                db,
                                "required",
                                "MODIFY w SMALLINT NULL",
                                "retention: {keepOldTableFor: 24h}"));
        assertThat(p.field()).isEqualTo("spec.retention.reverseSync");
        assertThat(p.reason()).contains("column w changes from int(11) to smallint(6)");
    }

    @Test
    void aTableThatIsNotInnoDb() {
        Problem p = refusal("aria", "ADD COLUMN x INT");
        assertThat(p.reason()).contains("aria is Aria, not an InnoDB table");
    }

    @Test
    void theCliExitsNonZeroWithTheReasonOnStderrAndPhaseFailedLast(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path manifest = dir.resolve("bad.yaml");
        java.nio.file.Files.writeString(
                manifest,
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: bad, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: unused}
                  table: plain
                  alter: "ADD UNIQUE KEY (email)"
                """
                        .formatted(db.server().port(), db.name()));
        Process p =
                dev.schemachange.cli.CrashResumeTest.osc(
                        dir, "run", "-f", manifest.toString(), "--user", "root");
        assertThat(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        String out = java.nio.file.Files.readString(dir.resolve("out.log"));
        assertThat(p.exitValue()).as(out).isEqualTo(1);
        assertThat(out)
                .contains(
                        "error: spec.alter: unique key email cannot be added: the value (a@x) appears 2 times");
        assertThat(out.strip().lines().reduce((a, b) -> b).orElse("")).isEqualTo("phase=Failed");
    }

    @Test
    void anAlterThatRenamesTheTable() {
        assertThat(refusal("plain", "RENAME TO other").reason())
                .contains("renames or moves the table");
        assertThat(refusal("plain", "ADD COLUMN x INT, RENAME AS other").field())
                .isEqualTo("spec.alter");
    }

    @Test
    void aSecondStatement() {
        Problem p = refusal("plain", "ADD COLUMN x INT; DROP TABLE parent");
        assertThat(p.field()).isEqualTo("spec.alter");
        assertThat(p.reason()).contains("only one statement");
    }

    @Test
    void anAlterTheServerRejects() {
        Problem p = refusal("plain", "ADD COLUMN v INT");
        assertThat(p.reason())
                .contains("the server rejects the ALTER", "Duplicate column name 'v'");
    }

    @Test
    void aTableWithoutAUniqueKey() {
        assertThat(refusal("nokey", "ADD COLUMN c INT").reason())
                .contains("no PRIMARY KEY and no UNIQUE key");
    }

    @Test
    void aTableWhoseOnlyUniqueKeyIsFloatingPoint() {
        assertThat(refusal("floaty", "ADD COLUMN c INT").reason()).contains("FLOAT/DOUBLE");
    }

    @Test
    void anAlterThatLeavesNoSharedKey() {
        assertThat(refusal("plain", "DROP PRIMARY KEY, ADD PRIMARY KEY (v)").reason())
                .contains("no shared unique key can be found after ALTER");
    }

    @Test
    void aUniqueKeyOverExistingDuplicatesNamesTheValue() {
        Problem p = refusal("plain", "ADD UNIQUE KEY email_uk (email)");
        assertThat(p.reason()).contains("email_uk", "(a@x) appears 2 times");
    }

    @Test
    void aTableOtherTablesReferenceUnderPolicyFail() {
        Problem p =
                refusal(
                        Changes.spec(
                                db, "parent", "ADD COLUMN c INT", "foreignKeys: {children: Fail}"));
        assertThat(p.field()).isEqualTo("spec.foreignKeys.children");
        assertThat(p.reason()).contains(db.name() + ".child (child_parent)");
    }

    @Test
    void aChangeToAColumnThatChildTablesReference() {
        Problem p = refusal("parent", "MODIFY id BIGINT");
        assertThat(p.reason())
                .contains("column id is referenced by " + db.name() + ".child (child_parent)");
    }

    @Test
    void anIdentifierWithAQuoteOrSemicolon() {
        Problem p = refusal("plain`; DROP TABLE parent; --", "ADD COLUMN c INT");
        assertThat(p.field()).isEqualTo("spec.table");
        assertThat(p.reason()).contains("is not a plain identifier");
    }

    @Test
    void aUserWithoutTheNeededPrivilegesIsToldWhichOnes() throws Exception {
        db.exec(
                "CREATE USER IF NOT EXISTS 'reader'@'%' IDENTIFIED BY 'pw'",
                "GRANT SELECT, INSERT ON `" + db.name() + "`.* TO 'reader'@'%'");
        SchemaChangeSpec spec = Changes.spec(db, "plain", "ADD COLUMN c INT", null);
        Migrator m =
                new Migrator(
                        () -> DriverManager.getConnection(db.jdbcUrl(), "reader", "pw"),
                        spec,
                        "t/x",
                        Clock.systemUTC());
        Progress p = m.advance(Controls.NONE, java.time.Duration.ofSeconds(5), null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.problem().reason())
                .contains("lacks", "TRIGGER on " + db.name(), "ALTER on " + db.name());
        assertThat(p.problem().fix()).startsWith("GRANT");
    }

    @Test
    void binaryLoggingWithoutSuperOrTrustedCreatorsExplainsTheFix() throws Exception {
        db.exec(
                "CREATE USER IF NOT EXISTS 'deployer'@'%' IDENTIFIED BY 'pw'",
                "GRANT ALL ON `" + db.name() + "`.* TO 'deployer'@'%'",
                "GRANT ALL ON `_schemachange`.* TO 'deployer'@'%'",
                "GRANT ALL ON `_schemachange_undo`.* TO 'deployer'@'%'");
        try (Connection c = db.connect()) {
            c.createStatement().execute("SET GLOBAL log_bin_trust_function_creators = 0");
        }
        SchemaChangeSpec spec = Changes.spec(db, "plain", "ADD COLUMN c INT", null);
        Migrator m =
                new Migrator(
                        () -> DriverManager.getConnection(db.jdbcUrl(), "deployer", "pw"),
                        spec,
                        "t/x",
                        Clock.systemUTC());
        Progress p = m.advance(Controls.NONE, java.time.Duration.ofSeconds(5), null);
        assertThat(p.phase()).isEqualTo(Phase.Failed);
        assertThat(p.problem().reason()).contains("ERROR 1419");
        assertThat(p.problem().fix())
                .contains("log_bin_trust_function_creators = 1", "parameter group");
    }

    @Test
    void aThrottleReplicaThatCannotBeAskedOrIsNoReplicaIsRefused() {
        List<String> before = snapshot();
        for (String replica : List.of("127.0.0.1:1", "127.0.0.1:" + db.server().port())) {
            SchemaChangeSpec spec =
                    Changes.spec(
                            db,
                            "plain",
                            "ADD COLUMN w INT",
                            "backfill: {throttle: {replicas: [\"" + replica + "\"]}}");
            Progress p =
                    Changes.run(
                            new Migrator(
                                    JdbcConnections.of(db.jdbcUrl(), "root", ""),
                                    spec,
                                    "test/plain",
                                    Clock.systemUTC()),
                            Controls.NONE,
                            null);

            assertThat(p.phase()).isEqualTo(Phase.Failed);
            assertThat(p.problem().field()).isEqualTo("spec.backfill.throttle.replicas[0]");
            assertThat(p.problem().reason())
                    .startsWith(
                            replica
                                    + (replica.endsWith(":1")
                                            ? " cannot be asked: "
                                            : " is not a replica"));
            assertThat(p.problem().fix()).contains("REPLICA MONITOR");
        }
        assertThat(snapshot()).isEqualTo(before);
    }
}

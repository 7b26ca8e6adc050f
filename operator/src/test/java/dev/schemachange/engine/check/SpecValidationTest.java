package dev.schemachange.engine.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidationTest {
    private static final String HEAD =
            """
            apiVersion: schemachange.dev/v1alpha1
            kind: SchemaChange
            metadata: {name: c, namespace: shop}
            spec:
            """;

    private static SchemaChangeSpec spec(String body) throws IOException {
        return Manifests.parse(HEAD + body.indent(2)).getSpec();
    }

    private static final String GOOD =
            """
            database: {host: mysql.shop.svc, schema: shop, credentialsSecret: shop-db-osc}
            table: orders
            alter: "ADD COLUMN note VARCHAR(64) NULL"
            """;

    private static List<String> fields(List<Problem> problems) {
        return problems.stream().map(Problem::field).toList();
    }

    @Test
    void acceptsTheContractsExample() throws IOException {
        assertThat(
                        SpecValidation.checkForCluster(
                                spec(
                                        GOOD
                                                + """
                swap:
                  approval: Required
                  window: {schedule: "0 2 * * 6", duration: 2h, timeZone: Europe/Berlin}
                backfill: {chunkTime: 500ms, throttle: {replicas: ["replica-0.mysql:3306"]}}
                migrationVersion: {table: schema_migrations, column: version, value: "20261124103000"}
                retention: {keepOldTableFor: 72h}
                """)))
                .isEmpty();
    }

    @Test
    void acceptsASplit() throws IOException {
        assertThat(
                        SpecValidation.checkForCluster(
                                spec(
                                        """
                database: {host: 10.0.0.7, schema: shop, credentialsSecret: s}
                table: orders
                split:
                  - {table: orders_core, columns: [id, total]}
                  - {table: orders_shipping, columns: [id, address], alter: "ADD INDEX (address)"}
                """)))
                .isEmpty();
    }

    @Test
    void namesMissingTableAndDatabase() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(spec("alter: \"ADD COLUMN x INT\""));

        assertThat(fields(problems)).containsExactly("spec.database", "spec.table");
        assertThat(problems.get(1).fix()).contains("give a name");
    }

    @Test
    void outsideAClusterTheDatabaseMayComeFromFlags() throws IOException {
        assertThat(SpecValidation.check(spec("table: orders\nalter: \"ADD COLUMN x INT\"")))
                .isEmpty();
    }

    @Test
    void requiresTheCredentialsSecretInACluster() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                """
                database: {host: mysql, schema: shop}
                table: orders
                alter: "ADD COLUMN x INT"
                """));

        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.field()).isEqualTo("spec.database.credentialsSecret");
                            assertThat(p.fix()).contains("username and password");
                        });
    }

    @Test
    void refusesIdentifiersThatCouldEscapeQuoting() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                """
                database: {host: mysql, schema: "shop`; DROP DATABASE shop; --", credentialsSecret: s}
                table: "orders'"
                alter: "ADD COLUMN x INT"
                dropColumns: [ok_column, "bad;column"]
                """));

        assertThat(fields(problems))
                .containsExactly("spec.database.schema", "spec.table", "spec.dropColumns[1]");
        assertThat(problems)
                .allSatisfy(p -> assertThat(p.fix()).contains("no quotes, dots or semicolons"));
    }

    @Test
    void refusesAHostThatWouldChangeTheJdbcUrl() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                """
                database: {host: "mysql/shop?allowLoadLocalInfile=true", schema: shop, credentialsSecret: s}
                table: orders
                alter: "ADD COLUMN x INT"
                """));

        assertThat(fields(problems)).containsExactly("spec.database.host");
    }

    @Test
    void refusesBothAlterAndSplit() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                GOOD
                                        + """
                split: [{table: a, columns: [id]}]
                """));

        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.reason()).isEqualTo("both alter and split are set");
                            assertThat(p.fix()).startsWith("set exactly one");
                        });
    }

    @Test
    void refusesNeitherAlterNorSplit() throws IOException {
        List<Problem> problems = SpecValidation.check(spec("table: orders\nalter: \"  \""));

        assertThat(problems)
                .singleElement()
                .extracting(Problem::reason)
                .isEqualTo("neither alter nor split is set");
    }

    @Test
    void checksEverySplitPart() throws IOException {
        List<Problem> problems =
                SpecValidation.check(
                        spec(
                                """
                table: orders
                split:
                  - {table: part, columns: []}
                  - {table: part, columns: ["a b"]}
                """));

        assertThat(fields(problems))
                .containsExactly(
                        "spec.split[0].columns", "spec.split[1].table", "spec.split[1].columns[0]");
    }

    @Test
    void refusesBadDurations() throws IOException {
        List<Problem> problems =
                SpecValidation.check(
                        spec(
                                """
                table: orders
                alter: "ADD COLUMN x INT"
                backfill: {chunkTime: 0}
                swap: {lockWaitTimeout: 2 seconds}
                retention: {keepOldTableFor: forever}
                """));

        assertThat(fields(problems))
                .containsExactly(
                        "spec.backfill.chunkTime",
                        "spec.swap.lockWaitTimeout",
                        "spec.retention.keepOldTableFor");
        assertThat(problems.get(1).fix()).contains("e.g. 2s");
    }

    @Test
    void refusesABadCronNamingTheScheduleField() throws IOException {
        List<Problem> problems =
                SpecValidation.check(
                        spec(
                                """
                table: orders
                alter: "ADD COLUMN x INT"
                swap: {window: {schedule: "every saturday", duration: 2h}}
                """));

        assertThat(problems)
                .singleElement()
                .satisfies(
                        p -> {
                            assertThat(p.field()).isEqualTo("spec.swap.window.schedule");
                            assertThat(p.fix()).contains("0 2 * * 6");
                        });
    }

    @Test
    void refusesAnUnknownTimeZone() throws IOException {
        List<Problem> problems =
                SpecValidation.check(
                        spec(
                                """
                table: orders
                alter: "ADD COLUMN x INT"
                swap: {window: {schedule: "0 2 * * 6", duration: 2h, timeZone: CEST+2}}
                """));

        assertThat(fields(problems)).containsExactly("spec.swap.window.timeZone");
    }

    @Test
    void refusesOutOfRangeNumbers() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                GOOD.replace("schema: shop", "schema: shop, port: 0")
                                        + """
                backfill: {maxChunkRows: 0, threads: 100, throttle: {maxThreadsRunning: 0}}
                swap: {maxAttempts: 0}
                """));

        assertThat(fields(problems))
                .containsExactly(
                        "spec.database.port",
                        "spec.backfill.maxChunkRows",
                        "spec.backfill.threads",
                        "spec.backfill.throttle.maxThreadsRunning",
                        "spec.swap.maxAttempts");
    }

    @Test
    void keepsHelperSchemasApartFromTheApplicationAndEachOther() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                GOOD
                                        + """
                workSchema: shop
                undoSchema: shop
                """));

        assertThat(fields(problems))
                .containsExactly("spec.undoSchema", "spec.workSchema", "spec.undoSchema");
    }

    @Test
    void refusesAChunkByteCapTooSmallForARowAndANegativeThreadsRunningRise() throws IOException {
        List<Problem> problems =
                SpecValidation.checkForCluster(
                        spec(
                                GOOD
                                        + """
                backfill: {maxChunkBytes: 100, throttle: {maxThreadsRunningRise: -1}}
                """));

        assertThat(problems)
                .extracting(Problem::toString)
                .containsExactly(
                        new Problem(
                                        "spec.backfill.maxChunkBytes",
                                        "100 is less than 1024",
                                        "e.g. 2097152 (2 MiB)")
                                .toString(),
                        new Problem(
                                        "spec.backfill.throttle.maxThreadsRunningRise",
                                        "-1 is less than 0",
                                        "e.g. 8; 0 turns it off")
                                .toString());
    }
}

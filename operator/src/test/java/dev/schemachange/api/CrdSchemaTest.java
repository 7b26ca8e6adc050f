package dev.schemachange.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.engine.check.SpecValidation;
import dev.schemachange.engine.swap.SwapWindow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What {@code kubectl apply} of a SchemaChange meets on a real API server with the checked-in CRD:
 * its OpenAPI schema and CEL rules (see {@link ApiServer}). The examples pass; the bad specs of the
 * refusal tests (SpecValidationTest, RefusalTest) that need no database are refused there already,
 * naming the field, and the reconciler's own validation, which still runs, refuses them too.
 */
class CrdSchemaTest {
    private static final ApiServer API = ApiServer.withCheckedInCrd();

    private static final String HEAD =
            """
            apiVersion: schemachange.dev/v1alpha1
            kind: SchemaChange
            metadata: {name: c, namespace: shop}
            spec:
            """;

    private static final String GOOD =
            """
            database: {host: mysql.shop.svc, schema: shop, credentialsSecret: shop-db-osc}
            table: orders
            alter: "ADD COLUMN note VARCHAR(64) NULL"
            """;

    private static String manifest(String spec) {
        return HEAD + spec.indent(2);
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsAcceptedByTheApiServerAndTheReconciler(Path example) throws IOException {
        String text = Files.readString(example);

        assertThat(API.create(text)).isEmpty();
        assertThat(SpecValidation.checkForCluster(Manifests.parse(text).getSpec())).isEmpty();
    }

    @Test
    void theContractsFullExampleIsAccepted() {
        assertThat(
                        API.create(
                                manifest(
                                        GOOD
                                                + """
                swap:
                  approval: Required
                  window: {schedule: "0 2 * * 6", duration: 2h, timeZone: Europe/Berlin}
                  lockWaitTimeout: 2s
                  maxAttempts: 20
                backfill: {chunkTime: 500ms, threads: 4, throttle: {replicas: ["replica-0.mysql:3306"]}}
                migrationVersion: {table: schema_migrations, column: version, value: "20261124103000"}
                retention: {keepOldTableFor: "0"}
                foreignKeys: {children: DropSwap}
                workSchema: osc_work
                undoSchema: osc_undo
                """)))
                .isEmpty();
    }

    /**
     * A bad spec, the field the API server names and a part of its message, and the field the
     * reconciler names for the same spec (null where the reconciler cannot even read it).
     */
    static Stream<Arguments> badSpecs() {
        return Stream.of(
                bad(
                        "an identifier with a quote",
                        GOOD.replace("table: orders", "table: \"orders'\""),
                        "spec.table",
                        "table must be a plain identifier",
                        "spec.table"),
                bad(
                        "an identifier that would end the quoting",
                        GOOD.replace("schema: shop", "schema: \"shop`; DROP DATABASE shop; --\""),
                        "spec.database.schema",
                        "database.schema must be a plain identifier",
                        "spec.database.schema"),
                bad(
                        "a column to drop with a semicolon",
                        GOOD + "dropColumns: [ok_column, \"bad;column\"]",
                        "spec.dropColumns",
                        "every name in dropColumns must be a plain identifier",
                        "spec.dropColumns[1]"),
                bad(
                        "a host that would change the JDBC URL",
                        GOOD.replace(
                                "host: mysql.shop.svc",
                                "host: \"mysql/shop?allowLoadLocalInfile=true\""),
                        "spec.database.host",
                        "does not match the regex pattern",
                        "spec.database.host"),
                bad(
                        "both alter and split",
                        GOOD + "split: [{table: a, columns: [id]}]",
                        "spec",
                        "set exactly one of alter or split",
                        "spec.alter, spec.split"),
                bad(
                        "neither alter nor split",
                        GOOD.replace("alter: \"ADD COLUMN note VARCHAR(64) NULL\"\n", ""),
                        "spec",
                        "set exactly one of alter or split",
                        "spec.alter"),
                bad(
                        "two split parts with one table",
                        GOOD.replace("alter: \"ADD COLUMN note VARCHAR(64) NULL\"", "")
                                + "split:\n  - {table: part, columns: [id]}\n  - {table: PART, columns: [id]}",
                        "spec.split",
                        "two parts name the same table",
                        "spec.split[1].table"),
                bad(
                        "a split part without columns",
                        GOOD.replace("alter: \"ADD COLUMN note VARCHAR(64) NULL\"", "")
                                + "split: [{table: part, columns: []}]",
                        "spec.split[0].columns",
                        "at least 1 items",
                        "spec.split[0].columns"),
                bad(
                        "a split column with a space",
                        GOOD.replace("alter: \"ADD COLUMN note VARCHAR(64) NULL\"", "")
                                + "split: [{table: part, columns: [\"a b\"]}]",
                        "spec.split[0].columns",
                        "every name in split[].columns must be a plain identifier",
                        "spec.split[0].columns[0]"),
                bad(
                        "a chunk time of 0",
                        GOOD + "backfill: {chunkTime: \"0ms\"}",
                        "spec.backfill.chunkTime",
                        "backfill.chunkTime must be a duration above 0",
                        "spec.backfill.chunkTime"),
                bad(
                        "a lock wait timeout in words",
                        GOOD + "swap: {lockWaitTimeout: 2 seconds}",
                        "spec.swap.lockWaitTimeout",
                        "swap.lockWaitTimeout must be a duration above 0",
                        "spec.swap.lockWaitTimeout"),
                bad(
                        "a retention that is no duration",
                        GOOD + "retention: {keepOldTableFor: forever}",
                        "spec.retention.keepOldTableFor",
                        "retention.keepOldTableFor must be a duration",
                        "spec.retention.keepOldTableFor"),
                bad(
                        "a schedule in words",
                        GOOD + "swap: {window: {schedule: \"every saturday\", duration: 2h}}",
                        "spec.swap.window.schedule",
                        "must be a 5-field cron",
                        "spec.swap.window.schedule"),
                bad(
                        "a schedule with an hour that does not exist",
                        GOOD + "swap: {window: {schedule: \"0 25 * * 6\", duration: 2h}}",
                        "spec.swap.window.schedule",
                        "\"0 2 * * 6\" for Saturdays",
                        "spec.swap.window.schedule"),
                bad(
                        "a window that is never open",
                        GOOD + "swap: {window: {schedule: \"0 2 * * 6\", duration: 0s}}",
                        "spec.swap.window.duration",
                        "swap.window.duration must be a duration above 0",
                        "spec.swap.window.duration"),
                bad(
                        "port 0",
                        GOOD.replace("schema: shop", "schema: shop, port: 0"),
                        "spec.database.port",
                        "minimum",
                        "spec.database.port"),
                bad(
                        "100 threads",
                        GOOD + "backfill: {threads: 100}",
                        "spec.backfill.threads",
                        "maximum",
                        "spec.backfill.threads"),
                bad(
                        "no attempt at the swap",
                        GOOD + "swap: {maxAttempts: 0}",
                        "spec.swap.maxAttempts",
                        "minimum",
                        "spec.swap.maxAttempts"),
                bad(
                        "one schema for shadow and old tables",
                        GOOD + "workSchema: osc\nundoSchema: OSC",
                        "spec.undoSchema",
                        "undoSchema is the same as workSchema",
                        "spec.undoSchema"),
                bad(
                        "the application's schema as the work schema",
                        GOOD + "workSchema: shop",
                        "spec",
                        "must not be database.schema",
                        "spec.workSchema"),
                bad(
                        "DropSwap that would keep the old table",
                        GOOD + "foreignKeys: {children: DropSwap}",
                        "spec.retention.keepOldTableFor",
                        "set retention.keepOldTableFor: \"0\"",
                        null),
                bad(
                        "a value outside the enum",
                        GOOD + "swap: {approval: required}",
                        "spec.swap.approval",
                        "enumeration",
                        null),
                bad(
                        "a misspelled field",
                        GOOD + "swap: {aproval: Required}",
                        "spec.swap.aproval",
                        "unknown field",
                        null),
                bad(
                        "no table",
                        GOOD.replace("table: orders\n", ""),
                        "spec.table",
                        "Required value",
                        "spec.table"),
                bad(
                        "no credentials Secret",
                        GOOD.replace(", credentialsSecret: shop-db-osc", ""),
                        "spec.database.credentialsSecret",
                        "Required value",
                        "spec.database.credentialsSecret"));
    }

    private static Arguments bad(
            String what, String spec, String field, String message, String reconcilerField) {
        return Arguments.of(what, spec, field, message, reconcilerField);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badSpecs")
    void aBadSpecIsRefusedAtApplyTimeNamingTheFieldAndByTheReconcilerToo(
            String what, String spec, String field, String message, String reconcilerField)
            throws IOException {
        List<Rejection> rejections = API.create(manifest(spec));

        assertThat(rejections)
                .as(what)
                .anySatisfy(
                        r -> {
                            assertThat(r.field()).isEqualTo(field);
                            assertThat(r.message()).contains(message);
                        });
        assertThat(rejections)
                .as("no rule fails to evaluate")
                .noneSatisfy(r -> assertThat(r.message()).startsWith("evaluation error"));
        if (reconcilerField != null) {
            List<Problem> problems =
                    SpecValidation.checkForCluster(Manifests.parse(manifest(spec)).getSpec());
            assertThat(problems).extracting(Problem::field).contains(reconcilerField);
        }
    }

    @Test
    void dropSwapWithAnOldTableKeptIsRefusedByTheReconcilersValidatorToo() {
        // the Validator (with a database) refuses it: RefusalTest/ValidatorTest; here it is the
        // same rule, spelled for admission, with the zero forms the reconciler also takes as 0
        for (String zero : List.of("\"0\"", "0s", "0ms", "0.0s")) {
            assertThat(
                            API.create(
                                    manifest(
                                            GOOD
                                                    + "foreignKeys: {children: DropSwap}\nretention: {keepOldTableFor: "
                                                    + zero
                                                    + "}")))
                    .as(zero)
                    .isEmpty();
            assertThat(Durations.parse(zero.replace("\"", "")).isZero()).isTrue();
        }
    }

    @Test
    void aWrongTypeStopsTheCelRulesAsOnTheApiServer() {
        List<Rejection> rejections =
                API.create(manifest(GOOD + "backfill: {chunkTime: 0}\nworkSchema: shop"));

        assertThat(rejections)
                .extracting(Rejection::field, Rejection::by)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("spec.backfill.chunkTime", "type"),
                        org.assertj.core.groups.Tuple.tuple("", "x-kubernetes-validations"));
        assertThat(rejections.get(1).message()).isEqualTo(ApiServer.RULES_NOT_CHECKED);
    }

    /**
     * Left to the reconciler: what needs the database, a time-zone database, or a SQL parser. These
     * pass admission and fail at Validating, naming the field.
     */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "swap: {window: {schedule: \"0 2 * * 6\", duration: 2h, timeZone: CEST+2}}",
                "alter: \"  \"",
                "alter: \"ADD COLUMN x INT; DROP TABLE parent\"",
                "table: no_such_table"
            })
    void whatOnlyTheReconcilerCanTellPassesAdmission(String change) {
        String spec =
                change.startsWith("alter:")
                        ? GOOD.replace("alter: \"ADD COLUMN note VARCHAR(64) NULL\"", change)
                        : change.startsWith("table:")
                                ? GOOD.replace("table: orders", change)
                                : GOOD + change;
        assertThat(API.create(manifest(spec))).isEmpty();
    }

    /** The cron rule and cron-utils (which the reconciler uses) agree on the usual forms. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "0 2 * * 6",
                "*/15 * * * *",
                "0 0 1,15 * *",
                "30 1 * * 1-5",
                "0 22 * * MON-FRI",
                "0 3 * JAN,JUL sun",
                "0 0 29 2 *",
                "  5 4 * * 7  ",
                "0-30/10 8-18/2 * * *",
                "every saturday",
                "0 2 * *",
                "0 2 * * 6 2026",
                "60 2 * * 6",
                "0 24 * * *",
                "0 0 0 * *",
                "0 0 32 * *",
                "0 0 * 13 *",
                "0 0 * * 8",
                "0 0 * * FUNDAY",
                "0 2 L * *",
                "@daily"
            })
    void theCronRuleAgreesWithTheReconcilersParser(String schedule) {
        boolean admitted =
                API.create(
                                manifest(
                                        GOOD
                                                + "swap: {window: {schedule: \""
                                                + schedule
                                                + "\", duration: 2h}}"))
                        .isEmpty();
        boolean parsed;
        try {
            SwapWindow.of(new SchemaChangeSpec.Window(schedule, "2h", "UTC"));
            parsed = true;
        } catch (IllegalArgumentException e) {
            parsed = false;
        }
        assertThat(admitted).as("admitted == parsed by cron-utils").isEqualTo(parsed);
    }

    @Test
    void whatIdentifiesTheChangeCannotBeChangedButTheCredentialsCan() {
        String stored = manifest(GOOD + "workSchema: osc_work\nbackfill: {threads: 1}");

        assertThat(API.update(stored, stored.replace("table: orders", "table: orders2")))
                .extracting(Rejection::message)
                .containsExactly(
                        "table cannot change once the SchemaChange exists: create a new SchemaChange for another table");
        assertThat(API.update(stored, stored.replace("host: mysql.shop.svc", "host: other")))
                .extracting(Rejection::field)
                .containsExactly("spec");
        assertThat(API.update(stored, stored.replace("workSchema: osc_work", "workSchema: other")))
                .extracting(Rejection::message)
                .singleElement()
                .asString()
                .startsWith("workSchema holds the change's state");
        assertThat(API.update(stored, stored.replace("  workSchema: osc_work\n", "")))
                .as("the default is another schema")
                .hasSize(1);

        assertThat(API.update(stored, stored.replace("schema: shop,", "schema: shop, port: 3306,")))
                .as("the default port, now spelled out")
                .isEmpty();
        assertThat(API.update(stored, stored.replace("shop-db-osc", "rotated-secret"))).isEmpty();
        assertThat(API.update(stored, stored.replace("threads: 1", "threads: 8"))).isEmpty();
    }

    @Test
    void aCreateDoesNotRunTheTransitionRules() {
        assertThat(API.create(manifest(GOOD.replace("table: orders", "table: orders2")))).isEmpty();
    }
}

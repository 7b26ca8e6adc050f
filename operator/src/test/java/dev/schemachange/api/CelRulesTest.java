package dev.schemachange.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The CRD's CEL rules as the API server takes them when the CRD is installed: each compiles, with
 * {@code self} typed by the schema it sits on, to a bool; each {@code fieldPath} names a field of
 * that schema; each cost can be bounded. A rule that fails any of these makes a real API server
 * reject the whole CRD.
 */
class CelRulesTest {
    private static final SchemaNode SCHEMA = CrdSchema.checkedIn();
    private static final CelRules RULES = new CelRules(SCHEMA);

    @Test
    void everyRuleCompilesWithSelfTypedByItsSchema() {
        assertThat(RULES.all()).hasSizeGreaterThanOrEqualTo(22);
        assertThat(
                        RULES.all().stream()
                                .filter(c -> c.error() != null)
                                .map(
                                        c ->
                                                c.rule().path()
                                                        + ": "
                                                        + c.rule().expression()
                                                        + ": "
                                                        + c.error())
                                .toList())
                .isEmpty();
    }

    @Test
    void theRulesSitWhereTheyCheck() {
        assertThat(RULES.all())
                .extracting(c -> c.rule().path())
                .contains(
                        "spec",
                        "spec.database",
                        "spec.split[*]",
                        "spec.backfill",
                        "spec.swap",
                        "spec.swap.window",
                        "spec.migrationVersion",
                        "spec.retention");
        assertThat(RULES.all())
                .filteredOn(c -> c.rule().transition())
                .extracting(c -> c.rule().path())
                .containsOnly("spec")
                .hasSize(3);
    }

    @Test
    void everyFieldPathNamesAFieldOfItsSchema() {
        assertThat(RULES.all())
                .filteredOn(c -> c.rule().fieldPath() != null)
                .allSatisfy(
                        c -> {
                            Optional<SchemaNode> node = Optional.of(c.rule().node());
                            for (String field : c.rule().fieldPath().substring(1).split("\\.")) {
                                node = node.flatMap(n -> n.property(field));
                            }
                            assertThat(node)
                                    .as("%s%s", c.rule().path(), c.rule().fieldPath())
                                    .isPresent();
                        });
    }

    @Test
    void theApiServerCanBoundTheCostOfEveryRule() {
        assertThat(
                        RULES.all().stream()
                                .flatMap(
                                        c ->
                                                CelBounds.problems(c, SCHEMA).stream()
                                                        .map(
                                                                p ->
                                                                        c.rule().path()
                                                                                + ": "
                                                                                + c.rule()
                                                                                        .expression()
                                                                                + ": "
                                                                                + p))
                                .toList())
                .isEmpty();
    }

    @Test
    void aRuleThatScansAnUnboundedStringOrIteratesAnUnboundedListIsCaught() {
        SchemaNode spec = SCHEMA.property("spec").orElseThrow();
        CelRules.Compiled alter =
                CelRules.compile(rule(spec, "!has(self.alter) || !self.alter.contains(';')"));
        CelRules.Compiled replicas =
                CelRules.compile(
                        rule(
                                spec.property("backfill").orElseThrow(),
                                "!has(self.throttle) || self.throttle.replicas.all(r, size(r) > 0)"));

        assertThat(CelBounds.problems(alter, SCHEMA))
                .singleElement()
                .asString()
                .contains("without maxLength");
        assertThat(CelBounds.problems(replicas, SCHEMA))
                .singleElement()
                .asString()
                .contains("without maxItems");
    }

    @Test
    void aFunctionTheTestEnvironmentDoesNotKnowFailsTheTestInsteadOfGoingUnchecked() {
        SchemaNode spec = SCHEMA.property("spec").orElseThrow();

        // the API server's URL, quantity and list libraries are not modelled here
        for (String expression :
                List.of(
                        "isURL(self.database.host)",
                        "quantity('1Gi').isGreaterThan(quantity('1Mi'))",
                        "self.dropColumns.isSorted()")) {
            assertThat(CelRules.compile(rule(spec, expression)).error())
                    .as(expression)
                    .contains("undeclared reference");
        }
    }

    @Test
    void aMisspelledFieldOrAWrongTypeDoesNotCompile() {
        SchemaNode spec = SCHEMA.property("spec").orElseThrow();

        assertThat(CelRules.compile(rule(spec, "self.tabel == 'orders'")).error())
                .contains("undefined field 'tabel'");
        assertThat(CelRules.compile(rule(spec, "self.database.port == '3306'")).error())
                .contains("found no matching overload");
        assertThat(CelRules.compile(rule(spec, "self.table")).error()).contains("not bool");
    }

    private static CelRules.Rule rule(SchemaNode node, String expression) {
        return new CelRules.Rule(
                "spec", node, expression, "m", null, expression.contains("oldSelf"));
    }
}

package dev.schemachange.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.schemachange.api.Phase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs deploy/argocd/health.lua in a real Lua interpreter (LuaJ, Lua 5.1 like Argo CD's gopher-lua)
 * against a SchemaChange in every phase of the contract, paused, degraded, stale and without
 * status. The interpreter gets only the libraries Argo CD opens for health scripts (base, package,
 * table, string, math): a script that reaches for os or io fails here as it would in Argo CD.
 */
class ArgoHealthTest {
    static final Path SCRIPT = Path.of("..", "deploy", "argocd", "health.lua");
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    /** The mapping the script documents at its top, for every phase the operator can write. */
    static final Map<Phase, String> EXPECTED =
            new EnumMap<>(
                    Map.ofEntries(
                            Map.entry(Phase.Pending, "Progressing"),
                                    Map.entry(Phase.Validating, "Progressing"),
                            Map.entry(Phase.Preparing, "Progressing"),
                                    Map.entry(Phase.Backfilling, "Progressing"),
                            Map.entry(Phase.Verifying, "Progressing"),
                                    Map.entry(Phase.AwaitingSwap, "Healthy"),
                            Map.entry(Phase.Swapping, "Progressing"),
                                    Map.entry(Phase.Swapped, "Healthy"),
                            Map.entry(Phase.Completed, "Healthy"),
                                    Map.entry(Phase.RollingBack, "Progressing"),
                            Map.entry(Phase.RolledBack, "Degraded"),
                                    Map.entry(Phase.Failed, "Degraded")));

    static String script;

    record Health(String status, String message) {}

    @BeforeAll
    static void read() throws IOException {
        script = Files.readString(SCRIPT, StandardCharsets.UTF_8);
    }

    @Test
    void everyPhaseHasAnExpectation() {
        assertThat(EXPECTED.keySet()).containsExactlyInAnyOrder(Phase.values());
    }

    @ParameterizedTest
    @EnumSource(Phase.class)
    void everyPhaseMapsAsDocumented(Phase phase) {
        Health h = health(change("", status(phase, "note from the operator", "")));
        assertThat(h.status()).isEqualTo(EXPECTED.get(phase));
        assertThat(h.message()).startsWith(phase.name()).contains("note from the operator");
    }

    @Test
    void noStatusYetIsProgressing() {
        Health h = health(change("", ""));
        assertThat(h)
                .isEqualTo(
                        new Health(
                                "Progressing", "Waiting for the operator to pick up the change"));
        assertThat(health(change("", "status: {}\n")).status()).isEqualTo("Progressing");
        assertThat(health(change("", "status:\n  message: starting\n")).status())
                .isEqualTo("Progressing");
    }

    @Test
    void phasesWithoutMessageStillSaySomething() {
        for (Phase phase : Phase.values()) {
            Health h =
                    health(
                            change(
                                    "",
                                    "status:\n  phase: " + phase + "\n  observedGeneration: 1\n"));
            assertThat(h.status()).as(phase.name()).isEqualTo(EXPECTED.get(phase));
            assertThat(h.message())
                    .as(phase.name())
                    .startsWith(phase.name())
                    .hasSizeGreaterThan(phase.name().length() + 5);
        }
    }

    @Test
    void backfillingShowsTheOperatorsProgressLine() {
        Health h =
                health(
                        change(
                                "",
                                status(
                                        Phase.Backfilling,
                                        "copying 21.4% at 58k rows/s, ETA 05:12Z",
                                        "")));
        assertThat(h)
                .isEqualTo(
                        new Health(
                                "Progressing",
                                "Backfilling: copying 21.4% at 58k rows/s, ETA 05:12Z"));
    }

    @Test
    void failedSaysWhyAndHowToRetry() {
        String conditions =
                condition("Failed", "True", "InvalidSpec", "spec.alter: not a valid ALTER");
        Health h = health(change("", status(Phase.Failed, "invalid spec: spec.alter", conditions)));
        assertThat(h)
                .isEqualTo(
                        new Health(
                                "Degraded",
                                "Failed: spec.alter: not a valid ALTER (fix the spec to retry)"));
    }

    @Test
    void aFixedSpecNotYetSeenByTheOperatorIsProgressing() {
        String conditions = condition("Failed", "True", "InvalidSpec", "bad");
        Health h = health(change("", status(Phase.Failed, "invalid spec", conditions), 4));
        assertThat(h.status()).isEqualTo("Progressing");
        assertThat(h.message())
                .contains("generation 4")
                .contains("status is for 1")
                .contains("Failed");
    }

    @Test
    void rolledBackIsDegraded() {
        Health h =
                health(
                        change(
                                "",
                                status(
                                        Phase.RolledBack,
                                        "rolled back; the original table is live",
                                        "")));
        assertThat(h.status()).isEqualTo("Degraded");
        assertThat(h.message())
                .startsWith("RolledBack: rolled back")
                .contains("remove the SchemaChange");
    }

    @Test
    void degradedConditionWinsInAnyPhase() {
        String conditions =
                condition("Degraded", "True", "DatabaseUnreachable", "cannot reach mysql:3306")
                        + condition(
                                "Paused", "True", "PausedByAnnotation", "remove the annotation");
        Health h =
                health(
                        change(
                                paused("true"),
                                status(Phase.Backfilling, "cannot reach mysql:3306", conditions)));
        assertThat(h).isEqualTo(new Health("Degraded", "Backfilling: cannot reach mysql:3306"));
        // refused spec change after the swap: the operator keeps observedGeneration at the old one
        String refused =
                condition(
                        "Degraded", "True", "SpecChangeRefused", "the spec changed after the swap");
        h =
                health(
                        change(
                                "",
                                status(Phase.Swapped, "the spec changed after the swap", refused),
                                3));
        assertThat(h).isEqualTo(new Health("Degraded", "Swapped: the spec changed after the swap"));
    }

    @Test
    void degradedConditionFalseIsIgnored() {
        String conditions = condition("Degraded", "False", "AsExpected", "no problem");
        assertThat(health(change("", status(Phase.Verifying, "checking", conditions))).status())
                .isEqualTo("Progressing");
    }

    @Test
    void pausedByAnnotationIsSuspended() {
        for (String value : List.of("true", "TRUE", " true ")) {
            Health h = health(change(paused(value), status(Phase.Backfilling, "copying", "")));
            assertThat(h)
                    .as(value)
                    .isEqualTo(
                            new Health(
                                    "Suspended",
                                    "Paused in Backfilling: remove the annotation schemachange.dev/paused to resume"));
        }
        assertThat(
                        health(change(paused("false"), status(Phase.Backfilling, "copying", "")))
                                .status())
                .isEqualTo("Progressing");
    }

    @Test
    void pausedConditionIsSuspendedEvenBeforeTheAnnotationIsSeen() {
        String conditions =
                condition("Paused", "True", "PausedByAnnotation", "remove the annotation");
        assertThat(health(change("", status(Phase.AwaitingSwap, "waiting", conditions))).status())
                .isEqualTo("Suspended");
        String running = condition("Paused", "False", "NotPaused", "running");
        assertThat(health(change("", status(Phase.Preparing, "preparing", running))).status())
                .isEqualTo("Progressing");
    }

    @Test
    void pauseDoesNotHideAFinishedOrFailedChange() {
        assertThat(health(change(paused("true"), status(Phase.Completed, "done", ""))).status())
                .isEqualTo("Healthy");
        assertThat(health(change(paused("true"), status(Phase.Swapped, "live", ""))).status())
                .isEqualTo("Healthy");
        assertThat(health(change(paused("true"), status(Phase.Failed, "bad", ""))).status())
                .isEqualTo("Degraded");
        assertThat(health(change(paused("true"), status(Phase.RolledBack, "back", ""))).status())
                .isEqualTo("Degraded");
    }

    @Test
    void awaitingSwapIsHealthyUnlessTheChangeAsksArgoToWait() {
        assertThat(health(change("", status(Phase.AwaitingSwap, "waiting for the window", ""))))
                .isEqualTo(new Health("Healthy", "AwaitingSwap: waiting for the window"));
        String wait = "  annotations:\n    schemachange.dev/argocd-wait-for-swap: \"true\"\n";
        assertThat(health(change(wait, status(Phase.AwaitingSwap, "waiting for the window", ""))))
                .isEqualTo(new Health("Progressing", "AwaitingSwap: waiting for the window"));
    }

    @Test
    void anUnknownPhaseIsUnknown() {
        Health h = health(change("", "status:\n  phase: Reticulating\n  message: new in v2\n"));
        assertThat(h).isEqualTo(new Health("Unknown", "Unknown phase Reticulating: new in v2"));
    }

    // ---- fixtures ----

    static String paused(String value) {
        return "  annotations:\n    schemachange.dev/paused: \"" + value + "\"\n";
    }

    static String status(Phase phase, String message, String conditions) {
        return "status:\n  observedGeneration: 1\n  phase: "
                + phase
                + "\n  message: \""
                + message
                + "\"\n"
                + (conditions.isEmpty() ? "" : "  conditions:\n" + conditions);
    }

    static String condition(String type, String status, String reason, String message) {
        return "  - type: "
                + type
                + "\n    status: \""
                + status
                + "\"\n    reason: "
                + reason
                + "\n    message: \""
                + message
                + "\"\n    observedGeneration: 1\n"
                + "    lastTransitionTime: \"2026-11-24T05:00:00Z\"\n";
    }

    static Map<String, Object> change(String metadataExtra, String status) {
        return change(metadataExtra, status, 1);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> change(String metadataExtra, String status, long generation) {
        String yaml =
                "apiVersion: schemachange.dev/v1alpha1\nkind: SchemaChange\nmetadata:\n  name: orders-bigint-id\n"
                        + "  namespace: shop\n  generation: "
                        + generation
                        + "\n"
                        + metadataExtra
                        + "spec:\n  table: orders\n  alter: \"MODIFY id BIGINT\"\n"
                        + status;
        try {
            return YAML.readValue(yaml, Map.class);
        } catch (IOException e) {
            throw new IllegalArgumentException(yaml, e);
        }
    }

    /**
     * What Argo CD does: the object as a Lua table in the global obj, the script's returned table
     * read back.
     */
    static Health health(Map<String, Object> obj) {
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        LoadState.install(globals);
        LuaC.install(globals);
        globals.set("obj", lua(obj));
        LuaValue result = globals.load(script, "health.lua").call();
        assertThat(result.istable()).as("health.lua returns a table").isTrue();
        LuaValue status = result.get("status");
        LuaValue message = result.get("message");
        assertThat(status.isstring()).as("hs.status is set").isTrue();
        assertThat(message.isstring()).as("hs.message is set").isTrue();
        assertThat(status.tojstring())
                .isIn("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
        return new Health(status.tojstring(), message.tojstring());
    }

    /**
     * JSON-shaped Java values to Lua: maps to tables, lists to 1-based arrays, numbers to Lua
     * numbers.
     */
    static LuaValue lua(Object value) {
        if (value == null) {
            return LuaValue.NIL;
        }
        if (value instanceof Map<?, ?> map) {
            LuaTable t = new LuaTable();
            map.forEach((k, v) -> t.set(String.valueOf(k), lua(v)));
            return t;
        }
        if (value instanceof List<?> list) {
            LuaTable t = new LuaTable();
            for (int i = 0; i < list.size(); i++) {
                t.set(i + 1, lua(list.get(i)));
            }
            return t;
        }
        if (value instanceof Number n) {
            return LuaValue.valueOf(n.doubleValue());
        }
        if (value instanceof Boolean b) {
            return LuaValue.valueOf(b);
        }
        return LuaValue.valueOf(String.valueOf(value));
    }
}

package dev.schemachange.kubectl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.operator.AnnotationControls;
import dev.schemachange.operator.Conditions;
import dev.schemachange.operator.Reasons;
import dev.schemachange.testing.MovableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import picocli.CommandLine;

/**
 * {@code kubectl schemachange} against a mock API server in CRUD mode: what list and describe show,
 * that every steering command writes exactly the annotation and value the operator reads (checked
 * by the operator's own {@link AnnotationControls#read}), and that an action the change's phase
 * makes meaningless is refused with exit 1, naming the phase, and writes nothing.
 */
class KubectlPluginTest {
    private static final String NS = "shop";
    private final MovableClock clock = new MovableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final PluginCluster k8s = new PluginCluster(NS, "billing");

    @AfterEach
    void stop() {
        k8s.close();
    }

    private PluginCluster.Result run(String... args) {
        return k8s.run("", clock, args);
    }

    private void change(String name, Phase phase) {
        k8s.create(NS, name, name, "");
        k8s.status(NS, name, phase);
    }

    @Test
    void listShowsPhaseProgressEtaNextWindowAndWhatEachChangeWaitsFor() {
        k8s.create(NS, "orders-bigint", "orders", "");
        k8s.status(
                NS,
                "orders-bigint",
                Phase.Backfilling,
                s ->
                        s.backfill(10_293_847, 48_000_000, 21.4, "2026-11-24T05:12:00Z")
                                .condition(
                                        Conditions.PROGRESSING,
                                        false,
                                        Reasons.THROTTLED,
                                        "waiting for replica lag 3s > 1s"));
        k8s.create(NS, "customers-index", "customers", "swap: {approval: Required}");
        k8s.status(
                NS,
                "customers-index",
                Phase.AwaitingSwap,
                s ->
                        s.backfill(500, 480, 100.0, null)
                                .swap("2026-11-28T01:00:00Z", 0, null)
                                .condition(
                                        Conditions.PROGRESSING,
                                        false,
                                        Reasons.APPROVAL_REQUIRED,
                                        "waiting for approval"));
        k8s.create(NS, "items-note", "items", "");
        k8s.status(
                NS,
                "items-note",
                Phase.Backfilling,
                s ->
                        s.condition(
                                Conditions.DEGRADED,
                                true,
                                Reasons.CREDENTIALS_MISSING,
                                "Secret shop/db not found"));
        k8s.create(NS, "new-one", "fresh", "");
        k8s.create("billing", "invoices-split", "invoices", "");
        k8s.status(
                "billing",
                "invoices-split",
                Phase.Swapped,
                s -> s.swap(null, 1, "2026-11-23T01:00:04Z"));

        PluginCluster.Result shop = run("list", "-n", NS);

        assertThat(shop.exit()).isZero();
        assertThat(shop.out())
                .isEqualTo(
                        """
                        NAME              PHASE          PROGRESS   ETA                    NEXT WINDOW            WAITING FOR
                        customers-index   AwaitingSwap   100.0%     -                      2026-11-28T01:00:00Z   approval
                        items-note        Backfilling    -          -                      -                      fix: CredentialsMissing
                        new-one           Pending        -          -                      -                      -
                        orders-bigint     Backfilling    21.4%      2026-11-24T05:12:00Z   -                      throttled
                        """);

        PluginCluster.Result all = run("list", "--all-namespaces");
        assertThat(all.exit()).isZero();
        assertThat(all.out().lines()).hasSize(6).first().asString().startsWith("NAMESPACE   NAME ");
        assertThat(
                        all.out()
                                .lines()
                                .skip(1)
                                .map(l -> l.split("\\s+")[0] + "/" + l.split("\\s+")[1]))
                .containsExactly(
                        "billing/invoices-split",
                        "shop/customers-index",
                        "shop/items-note",
                        "shop/new-one",
                        "shop/orders-bigint");
        assertThat(all.out().lines().skip(1).findFirst().orElseThrow())
                .contains("Swapped")
                .endsWith("retention");

        PluginCluster.Result empty = run("list", "-n", "nowhere");
        assertThat(empty.exit()).isZero();
        assertThat(empty.out()).isEmpty();
        assertThat(empty.err()).isEqualTo("No SchemaChanges found in namespace nowhere.\n");
    }

    @Test
    void describeShowsTargetProgressAnnotationsConditionsEventsAndWhatCanBeDoneNext() {
        k8s.create(
                NS,
                "orders-bigint",
                "orders",
                "swap: {approval: Required, window: {schedule: \"0 2 * * 6\", duration: 2h,"
                        + " timeZone: Europe/Berlin}}");
        k8s.annotate(NS, "orders-bigint", Map.of(AnnotationControls.PAUSED, "true", "team", "db"));
        k8s.status(
                NS,
                "orders-bigint",
                Phase.Backfilling,
                s ->
                        s.backfill(100, 400, 25.0, "2026-11-24T10:05:00Z")
                                .swap("2026-11-28T01:00:00Z", 0, null)
                                .message("Backfilling: waiting for paused")
                                .condition(
                                        Conditions.PAUSED,
                                        true,
                                        Reasons.PAUSED,
                                        "remove the annotation to resume")
                                .condition(
                                        Conditions.PROGRESSING, false, Reasons.PAUSED, "paused"));
        k8s.cluster
                .client
                .v1()
                .events()
                .inNamespace(NS)
                .resource(
                        new io.fabric8.kubernetes.api.model.EventBuilder()
                                .withNewMetadata()
                                .withName("orders-bigint.1")
                                .endMetadata()
                                .withNewInvolvedObject()
                                .withKind("SchemaChange")
                                .withName("orders-bigint")
                                .withNamespace(NS)
                                .endInvolvedObject()
                                .withType("Normal")
                                .withReason("Backfilling")
                                .withMessage("Preparing → Backfilling")
                                .withCount(1)
                                .withLastTimestamp("2026-11-24T09:59:00Z")
                                .build())
                .create();

        PluginCluster.Result r = run("describe", "orders-bigint", "-n", NS);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .contains(
                        "Name:        orders-bigint\n",
                        "Namespace:   shop\n",
                        "Table:       shop.orders on mysql.shop.svc:3306\n",
                        "Change:      alter: ADD COLUMN note VARCHAR(20) NULL\n",
                        "Swap rules:  approval Required, window '0 2 * * 6' for 2h in Europe/Berlin\n",
                        "Phase:       Backfilling\n",
                        "Waiting for: paused\n",
                        "Backfill:    25.0%, 100 of ~400 rows, 5000 rows/s, chunk 2000 rows,"
                                + " ETA 2026-11-24T10:05:00Z\n",
                        "Swap:        next window 2026-11-28T01:00:00Z, attempts 0",
                        "Annotations: schemachange.dev/paused=true\n",
                        "Paused        True",
                        "PausedByAnnotation",
                        "Normal   Backfilling   1       Preparing → Backfilling",
                        "  kubectl schemachange resume orders-bigint -n shop\n",
                        "  kubectl schemachange approve orders-bigint -n shop\n",
                        "  kubectl schemachange rollback orders-bigint -n shop\n")
                .doesNotContain("team=db")
                .doesNotContain("schemachange pause ");
    }

    @Test
    void approveWritesSwapApprovedTrueAndNothingElse() {
        k8s.create(NS, "idx", "customers", "swap: {approval: Required}");
        k8s.annotate(NS, "idx", Map.of("team", "db"));
        k8s.status(NS, "idx", Phase.AwaitingSwap);
        String generation = String.valueOf(k8s.get(NS, "idx").getMetadata().getGeneration());

        PluginCluster.Result r = run("approve", "idx", "-n", NS);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("shop/idx approved (schemachange.dev/swap-approved=true)\n");
        Map<String, String> a = k8s.annotations(NS, "idx");
        assertThat(a).isEqualTo(Map.of("schemachange.dev/swap-approved", "true", "team", "db"));
        assertThat(AnnotationControls.read(a).controls().swapApproved()).isTrue();
        assertThat(AnnotationControls.read(a).problems()).isEmpty();
        assertThat(k8s.get(NS, "idx").getSpec().swap().approval().name()).isEqualTo("Required");
        assertThat(k8s.get(NS, "idx").getStatus().getPhase()).isEqualTo("AwaitingSwap");
        assertThat(String.valueOf(k8s.get(NS, "idx").getMetadata().getGeneration()))
                .isEqualTo(generation);

        PluginCluster.Result again = run("approve", "idx", "-n", NS);
        assertThat(again.exit()).isZero();
        assertThat(again.out()).isEqualTo("shop/idx: already approved\n");
    }

    @Test
    void approvingAChangeThatNeedsNoApprovalSaysSo() {
        change("plain", Phase.Backfilling);
        PluginCluster.Result r = run("approve", "plain", "-n", NS);
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("note: spec.swap.approval is None");
        assertThat(k8s.annotations(NS, "plain"))
                .containsEntry(AnnotationControls.SWAP_APPROVED, "true");
    }

    @ParameterizedTest
    @EnumSource(
            value = Phase.class,
            names = {"Swapping", "Swapped", "Completed", "RollingBack", "RolledBack", "Failed"})
    void approveScheduleAndPauseAreRefusedOnceTheSwapStartedOrTheChangeEnded(Phase phase) {
        change("late", phase);
        for (String[] args :
                new String[][] {
                    {"approve", "late"},
                    {"schedule", "late", "--at", "2026-12-01T00:00:00Z"},
                    {"pause", "late"}
                }) {
            PluginCluster.Result r = run(concat(args, "-n", NS));
            assertThat(r.exit()).as(String.join(" ", args)).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(r.err())
                    .startsWith("error: cannot " + args[0] + " shop/late: it is " + phase + " — ")
                    .endsWith("\n")
                    .hasLineCount(1);
        }
        assertThat(k8s.annotations(NS, "late")).as("nothing written").isEmpty();
    }

    @Test
    void theRefusalSaysWhatToDoInstead() {
        change("done", Phase.Swapped);
        assertThat(run("approve", "done", "-n", NS).err())
                .isEqualTo(
                        "error: cannot approve shop/done: it is Swapped — the swap already happened"
                                + " (the new table is live); to undo it: kubectl schemachange"
                                + " rollback\n");
        change("gone", Phase.Completed);
        assertThat(run("rollback", "gone", "-n", NS, "--yes").err())
                .isEqualTo(
                        "error: cannot rollback shop/gone: it is Completed — the old table was"
                                + " dropped when its retention ended; change the table back with a"
                                + " new SchemaChange\n");
        change("broken", Phase.Failed);
        assertThat(run("pause", "broken", "-n", NS).err()).contains("it is Failed", "fix the spec");
    }

    @Test
    void scheduleAtWritesSwapNotBeforeInUtcAsTheOperatorReadsIt() {
        change("later", Phase.AwaitingSwap);

        PluginCluster.Result r =
                run("schedule", "later", "-n", NS, "--at", "2026-11-28T02:00:00+01:00");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        "shop/later: swap not before 2026-11-28T01:00:00Z"
                                + " (schemachange.dev/swap-not-before=2026-11-28T01:00:00Z)\n");
        Map<String, String> a = k8s.annotations(NS, "later");
        assertThat(a).isEqualTo(Map.of(AnnotationControls.SWAP_NOT_BEFORE, "2026-11-28T01:00:00Z"));
        assertThat(AnnotationControls.read(a).controls().swapNotBefore())
                .isEqualTo(Instant.parse("2026-11-28T01:00:00Z"));
        assertThat(AnnotationControls.read(a).problems()).isEmpty();
    }

    @Test
    void scheduleRefusesATimeThatIsNotRfc3339OrNotInTheFuture() {
        change("later", Phase.Backfilling);

        PluginCluster.Result bad = run("schedule", "later", "-n", NS, "--at", "Saturday 2am");
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err())
                .isEqualTo(
                        "error: --at 'Saturday 2am' is not an RFC 3339 time: use e.g."
                                + " 2026-11-28T02:00:00+01:00 or 2026-11-28T01:00:00Z\n");
        PluginCluster.Result past =
                run("schedule", "later", "-n", NS, "--at", "2026-11-24T09:00:00Z");
        assertThat(past.exit()).isEqualTo(1);
        assertThat(past.err()).contains("is not in the future");
        PluginCluster.Result neither = run("schedule", "later", "-n", NS);
        assertThat(neither.exit()).isEqualTo(2);
        assertThat(neither.err()).contains("--at", "--next-window");
        PluginCluster.Result both =
                run("schedule", "later", "-n", NS, "--next-window", "--at", "2026-12-01T00:00:00Z");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(k8s.annotations(NS, "later")).isEmpty();
    }

    @Test
    void scheduleNextWindowHoldsTheSwapUntilTheNextWindowThatHasNotOpenedYet() {
        // Saturdays 02:00 Berlin (01:00Z in winter); the clock says Tuesday 2026-11-24 10:00Z
        k8s.create(
                NS,
                "weekend",
                "orders",
                "swap: {approval: Required, window: {schedule: \"0 2 * * 6\", duration: 2h,"
                        + " timeZone: Europe/Berlin}}");
        k8s.status(NS, "weekend", Phase.Backfilling);

        PluginCluster.Result r = run("schedule", "weekend", "-n", NS, "--next-window");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(k8s.annotations(NS, "weekend"))
                .isEqualTo(Map.of(AnnotationControls.SWAP_NOT_BEFORE, "2026-11-28T01:00:00Z"));
        assertThat(r.out())
                .endsWith(
                        "note: spec.swap.approval is Required and the swap is not approved:"
                                + " kubectl schemachange approve weekend\n");

        clock.set(Instant.parse("2026-11-28T01:30:00Z")); // inside that window: the next one
        PluginCluster.Result open = run("schedule", "weekend", "-n", NS, "--next-window");
        assertThat(open.exit()).as(open.err()).isZero();
        assertThat(k8s.annotations(NS, "weekend"))
                .containsEntry(AnnotationControls.SWAP_NOT_BEFORE, "2026-12-05T01:00:00Z");

        change("anytime", Phase.Backfilling);
        PluginCluster.Result none = run("schedule", "anytime", "-n", NS, "--next-window");
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err())
                .isEqualTo(
                        "error: shop/anytime has no spec.swap.window: its swap may start any time,"
                                + " so there is no next window; use --at RFC3339\n");
    }

    @Test
    void pauseWritesPausedTrueAndResumeRemovesIt() {
        change("copy", Phase.Backfilling);

        PluginCluster.Result paused = run("pause", "copy", "-n", NS);
        assertThat(paused.exit()).as(paused.err()).isZero();
        assertThat(paused.out())
                .isEqualTo(
                        "shop/copy paused (schemachange.dev/paused=true); kubectl schemachange"
                                + " resume copy continues\n");
        assertThat(k8s.annotations(NS, "copy"))
                .isEqualTo(Map.of("schemachange.dev/paused", "true"));
        assertThat(AnnotationControls.read(k8s.annotations(NS, "copy")).controls().paused())
                .isTrue();
        assertThat(run("pause", "copy", "-n", NS).out()).isEqualTo("shop/copy: already paused\n");

        PluginCluster.Result resumed = run("resume", "copy", "-n", NS);
        assertThat(resumed.exit()).as(resumed.err()).isZero();
        assertThat(resumed.out())
                .isEqualTo("shop/copy resumed (schemachange.dev/paused removed)\n");
        // a real API server deletes a key a merge patch sets to null; fabric8's mock keeps it as
        // null
        assertThat(k8s.annotations(NS, "copy").get(AnnotationControls.PAUSED)).isNull();
        assertThat(AnnotationControls.read(k8s.annotations(NS, "copy")).controls().paused())
                .isFalse();
        assertThat(run("resume", "copy", "-n", NS).out())
                .isEqualTo("shop/copy: not paused, nothing to do\n");
    }

    @Test
    void pauseIsRefusedWhenCompletedButAStalePauseCanStillBeRemoved() {
        change("finished", Phase.Completed);
        k8s.annotate(NS, "finished", Map.of(AnnotationControls.PAUSED, "true"));

        PluginCluster.Result pause = run("pause", "finished", "-n", NS);
        assertThat(pause.exit()).isEqualTo(1);
        assertThat(pause.err()).startsWith("error: cannot pause shop/finished: it is Completed — ");

        assertThat(run("resume", "finished", "-n", NS).exit()).isZero();
        assertThat(k8s.annotations(NS, "finished").get(AnnotationControls.PAUSED)).isNull();
    }

    @Test
    void rollbackBeforeTheSwapAbortsWithoutAsking() {
        change("abort", Phase.Backfilling);

        PluginCluster.Result r = run("rollback", "abort", "-n", NS);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out())
                .isEqualTo(
                        "shop/abort: rollback requested (schemachange.dev/rollback=true); the operator"
                                + " removes triggers and shadow table, the original table is"
                                + " untouched\n");
        assertThat(k8s.annotations(NS, "abort"))
                .isEqualTo(Map.of("schemachange.dev/rollback", "true"));
        assertThat(AnnotationControls.read(k8s.annotations(NS, "abort")).controls().rollback())
                .isTrue();
    }

    @Test
    void rollbackAfterTheSwapAsksAndOnlyYesWrites() {
        k8s.create(NS, "live", "orders", "");
        k8s.status(NS, "live", Phase.Swapped, s -> s.swap(null, 1, "2026-11-24T01:00:04Z"));

        for (String answer : new String[] {"n\n", "\n", "", "maybe\n"}) {
            PluginCluster.Result no = k8s.run(answer, clock, "rollback", "live", "-n", NS);
            assertThat(no.exit()).as("answer %s", answer).isEqualTo(1);
            assertThat(no.out())
                    .startsWith(
                            "shop/live swapped at 2026-11-24T01:00:04Z. Rolling back swaps the old"
                                    + " table back in")
                    .contains("Roll back shop/live? [y/N] ");
            assertThat(no.err()).isEqualTo("shop/live: not rolled back, nothing changed\n");
            assertThat(k8s.annotations(NS, "live")).as("nothing written").isEmpty();
        }

        PluginCluster.Result yes = k8s.run("yes\n", clock, "rollback", "live", "-n", NS);
        assertThat(yes.exit()).as(yes.err()).isZero();
        assertThat(yes.out())
                .endsWith(
                        "shop/live: rollback requested (schemachange.dev/rollback=true); the"
                                + " operator swaps the old table back in\n");
        assertThat(k8s.annotations(NS, "live"))
                .isEqualTo(Map.of("schemachange.dev/rollback", "true"));
    }

    @Test
    void rollbackYesDoesNotAskAndRolledBackIsRefused() {
        k8s.create(NS, "script", "orders", "");
        k8s.status(NS, "script", Phase.Swapped, s -> s.swap(null, 1, "2026-11-24T01:00:04Z"));

        PluginCluster.Result r = run("rollback", "script", "-n", NS, "--yes");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("[y/N]");
        assertThat(k8s.annotations(NS, "script"))
                .containsEntry(AnnotationControls.ROLLBACK, "true");

        change("undone", Phase.RolledBack);
        PluginCluster.Result again = run("rollback", "undone", "-n", NS, "--yes");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err())
                .isEqualTo(
                        "error: cannot rollback shop/undone: it is RolledBack — it was rolled back"
                                + " (the original table is as it was)\n");
        assertThat(k8s.annotations(NS, "undone")).isEmpty();
    }

    @Test
    void anUnknownChangeIsNamedWithItsNamespace() {
        PluginCluster.Result r = run("approve", "nope", "-n", NS);
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err())
                .isEqualTo(
                        "error: schemachange shop/nope not found (kubectl get schg -n shop lists"
                                + " them)\n");
        assertThat(run("describe", "nope", "-n", NS).exit()).isEqualTo(1);
    }

    @Test
    void theKubeconfigContextAndItsNamespaceAreUsedAsKubectlUsesThem(@TempDir Path dir)
            throws Exception {
        k8s.create("billing", "invoices", "invoices", "");
        Path kubeconfig = dir.resolve("config");
        Files.writeString(
                kubeconfig,
                """
                apiVersion: v1
                kind: Config
                current-context: elsewhere
                clusters:
                - name: mock
                  cluster: {server: "%s"}
                - name: nowhere
                  cluster: {server: "http://127.0.0.1:1"}
                users:
                - name: me
                  user: {token: t}
                contexts:
                - name: mock
                  context: {cluster: mock, user: me, namespace: billing}
                - name: elsewhere
                  context: {cluster: nowhere, user: me}
                """
                        .formatted(k8s.cluster.client.getMasterUrl()));
        KubectlCommand plugin =
                new KubectlCommand(
                        Clients::fromKubeconfig,
                        new java.io.BufferedReader(new java.io.StringReader("")),
                        clock);

        PluginCluster.Result r =
                PluginCluster.run(
                        new CommandLine(plugin),
                        "list",
                        "--kubeconfig",
                        kubeconfig.toString(),
                        "--context",
                        "mock");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).startsWith("NAME ").contains("\ninvoices ");

        PluginCluster.Result missing =
                PluginCluster.run(
                        new CommandLine(
                                new KubectlCommand(
                                        Clients::fromKubeconfig,
                                        new java.io.BufferedReader(new java.io.StringReader("")),
                                        clock)),
                        "list",
                        "--kubeconfig",
                        dir.resolve("absent").toString());
        assertThat(missing.exit()).isEqualTo(1);
        assertThat(missing.err()).startsWith("error: --kubeconfig ").endsWith(": no such file\n");
    }

    @Test
    void oscListsThePluginAsItsKubectlSubcommand() {
        java.io.PrintStream stdout = System.out;
        java.io.ByteArrayOutputStream help = new java.io.ByteArrayOutputStream();
        int exit;
        try {
            System.setOut(
                    new java.io.PrintStream(help, true, java.nio.charset.StandardCharsets.UTF_8));
            exit = dev.schemachange.cli.Osc.execute("kubectl", "--help");
        } finally {
            System.setOut(stdout);
        }
        assertThat(exit).isZero();
        assertThat(help.toString(java.nio.charset.StandardCharsets.UTF_8))
                .contains("list", "describe", "approve", "schedule", "pause", "resume", "rollback");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

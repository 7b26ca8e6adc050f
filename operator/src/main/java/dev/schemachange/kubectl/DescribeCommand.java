package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.operator.AnnotationControls;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "describe",
        mixinStandardHelpOptions = true,
        description =
                "Show one SchemaChange: target, phase, progress, swap, steering annotations,"
                        + " conditions and Events, and the commands that steer it next.")
final class DescribeCommand implements Callable<Integer> {
    private static final int EVENTS = 10;

    @ParentCommand KubectlCommand kubectl;
    @CommandLine.Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "the SchemaChange")
    String name;

    @Override
    public Integer call() {
        return kubectl.run(spec, this::describe);
    }

    private int describe(KubectlCommand.Session s) {
        SchemaChange c = s.changes().get(s.namespace(), name);
        PrintWriter out = s.out();
        Summary m = Summary.of(c);
        SchemaChangeSpec sp = c.getSpec();
        SchemaChangeStatus st = c.getStatus() == null ? new SchemaChangeStatus() : c.getStatus();
        line(out, "Name", m.name());
        line(out, "Namespace", m.namespace());
        if (sp != null) {
            line(
                    out,
                    "Table",
                    sp.database().schema()
                            + "."
                            + sp.table()
                            + " on "
                            + sp.database().host()
                            + ":"
                            + sp.database().port());
            line(
                    out,
                    "Change",
                    sp.alter() != null
                            ? "alter: " + sp.alter()
                            : "split into "
                                    + sp.split().stream()
                                            .map(SchemaChangeSpec.SplitPart::table)
                                            .collect(Collectors.joining(", ")));
            SchemaChangeSpec.Window w = sp.swap().window();
            line(
                    out,
                    "Swap rules",
                    "approval "
                            + sp.swap().approval()
                            + ", "
                            + (w == null
                                    ? "any time"
                                    : "window '"
                                            + w.schedule()
                                            + "' for "
                                            + w.duration()
                                            + " in "
                                            + w.timeZone()));
        }
        line(out, "Phase", m.phase().name());
        line(out, "Message", orNone(st.getMessage()));
        line(out, "Waiting for", m.waitingFor());
        SchemaChangeStatus.PlanStatus plan = st.getPlan();
        if (plan != null) {
            line(
                    out,
                    "Plan",
                    orNone(plan.strategy())
                            + ", "
                            + orNone(plan.statements())
                            + " statements (kubectl schemachange plan "
                            + m.name()
                            + ")");
        }
        SchemaChangeStatus.BackfillStatus b = st.getBackfill();
        if (b != null) {
            line(
                    out,
                    "Backfill",
                    String.format(
                            Locale.ROOT,
                            "%s, %s of ~%s rows, %s rows/s, chunk %s rows, ETA %s",
                            m.progress(),
                            orNone(b.rowsCopied()),
                            orNone(b.rowsEstimated()),
                            orNone(b.rowsPerSecond()),
                            orNone(b.chunkRows()),
                            m.eta()));
        }
        SchemaChangeStatus.SwapStatus w = st.getSwap();
        if (w != null) {
            line(
                    out,
                    "Swap",
                    "next window "
                            + orNone(w.nextWindowStart())
                            + ", attempts "
                            + orNone(w.attempts())
                            + ", swapped at "
                            + orNone(w.swappedAt())
                            + ", lock "
                            + orNone(w.lockMillis())
                            + " ms");
        }
        if (st.getOldTable() != null) {
            line(out, "Old table", st.getOldTable());
        }
        Map<String, String> steering =
                Changes.annotations(c).entrySet().stream()
                        .filter(e -> e.getKey().startsWith(AnnotationControls.PREFIX))
                        .sorted(Map.Entry.comparingByKey())
                        .collect(
                                Collectors.toMap(
                                        Map.Entry::getKey,
                                        Map.Entry::getValue,
                                        (a, x) -> a,
                                        java.util.LinkedHashMap::new));
        line(
                out,
                "Annotations",
                steering.isEmpty()
                        ? "<none>"
                        : steering.entrySet().stream()
                                .map(e -> e.getKey() + "=" + e.getValue())
                                .collect(Collectors.joining(", ")));
        out.println("Conditions:");
        Table conditions = new Table(List.of("  TYPE", "STATUS", "REASON", "MESSAGE"));
        for (Condition k : st.getConditions()) {
            conditions.row(
                    List.of(
                            "  " + k.getType(),
                            orNone(k.getStatus()),
                            orNone(k.getReason()),
                            orNone(k.getMessage())));
        }
        conditions.print(out);
        List<Event> events = s.changes().events(c);
        out.println("Events:");
        if (events.isEmpty()) {
            out.println("  <none>");
        } else {
            Table t = new Table(List.of("  TYPE", "REASON", "COUNT", "MESSAGE"));
            for (Event e : events.subList(Math.max(0, events.size() - EVENTS), events.size())) {
                t.row(
                        List.of(
                                "  " + orNone(e.getType()),
                                orNone(e.getReason()),
                                orNone(e.getCount()),
                                orNone(e.getMessage())));
            }
            t.print(out);
        }
        next(out, c);
        return 0;
    }

    /** The steering commands that mean something in the change's phase. */
    private static void next(PrintWriter out, SchemaChange c) {
        String suffix = " " + c.getMetadata().getName() + " -n " + c.getMetadata().getNamespace();
        List<String> verbs =
                java.util.Arrays.stream(Action.values())
                        .filter(a -> a.refusal(Changes.id(c), Changes.phase(c)).isEmpty())
                        .filter(a -> a != Action.RESUME || isPaused(c))
                        .filter(a -> a != Action.PAUSE || !isPaused(c))
                        .map(a -> a.name().toLowerCase(Locale.ROOT))
                        .toList();
        if (!verbs.isEmpty()) {
            out.println("Steer with:");
            for (String v : verbs) {
                out.println(
                        "  kubectl schemachange "
                                + v
                                + suffix
                                + (v.equals("schedule") ? " --at RFC3339 | --next-window" : ""));
            }
        }
    }

    private static boolean isPaused(SchemaChange c) {
        return SteeringCommand.isTrue(c, AnnotationControls.PAUSED);
    }

    private static void line(PrintWriter out, String label, String value) {
        out.printf("%-13s%s%n", label + ":", value);
    }

    private static String orNone(Object o) {
        return o == null ? Summary.NONE : o.toString();
    }
}

package dev.schemachange.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.ChangePlan;
import dev.schemachange.engine.Migrator;
import java.io.PrintStream;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description =
                "Show what run would do, changing nothing: the strategy and why, every statement in order, "
                        + "the estimates. A refusal is the one run would give.")
public final class PlanCommand implements Callable<Integer> {
    public enum Format {
        text,
        sql,
        json
    }

    @Mixin Target target;

    @Option(
            names = {"-o", "--output"},
            description = "text (default), sql (a commented script for review), json")
    Format format = Format.text;

    @Override
    public Integer call() throws Exception {
        SchemaChange change = target.load();
        return show(change, target, format, System.out, System.err);
    }

    /**
     * Plans {@code change} on the database {@code target} connects to and prints it as {@code
     * format}, or the refusal (exit code 1) on {@code err}: osc plan's output, also for {@code
     * kubectl schemachange plan NAME --jdbc-url ...}, whose change is the cluster's.
     */
    public static int show(
            SchemaChange change, Target target, Format format, PrintStream out, PrintStream err)
            throws Exception {
        if (!SpecProblems.none(change, err)) {
            return 1;
        }
        ChangePlan plan =
                new Migrator(
                                target.connections(change.getSpec()),
                                change.getSpec(),
                                Target.owner(change),
                                Clock.systemUTC())
                        .plan();
        if (plan.problem() != null) {
            err.println("error: " + plan.problem());
            return 1;
        }
        switch (format) {
            case json -> json(plan, out);
            case sql -> sql(plan, out);
            default -> text(plan, out);
        }
        return 0;
    }

    static void text(ChangePlan p, PrintStream out) {
        out.println("plan for " + p.table());
        out.println("strategy: " + p.strategy());
        out.println("why: " + p.why());
        estimates(p, out, "");
        out.println("statements: " + p.statementCount());
        int n = 1;
        for (ChangePlan.Step step : p.steps()) {
            out.println();
            out.println(n++ + ". " + step.title() + ": " + step.comment());
            for (int i = 0; i < step.sql().size(); i++) {
                if (!step.placeholders().get(i).isEmpty()) {
                    out.println("   -- ? = " + step.placeholders().get(i));
                }
                out.println("   " + step.sql().get(i) + ";");
            }
        }
    }

    static void sql(ChangePlan p, PrintStream out) {
        out.println(
                "-- plan for "
                        + p.table()
                        + " (osc plan -o sql): review only; osc run executes it");
        out.println("-- strategy: " + p.strategy());
        out.println("-- why: " + p.why());
        estimates(p, out, "-- ");
        for (ChangePlan.Step step : p.steps()) {
            out.println();
            out.println("-- " + step.title() + ": " + step.comment());
            for (int i = 0; i < step.sql().size(); i++) {
                String s = step.sql().get(i);
                if (!step.placeholders().get(i).isEmpty()) {
                    out.println("-- ? = " + step.placeholders().get(i));
                }
                if (s.startsWith("CREATE TRIGGER") || s.contains(" BEGIN ")) {
                    out.println("DELIMITER $$");
                    out.println(s + "$$");
                    out.println("DELIMITER ;");
                } else {
                    out.println(s + ";");
                }
            }
        }
    }

    private static void estimates(ChangePlan p, PrintStream out, String prefix) {
        ChangePlan.Estimates e = p.estimates();
        out.printf(
                Locale.ROOT,
                "%sestimates: ~%,d rows, data %s, indexes %s; disk needed %s; free %s; copy time %s%n",
                prefix,
                e.rows(),
                bytes(e.dataBytes()),
                bytes(e.indexBytes()),
                bytes(e.diskNeededBytes()),
                e.freeBytes() == null ? "unknown (" + e.diskNote() + ")" : bytes(e.freeBytes()),
                e.copyTime());
    }

    static void json(ChangePlan p, PrintStream out) throws Exception {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("table", p.table());
        doc.put("strategy", p.strategy());
        doc.put("why", p.why());
        doc.put("estimates", p.estimates());
        doc.put("statementCount", p.statementCount());
        doc.put("steps", p.steps());
        out.println(
                new ObjectMapper()
                        .enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(doc));
    }

    /** 1536 → "1.5 KiB": sizes as plan prints them. */
    public static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

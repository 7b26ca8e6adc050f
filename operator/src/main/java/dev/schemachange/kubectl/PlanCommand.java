package dev.schemachange.kubectl;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.api.SchemaChangeStatus.PlanStatus;
import dev.schemachange.cli.PlanCommand.Format;
import dev.schemachange.cli.Target;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "plan",
        mixinStandardHelpOptions = true,
        description = {
            "Show the change's plan: strategy and why, estimates, number of statements, as the"
                    + " operator stored it in status.plan when it validated the change.",
            "With --jdbc-url (or --user/--password-env to reach spec.database as it is): the full"
                    + " plan of the change's spec from the database, every statement in order, as"
                    + " osc plan prints it (-o text|sql|json); it changes nothing."
        })
final class PlanCommand implements Callable<Integer> {
    @ParentCommand KubectlCommand kubectl;
    @CommandLine.Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "the SchemaChange")
    String name;

    @Option(
            names = {"-o", "--output"},
            description =
                    "text (default), sql (a commented script for review; needs --jdbc-url), json")
    Format format = Format.text;

    @Option(
            names = "--jdbc-url",
            description =
                    "plan on this database, e.g. jdbc:mysql://127.0.0.1:3306/shop through kubectl"
                            + " port-forward; its database replaces spec.database.schema")
    String jdbcUrl;

    @Option(names = "--user", description = "database user (default: $OSC_USER, else root)")
    String user;

    @Option(
            names = "--password-env",
            description = "environment variable holding the password (default: OSC_PASSWORD)")
    String passwordEnv;

    @Override
    public Integer call() {
        return kubectl.run(spec, this::plan);
    }

    private int plan(KubectlCommand.Session s) throws Exception {
        SchemaChange c = s.changes().get(s.namespace(), name);
        if (jdbcUrl != null || user != null || passwordEnv != null) {
            return fromDatabase(s, c);
        }
        if (format == Format.sql) {
            throw new Refusal(
                    "-o sql prints the statements, which only the database can give: add"
                            + " --jdbc-url jdbc:mysql://HOST:PORT/"
                            + schema(c)
                            + " (and --user, --password-env), e.g. through kubectl port-forward");
        }
        PlanStatus p = c.getStatus() == null ? null : c.getStatus().getPlan();
        if (p == null) {
            throw new Refusal(noPlan(c));
        }
        if (format == Format.json) {
            json(c, p, s.out());
        } else {
            text(c, p, s.out());
        }
        return 0;
    }

    /** osc plan's own code on the cluster's change: the same refusals, statements and formats. */
    private int fromDatabase(KubectlCommand.Session s, SchemaChange c) throws Exception {
        Target target = Target.of(jdbcUrl, user, passwordEnv);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            exit = dev.schemachange.cli.PlanCommand.show(target.override(c), target, format, o, e);
        }
        s.out().print(out.toString(StandardCharsets.UTF_8));
        s.err().print(err.toString(StandardCharsets.UTF_8));
        return exit;
    }

    private static void text(SchemaChange c, PlanStatus p, PrintWriter out) {
        out.println(
                "plan for "
                        + schema(c)
                        + "."
                        + table(c)
                        + " ("
                        + Changes.id(c)
                        + ": status.plan, as the operator validated it)");
        out.println("strategy: " + orNone(p.strategy()));
        out.println("why: " + orNone(p.why()));
        out.printf(
                Locale.ROOT,
                "estimates: ~%s rows, data %s, indexes %s; disk needed %s; free %s; copy time %s%n",
                p.rowsEstimated() == null
                        ? Summary.NONE
                        : String.format(Locale.ROOT, "%,d", p.rowsEstimated()),
                bytes(p.dataBytes()),
                bytes(p.indexBytes()),
                bytes(p.diskNeededBytes()),
                p.diskFreeBytes() == null ? "unknown" : bytes(p.diskFreeBytes()),
                orNone(p.copyTime()));
        out.println("statements: " + orNone(p.statements()));
        stale(c).ifPresent(out::println);
        out.println(
                "every statement: kubectl schemachange plan "
                        + c.getMetadata().getName()
                        + " -n "
                        + c.getMetadata().getNamespace()
                        + " --jdbc-url jdbc:mysql://HOST:PORT/"
                        + schema(c)
                        + " [-o sql]");
    }

    private static void json(SchemaChange c, PlanStatus p, PrintWriter out) throws Exception {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("schemaChange", Changes.id(c));
        doc.put("table", schema(c) + "." + table(c));
        doc.put("plan", mapper.valueToTree(p));
        stale(c).ifPresent(note -> doc.put("note", note));
        out.println(mapper.writeValueAsString(doc));
    }

    /** The spec changed since the operator planned it: the plan shown is the earlier spec's. */
    private static java.util.Optional<String> stale(SchemaChange c) {
        Long observed = c.getStatus().getObservedGeneration();
        Long generation = c.getMetadata().getGeneration();
        if (observed == null || generation == null || Objects.equals(observed, generation)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(
                "note: this is the plan of generation "
                        + observed
                        + "; the spec is at generation "
                        + generation
                        + " and the operator has not planned it yet");
    }

    private static String noPlan(SchemaChange c) {
        SchemaChangeStatus st = c.getStatus();
        Phase phase = Changes.phase(c);
        String why;
        if (st == null || st.getPhase() == null) {
            why = "the operator has not validated it yet (no status: is the operator running?)";
        } else if (phase == Phase.Failed) {
            why = "it failed before the operator planned it: " + orNone(st.getMessage());
        } else if (!phase.isBefore(Phase.Swapping)) {
            why = "it is " + phase + "; the operator plans a change before its swap only";
        } else {
            String waiting = Summary.waitingFor(c);
            why =
                    "the operator has not validated it yet (phase "
                            + phase
                            + (Summary.NONE.equals(waiting) ? "" : ", " + waiting)
                            + "; kubectl schemachange describe "
                            + c.getMetadata().getName()
                            + " says why)";
        }
        return Changes.id(c)
                + " has no status.plan: "
                + why
                + "; to plan its spec on the database now: kubectl schemachange plan "
                + c.getMetadata().getName()
                + " -n "
                + c.getMetadata().getNamespace()
                + " --jdbc-url jdbc:mysql://HOST:PORT/"
                + schema(c);
    }

    private static String schema(SchemaChange c) {
        return c.getSpec() == null || c.getSpec().database() == null
                ? "SCHEMA"
                : c.getSpec().database().schema();
    }

    private static String table(SchemaChange c) {
        return c.getSpec() == null ? "TABLE" : c.getSpec().table();
    }

    private static String bytes(Long b) {
        return b == null ? Summary.NONE : dev.schemachange.cli.PlanCommand.bytes(b);
    }

    private static String orNone(Object o) {
        return o == null ? Summary.NONE : o.toString();
    }
}

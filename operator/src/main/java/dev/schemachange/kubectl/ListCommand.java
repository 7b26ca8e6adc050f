package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

@Command(
        name = "list",
        aliases = "ls",
        mixinStandardHelpOptions = true,
        description = "List SchemaChanges: phase, progress, ETA, next window, what each waits for.")
final class ListCommand implements Callable<Integer> {
    @ParentCommand KubectlCommand kubectl;
    @CommandLine.Spec CommandSpec spec;

    @Option(
            names = {"-A", "--all-namespaces"},
            description = "every namespace")
    boolean allNamespaces;

    @Override
    public Integer call() {
        return kubectl.run(spec, this::list);
    }

    private int list(KubectlCommand.Session s) {
        List<SchemaChange> changes = s.changes().list(allNamespaces ? null : s.namespace());
        if (changes.isEmpty()) {
            s.err()
                    .println(
                            allNamespaces
                                    ? "No SchemaChanges found."
                                    : "No SchemaChanges found in namespace " + s.namespace() + ".");
            return 0;
        }
        List<String> header = new ArrayList<>();
        if (allNamespaces) {
            header.add("NAMESPACE");
        }
        header.addAll(List.of("NAME", "PHASE", "PROGRESS", "ETA", "NEXT WINDOW", "WAITING FOR"));
        Table table = new Table(header);
        for (SchemaChange c : changes) {
            Summary m = Summary.of(c);
            List<String> row = new ArrayList<>();
            if (allNamespaces) {
                row.add(m.namespace());
            }
            row.addAll(
                    List.of(
                            m.name(),
                            m.phase().name(),
                            m.progress(),
                            m.eta(),
                            m.nextWindow(),
                            m.waitingFor()));
            table.row(row);
        }
        table.print(s.out());
        return 0;
    }
}

package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.AnnotationControls;
import java.io.IOException;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "rollback",
        mixinStandardHelpOptions = true,
        description = {
            "Roll the change back (annotation schemachange.dev/rollback=\"true\").",
            "Before the swap it aborts: triggers and shadow are removed, the original table is"
                    + " untouched. After the swap it swaps the reverse-synced old table back in;"
                    + " it asks first, unless --yes."
        })
final class RollbackCommand extends SteeringCommand {
    @Option(names = "--yes", description = "do not ask, also after the swap (for scripts)")
    boolean yes;

    /** Asked once: a conflicting write between question and patch does not ask again. */
    private boolean confirmed;

    @Override
    int act(KubectlCommand.Session s, SchemaChange c) throws IOException {
        refuseIfMeaningless(Action.ROLLBACK, c);
        String id = Changes.id(c);
        if (isTrue(c, AnnotationControls.ROLLBACK)) {
            s.out().println(id + ": rollback already requested");
            return 0;
        }
        boolean swapped = isSwapped(c);
        if (swapped && !yes && !confirmed) {
            if (!confirm(s, c)) {
                s.err().println(id + ": not rolled back, nothing changed");
                return 1;
            }
            confirmed = true;
        }
        s.changes().annotate(c, AnnotationControls.ROLLBACK, "true");
        s.out()
                .println(
                        id
                                + ": rollback requested ("
                                + AnnotationControls.ROLLBACK
                                + "=true); "
                                + (swapped
                                        ? "the operator swaps the old table back in"
                                        : "the operator removes triggers and shadow table, the"
                                                + " original table is untouched"));
        return 0;
    }

    private static boolean confirm(KubectlCommand.Session s, SchemaChange c) throws IOException {
        String at =
                c.getStatus() != null
                                && c.getStatus().getSwap() != null
                                && c.getStatus().getSwap().swappedAt() != null
                        ? " at " + c.getStatus().getSwap().swappedAt()
                        : "";
        s.out()
                .println(
                        Changes.id(c)
                                + " swapped"
                                + at
                                + ". Rolling back swaps the old table back in: it was kept"
                                + " reverse-synced, so it holds every write made since; the new"
                                + " table is set aside.");
        s.out().print("Roll back " + Changes.id(c) + "? [y/N] ");
        s.out().flush();
        String answer = s.stdin().readLine();
        if (answer == null) {
            s.out().println();
            return false;
        }
        String a = answer.trim().toLowerCase(Locale.ROOT);
        return a.equals("y") || a.equals("yes");
    }
}

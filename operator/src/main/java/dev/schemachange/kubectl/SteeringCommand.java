package dev.schemachange.kubectl;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * A subcommand that writes one annotation on one named change. It reads the change, decides on what
 * it read, and writes with that resourceVersion; when the operator wrote in between (409), it reads
 * and decides again, so a decision is never taken on a phase the change has left.
 */
abstract class SteeringCommand implements Callable<Integer> {
    private static final int TRIES = 5;

    @ParentCommand KubectlCommand kubectl;
    @CommandLine.Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "the SchemaChange")
    String name;

    @Override
    public Integer call() {
        return kubectl.run(spec, this::steer);
    }

    private int steer(KubectlCommand.Session s) throws Exception {
        for (int attempt = 1; ; attempt++) {
            SchemaChange c = s.changes().get(s.namespace(), name);
            try {
                return act(s, c);
            } catch (Changes.Conflict e) {
                if (attempt == TRIES) {
                    throw new Refusal(
                            Changes.id(c)
                                    + " changed under every one of "
                                    + TRIES
                                    + " writes; nothing was written, try again");
                }
            }
        }
    }

    /** Decides on {@code c} as read and writes; a {@link Changes.Conflict} starts over. */
    abstract int act(KubectlCommand.Session s, SchemaChange c) throws Exception;

    static void refuseIfMeaningless(Action action, SchemaChange c) {
        action.refusal(Changes.id(c), Changes.phase(c))
                .ifPresent(
                        r -> {
                            throw new Refusal(r);
                        });
    }

    /** Whether a flag annotation reads as true, as the operator reads it. */
    static boolean isTrue(SchemaChange c, String key) {
        String v = Changes.annotations(c).get(key);
        return v != null && v.trim().toLowerCase(Locale.ROOT).equals("true");
    }

    static boolean approvalRequired(SchemaChange c) {
        return c.getSpec() != null
                && c.getSpec().swap().approval() == SchemaChangeSpec.Approval.Required;
    }

    static boolean isSwapped(SchemaChange c) {
        Phase p = Changes.phase(c);
        return p.isSwapped()
                || p == Phase.Swapping
                || (c.getStatus() != null
                        && c.getStatus().getSwap() != null
                        && c.getStatus().getSwap().swappedAt() != null);
    }
}

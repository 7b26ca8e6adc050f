package dev.schemachange.kubectl;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.swap.SwapWindow;
import dev.schemachange.operator.AnnotationControls;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "schedule",
        mixinStandardHelpOptions = true,
        description = {
            "Hold the swap until an instant (annotation schemachange.dev/swap-not-before=<RFC 3339>).",
            "--next-window: until the next start of spec.swap.window that is still to come (a"
                    + " window open now is skipped). Windows and approval still apply after it."
        })
final class ScheduleCommand extends SteeringCommand {
    @ArgGroup(multiplicity = "1")
    When when;

    static final class When {
        @Option(
                names = "--at",
                paramLabel = "RFC3339",
                description = "e.g. 2026-11-28T02:00:00+01:00 or 2026-11-28T01:00:00Z")
        String at;

        @Option(names = "--next-window", description = "the next window's start")
        boolean nextWindow;
    }

    @Override
    int act(KubectlCommand.Session s, SchemaChange c) {
        refuseIfMeaningless(Action.SCHEDULE, c);
        Instant now = s.clock().instant();
        Instant notBefore = when.nextWindow ? nextWindow(c, now) : at(now);
        String value = notBefore.toString();
        String id = Changes.id(c);
        if (value.equals(Changes.annotations(c).get(AnnotationControls.SWAP_NOT_BEFORE))) {
            s.out().println(id + ": already scheduled not before " + value);
            return 0;
        }
        s.changes().annotate(c, AnnotationControls.SWAP_NOT_BEFORE, value);
        s.out()
                .println(
                        id
                                + ": swap not before "
                                + value
                                + " ("
                                + AnnotationControls.SWAP_NOT_BEFORE
                                + "="
                                + value
                                + ")");
        if (approvalRequired(c) && !isTrue(c, AnnotationControls.SWAP_APPROVED)) {
            s.out()
                    .println(
                            "note: spec.swap.approval is Required and the swap is not approved:"
                                    + " kubectl schemachange approve "
                                    + c.getMetadata().getName());
        }
        return 0;
    }

    private Instant at(Instant now) {
        Instant t;
        try {
            t = OffsetDateTime.parse(when.at.trim()).toInstant();
        } catch (DateTimeParseException e) {
            throw new Refusal(
                    "--at '"
                            + when.at
                            + "' is not an RFC 3339 time: use e.g. 2026-11-28T02:00:00+01:00"
                            + " or 2026-11-28T01:00:00Z");
        }
        if (!t.isAfter(now)) {
            throw new Refusal(
                    "--at "
                            + when.at
                            + " is not in the future, so it would hold nothing: give a later"
                            + " time, or use --next-window");
        }
        return t;
    }

    private static Instant nextWindow(SchemaChange c, Instant now) {
        if (c.getSpec() == null || c.getSpec().swap().window() == null) {
            throw new Refusal(
                    Changes.id(c)
                            + " has no spec.swap.window: its swap may start any time, so there is"
                            + " no next window; use --at RFC3339");
        }
        SwapWindow window;
        try {
            window = SwapWindow.of(c.getSpec().swap().window());
        } catch (IllegalArgumentException e) {
            throw new Refusal(e.getMessage());
        }
        // as the operator computes it: the first start after the window that is open now, if any
        Instant from = window.currentEnd(now).orElse(now);
        return window.nextStart(from)
                .filter(t -> !t.isBefore(from))
                .orElseThrow(
                        () -> new Refusal("spec.swap.window " + window + " never opens again"));
    }
}

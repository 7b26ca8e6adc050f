package dev.schemachange.kubectl;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.operator.Conditions;
import dev.schemachange.operator.Reasons;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** One change as {@code list} shows it: the printer columns plus what it waits for. */
record Summary(
        String namespace,
        String name,
        Phase phase,
        String progress,
        String eta,
        String nextWindow,
        String waitingFor) {

    /**
     * The Progressing condition's reasons that name a wait, in the words of the metric label {@code
     * osc_change_waiting_seconds_total{reason}}.
     */
    private static final Map<String, String> WAITS =
            Map.of(
                    Reasons.APPROVAL_REQUIRED,
                    "approval",
                    Reasons.WAITING_FOR_WINDOW,
                    "window",
                    Reasons.NOT_BEFORE,
                    "not_before",
                    Reasons.PAUSED,
                    "paused",
                    Reasons.THROTTLED,
                    "throttled",
                    Reasons.TABLE_HELD,
                    "table_held",
                    Reasons.RETENTION,
                    "retention",
                    "Waiting",
                    "other");

    static final String NONE = "-";

    static Summary of(SchemaChange c) {
        SchemaChangeStatus s = c.getStatus();
        SchemaChangeStatus.BackfillStatus b = s == null ? null : s.getBackfill();
        SchemaChangeStatus.SwapStatus w = s == null ? null : s.getSwap();
        return new Summary(
                c.getMetadata().getNamespace(),
                c.getMetadata().getName(),
                Changes.phase(c),
                b == null || b.percent() == null
                        ? NONE
                        : String.format(Locale.ROOT, "%.1f%%", b.percent()),
                b == null || b.eta() == null ? NONE : b.eta(),
                w == null || w.nextWindowStart() == null ? NONE : w.nextWindowStart(),
                waitingFor(c));
    }

    /**
     * What holds the change: a fix when it is Degraded (the condition's reason), else the wait its
     * Progressing condition names; a Swapped change waits for its retention to end.
     */
    static String waitingFor(SchemaChange c) {
        List<Condition> conditions =
                c.getStatus() == null ? List.of() : c.getStatus().getConditions();
        Condition degraded = Conditions.find(conditions, Conditions.DEGRADED);
        if (degraded != null && "True".equals(degraded.getStatus())) {
            return "fix: " + degraded.getReason();
        }
        Phase phase = Changes.phase(c);
        if (phase.isTerminal()) {
            return NONE;
        }
        Condition progressing = Conditions.find(conditions, Conditions.PROGRESSING);
        if (progressing != null
                && "False".equals(progressing.getStatus())
                && WAITS.containsKey(progressing.getReason())) {
            return WAITS.get(progressing.getReason());
        }
        return phase == Phase.Swapped ? "retention" : NONE;
    }
}

package dev.schemachange.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The standard metav1 Conditions of a change, built fresh on every reconcile from the previous
 * ones: a condition whose status did not change keeps its lastTransitionTime, so "for how long"
 * stays true and an unchanged status compares equal and is not patched.
 */
public final class Conditions {
    public static final String VALIDATED = "Validated";
    public static final String READY = "Ready";
    public static final String PROGRESSING = "Progressing";
    public static final String BACKFILL_COMPLETE = "BackfillComplete";
    public static final String VERIFIED = "Verified";
    public static final String SWAP_SCHEDULED = "SwapScheduled";
    public static final String SWAPPED = "Swapped";
    public static final String THROTTLED = "Throttled";
    public static final String PAUSED = "Paused";
    public static final String DEGRADED = "Degraded";
    public static final String FAILED = "Failed";

    /**
     * After the swap: whether a rollback would bring back every row written since (False from the
     * first row that did not fit the old table, naming it).
     */
    public static final String ROLLBACK_LOSSLESS = "RollbackLossless";

    /** The order of CONTRACT.md, which is also the order in the status. */
    public static final List<String> TYPES =
            List.of(
                    VALIDATED,
                    READY,
                    PROGRESSING,
                    BACKFILL_COMPLETE,
                    VERIFIED,
                    SWAP_SCHEDULED,
                    SWAPPED,
                    THROTTLED,
                    PAUSED,
                    DEGRADED,
                    FAILED,
                    ROLLBACK_LOSSLESS);

    private final Map<String, Condition> previous = new LinkedHashMap<>();
    private final Map<String, Condition> current = new LinkedHashMap<>();
    private final Long generation;
    private final String now;

    public Conditions(List<Condition> previous, Long generation, Instant now) {
        if (previous != null) {
            previous.forEach(c -> this.previous.put(c.getType(), c));
        }
        this.generation = generation;
        this.now = now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public Conditions set(String type, boolean status, String reason, String message) {
        String value = status ? "True" : "False";
        Condition before = previous.get(type);
        String since =
                before != null
                                && value.equals(before.getStatus())
                                && before.getLastTransitionTime() != null
                        ? before.getLastTransitionTime()
                        : now;
        current.put(
                type,
                new ConditionBuilder()
                        .withType(type)
                        .withStatus(value)
                        .withReason(reason)
                        .withMessage(message == null ? "" : message)
                        .withObservedGeneration(generation)
                        .withLastTransitionTime(since)
                        .build());
        return this;
    }

    public static boolean isTrue(List<Condition> conditions, String type) {
        return find(conditions, type) != null && "True".equals(find(conditions, type).getStatus());
    }

    public static Condition find(List<Condition> conditions, String type) {
        return conditions == null
                ? null
                : conditions.stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst()
                        .orElse(null);
    }

    /**
     * In contract order; a condition not set on this reconcile stays as it was (e.g. the progress
     * conditions while the database cannot be reached), so no path can wipe what another wrote.
     */
    public List<Condition> toList() {
        List<Condition> out = new ArrayList<>();
        for (String type : TYPES) {
            Condition c = current.containsKey(type) ? current.get(type) : previous.get(type);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }
}

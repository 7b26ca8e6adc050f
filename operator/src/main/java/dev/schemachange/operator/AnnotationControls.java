package dev.schemachange.operator;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.Controls;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads the platform team's annotations into the engine's {@link Controls}. Annotations never bump
 * the generation, so {@link SteeringEventFilter} makes sure a change to one of these reaches the
 * reconciler. A value that cannot be read holds the change on the safe side (no approval, swap not
 * before forever) and is reported as a problem rather than guessed at.
 */
public final class AnnotationControls {
    public static final String PREFIX = "schemachange.dev/";
    public static final String SWAP_APPROVED = PREFIX + "swap-approved";
    public static final String SWAP_NOT_BEFORE = PREFIX + "swap-not-before";
    public static final String PAUSED = PREFIX + "paused";
    public static final String ROLLBACK = PREFIX + "rollback";

    /**
     * Consent to a rollback that loses rows written after the swap that did not fit the old table
     * (see docs/rollback.md); read only with {@link #ROLLBACK}.
     */
    public static final String ROLLBACK_ACCEPT_LOSS = PREFIX + "rollback-accept-loss";

    /**
     * An unreadable not-before holds the swap; far future rather than Instant.MAX, which overflows
     * date math.
     */
    static final Instant HELD = Instant.parse("9999-12-31T23:59:59Z");

    /** What the annotations say, and what in them could not be read. */
    public record Parsed(Controls controls, List<Problem> problems) {
        public Parsed {
            problems = List.copyOf(problems);
        }
    }

    private AnnotationControls() {}

    public static Parsed read(Map<String, String> annotations) {
        Map<String, String> a = annotations == null ? Map.of() : annotations;
        List<Problem> problems = new ArrayList<>();
        boolean approved = flag(a, SWAP_APPROVED, problems);
        boolean paused = flag(a, PAUSED, problems);
        boolean rollback = flag(a, ROLLBACK, problems);
        boolean acceptLoss = flag(a, ROLLBACK_ACCEPT_LOSS, problems);
        Instant notBefore = instant(a, SWAP_NOT_BEFORE, problems);
        return new Parsed(
                new Controls(approved, notBefore, paused, rollback, acceptLoss), problems);
    }

    private static boolean flag(Map<String, String> a, String key, List<Problem> problems) {
        String value = a.get(key);
        if (value == null) {
            return false;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false", "" -> false;
            default -> {
                problems.add(
                        new Problem(
                                field(key),
                                "'" + value + "' is neither true nor false",
                                "set it to \"true\", or remove it"));
                yield false;
            }
        };
    }

    private static Instant instant(Map<String, String> a, String key, List<Problem> problems) {
        String value = a.get(key);
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim()).toInstant();
        } catch (DateTimeParseException e) {
            problems.add(
                    new Problem(
                            field(key),
                            "'" + value + "' is not an RFC 3339 time; the swap is held",
                            "use e.g. 2026-11-28T02:00:00Z, or remove it"));
            return HELD;
        }
    }

    private static String field(String key) {
        return "metadata.annotations[" + key + "]";
    }
}

package dev.schemachange.api;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Kubernetes-style durations ("500ms", "2s", "1h30m", "72h", "0"), as used in the spec. */
public final class Durations {
    /** The pattern the CRD uses to validate duration fields. */
    public static final String PATTERN = "^(0|([0-9]+(\\.[0-9]+)?(ms|s|m|h|d))+)$";

    private static final Pattern WHOLE = Pattern.compile(PATTERN);
    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ms|s|m|h|d)");

    private Durations() {}

    public static boolean isValid(String text) {
        return text != null && WHOLE.matcher(text.trim()).matches();
    }

    /** Parses a duration; throws IllegalArgumentException naming the accepted form. */
    public static Duration parse(String text) {
        if (!isValid(text)) {
            throw new IllegalArgumentException(
                    "'"
                            + text
                            + "' is not a duration: use a number with a unit, "
                            + "e.g. 500ms, 2s, 10m, 72h, 1h30m, or 0");
        }
        String t = text.trim();
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = PART.matcher(t);
        double millis = 0;
        while (m.find()) {
            double n = Double.parseDouble(m.group(1));
            millis +=
                    n
                            * switch (m.group(2)) {
                                case "ms" -> 1;
                                case "s" -> 1_000;
                                case "m" -> 60_000;
                                case "h" -> 3_600_000;
                                default -> 86_400_000;
                            };
        }
        return Duration.ofMillis(Math.round(millis));
    }
}

package dev.schemachange.logging;

import java.util.Locale;

/**
 * How log lines look: for people reading {@code kubectl logs}, or one JSON object per line for log
 * shippers.
 */
public enum LogFormat {
    TEXT,
    JSON;

    /** The environment variable that picks the format; read once, when logging starts. */
    public static final String ENV = "OSC_LOG_FORMAT";

    /**
     * {@code json} (any case) is JSON; unset or blank is text. Anything else is null: the caller
     * says so.
     */
    static LogFormat parse(String value) {
        if (value == null || value.isBlank()) {
            return TEXT;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "json" -> JSON;
            case "text" -> TEXT;
            default -> null;
        };
    }
}

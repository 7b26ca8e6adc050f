package dev.schemachange.mysql;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Quoting: every name the engine puts into SQL goes through here (names a spec may use are
 * validated by {@link dev.schemachange.api.Identifiers}).
 */
public final class Identifiers {
    public static final int MAX_LENGTH = 64;

    private Identifiers() {}

    /**
     * Back-quotes any identifier (also names read from the server, which may hold any character).
     */
    public static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }

    public static String quote(String schema, String table) {
        return quote(schema) + "." + quote(table);
    }

    public static String quoteList(List<String> names) {
        return names.stream().map(Identifiers::quote).collect(Collectors.joining(", "));
    }

    /** A string literal for SQL text where a parameter cannot be used (DDL, trigger bodies). */
    public static String literal(String value) {
        return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'";
    }

    /**
     * {@code base + suffix} when it fits in 64 characters, else a shortened base with a hash of the
     * full name, so long table names still give distinct, stable helper names.
     */
    public static String fit(String base, String suffix) {
        String full = base + suffix;
        if (full.length() <= MAX_LENGTH) {
            return full;
        }
        String hash = sha1(full).substring(0, 8);
        int keep = MAX_LENGTH - suffix.length() - hash.length() - 1;
        return base.substring(0, Math.max(0, keep)) + "_" + hash + suffix;
    }

    public static String sha1(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-1");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

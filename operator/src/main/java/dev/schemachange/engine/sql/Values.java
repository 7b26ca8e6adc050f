package dev.schemachange.engine.sql;

/** How a source value and its copy are compared, in the checksum and in the triggers alike. */
public final class Values {
    private Values() {}

    /**
     * NULL-safe equality as the new shape holds the value: characters are compared as utf8mb4 text
     * with a binary collation, so a charset change compares the characters and a case-insensitive
     * collation does not hide a changed letter; everything else compares by value (an INT and its
     * BIGINT copy are equal).
     */
    public static String same(String source, String copy, boolean text) {
        String a = text ? "CONVERT(" + source + " USING utf8mb4) COLLATE utf8mb4_bin" : source;
        String b = text ? "CONVERT(" + copy + " USING utf8mb4) COLLATE utf8mb4_bin" : copy;
        // not <=>: inside MariaDB 10.11 triggers, NEW.x <=> y is false for BIGINT UNSIGNED values
        // above 2^63
        return "(" + a + " = " + b + " OR (" + source + " IS NULL AND " + copy + " IS NULL))";
    }
}

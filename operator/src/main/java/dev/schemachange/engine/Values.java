package dev.schemachange.engine;

/** How a source value and its copy are compared, in the checksum and in the triggers alike. */
final class Values {
    private Values() {
    }

    /**
     * NULL-safe equality as the new shape holds the value: characters are compared as utf8mb4 text with a
     * binary collation, so a charset change compares the characters and a case-insensitive collation does not
     * hide a changed letter; everything else compares by value (an INT and its BIGINT copy are equal).
     */
    static String same(String source, String copy, boolean text) {
        if (text) {
            return "CONVERT(" + source + " USING utf8mb4) COLLATE utf8mb4_bin <=> CONVERT(" + copy
                    + " USING utf8mb4) COLLATE utf8mb4_bin";
        }
        return source + " <=> " + copy;
    }
}

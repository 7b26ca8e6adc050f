package dev.schemachange.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.schemachange.mysql.Identifiers;

/**
 * The shadow's CREATE TABLE, made from the original's SHOW CREATE TABLE so that columns, keys, FKs, the
 * AUTO_INCREMENT counter, charset and options carry over exactly; only the name and FK targets change.
 */
final class ShadowDdl {
    private static final Pattern HEADER = Pattern.compile("^CREATE TABLE `(?:[^`]|``)+`");
    /** A REFERENCES clause naming a table without its schema, i.e. one in the original's schema. */
    private static final Pattern LOCAL_REFERENCE = Pattern.compile("REFERENCES (`(?:[^`]|``)+`)(?!\\.)");

    private ShadowDdl() {
    }

    /** @param target the copy's quoted, schema-qualified name */
    static String create(String createSql, String sourceSchema, String target) {
        Matcher header = HEADER.matcher(createSql);
        if (!header.find()) {
            throw new IllegalStateException("unexpected SHOW CREATE TABLE output: " + createSql.substring(0,
                    Math.min(60, createSql.length())));
        }
        String body = createSql.substring(header.end());
        // FKs to tables of the same schema must keep pointing there once the shadow lives in the work schema
        body = LOCAL_REFERENCE.matcher(body).replaceAll(m -> Matcher.quoteReplacement(
                "REFERENCES " + Identifiers.quote(sourceSchema) + "." + m.group(1)));
        return "CREATE TABLE " + target + body;
    }
}

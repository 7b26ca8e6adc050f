package dev.schemachange.engine.plan;

import dev.schemachange.mysql.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shadow's CREATE TABLE, made from the original's SHOW CREATE TABLE so that columns, keys, FKs,
 * the AUTO_INCREMENT counter, charset and options carry over exactly; only the name and FK targets
 * change.
 */
public final class ShadowDdl {
    private static final Pattern HEADER = Pattern.compile("^CREATE TABLE `(?:[^`]|``)+`");

    /** A REFERENCES clause naming a table without its schema, i.e. one in the original's schema. */
    private static final Pattern LOCAL_REFERENCE =
            Pattern.compile("REFERENCES (`(?:[^`]|``)+`)(?!\\.)");

    private ShadowDdl() {}

    /**
     * @param target the copy's quoted, schema-qualified name
     */
    static String create(String createSql, String sourceSchema, String target) {
        return create(createSql, sourceSchema, target, Set.of());
    }

    /**
     * As {@link #create(String, String, String)}, leaving out the named foreign keys: a split part
     * that does not keep one must not even be created with it, as constraint names are unique per
     * schema and another part's copy may hold the name at the same time.
     */
    static String create(
            String createSql, String sourceSchema, String target, Set<String> omitForeignKeys) {
        Matcher header = HEADER.matcher(createSql);
        if (!header.find()) {
            throw new IllegalStateException(
                    "unexpected SHOW CREATE TABLE output: "
                            + createSql.substring(0, Math.min(60, createSql.length())));
        }
        String body = omit(createSql.substring(header.end()), omitForeignKeys);
        // FKs to tables of the same schema must keep pointing there once the shadow lives in the
        // work schema
        body =
                LOCAL_REFERENCE
                        .matcher(body)
                        .replaceAll(
                                m ->
                                        Matcher.quoteReplacement(
                                                "REFERENCES "
                                                        + Identifiers.quote(sourceSchema)
                                                        + "."
                                                        + m.group(1)));
        return "CREATE TABLE " + target + body;
    }

    /**
     * Drops the constraints' lines; SHOW CREATE TABLE puts each on a line of its own,
     * comma-separated.
     */
    private static String omit(String body, Set<String> foreignKeys) {
        if (foreignKeys.isEmpty()) {
            return body;
        }
        List<String> lines = new ArrayList<>(List.of(body.split("\n", -1)));
        lines.removeIf(
                line ->
                        foreignKeys.stream()
                                .anyMatch(
                                        fk ->
                                                line.trim()
                                                        .startsWith(
                                                                "CONSTRAINT "
                                                                        + Identifiers.quote(fk)
                                                                        + " FOREIGN KEY")));
        for (int i = 1; i < lines.size(); i++) {
            if (lines.get(i).startsWith(")") && lines.get(i - 1).endsWith(",")) {
                lines.set(i - 1, lines.get(i - 1).substring(0, lines.get(i - 1).length() - 1));
            }
        }
        return String.join("\n", lines);
    }
}

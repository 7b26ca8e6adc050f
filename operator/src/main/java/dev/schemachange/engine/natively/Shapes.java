package dev.schemachange.engine.natively;

import dev.schemachange.mysql.Identifiers;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A table's definition as SHOW CREATE TABLE prints it, without what differs between the live table
 * and its scratch copy in the work schema although the shape is the same: the table's name, the
 * AUTO_INCREMENT counter, and the schema that qualifies a foreign key's parent in the copy.
 */
final class Shapes {
    private static final Pattern HEADER = Pattern.compile("^CREATE TABLE `(?:[^`]|``)+`");
    private static final Pattern COUNTER = Pattern.compile(" AUTO_INCREMENT=\\d+");

    private Shapes() {}

    /**
     * @param schema the live table's schema: a parent named {@code `schema`.`parent`} is the same
     *     as {@code `parent`} there
     */
    static String of(String showCreate, String schema) {
        Matcher header = HEADER.matcher(showCreate);
        String body = header.find() ? showCreate.substring(header.end()) : showCreate;
        body = COUNTER.matcher(body).replaceAll("");
        return body.replace("REFERENCES " + Identifiers.quote(schema) + ".", "REFERENCES ");
    }
}

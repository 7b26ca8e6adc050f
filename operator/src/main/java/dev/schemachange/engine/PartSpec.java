package dev.schemachange.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;

/**
 * One table a change builds, as the spec describes it: the table itself for an ALTER, one table per part for a
 * split. Each is built from a copy of the original, cut down to the part's columns (a split), then changed by
 * the user's ALTER.
 *
 * @param field   where the part's ALTER comes from, for error messages
 * @param columns the original's columns the part keeps; empty for an ALTER (all of them)
 */
record PartSpec(String table, String field, AlterClause alter, List<String> columns) {
    PartSpec {
        columns = List.copyOf(columns);
    }

    static List<PartSpec> of(SchemaChangeSpec spec) {
        if (spec.split() == null || spec.split().isEmpty()) {
            return List.of(new PartSpec(spec.table(), "spec.alter", AlterClause.parse("spec.alter", spec.alter()),
                    List.of()));
        }
        List<PartSpec> out = new ArrayList<>();
        for (int i = 0; i < spec.split().size(); i++) {
            SchemaChangeSpec.SplitPart part = spec.split().get(i);
            String field = "spec.split[" + i + "].alter";
            AlterClause alter = part.alter() == null || part.alter().isBlank() ? AlterClause.none()
                    : AlterClause.parse(field, part.alter());
            out.add(new PartSpec(part.table(), field, alter, part.columns()));
        }
        return out;
    }

    boolean keeps(String column) {
        return columns.isEmpty() || columns.stream().anyMatch(column::equalsIgnoreCase);
    }

    /**
     * The statements that turn a copy of {@code source} named {@code quotedCopy} into this part. Keys and foreign
     * keys that reach a column of another part are dropped whole, before the columns: MariaDB refuses to drop a
     * column of a multi-column key, and silently keeping the rest of a UNIQUE key would make it stricter.
     */
    List<String> ddl(String quotedCopy, TableInfo source) {
        List<String> out = new ArrayList<>();
        Predicate<List<String>> reachesOut = cols -> !cols.stream().allMatch(this::keeps);
        List<String> fks = source.foreignKeys().stream().filter(fk -> reachesOut.test(fk.columns()))
                .map(fk -> "DROP FOREIGN KEY " + Identifiers.quote(fk.name())).toList();
        if (!fks.isEmpty()) {
            out.add("ALTER TABLE " + quotedCopy + " " + String.join(", ", fks));
        }
        List<String> cut = new ArrayList<>();
        source.indexes().stream().filter(i -> reachesOut.test(i.columns()))
                .forEach(i -> cut.add(i.primary() ? "DROP PRIMARY KEY" : "DROP INDEX " + Identifiers.quote(i.name())));
        source.columns().stream().filter(c -> !keeps(c.name()))
                .forEach(c -> cut.add("DROP COLUMN " + Identifiers.quote(c.name())));
        if (!cut.isEmpty()) {
            out.add("ALTER TABLE " + quotedCopy + " " + String.join(", ", cut));
        }
        if (!alter.text().isBlank()) {
            out.add("ALTER TABLE " + quotedCopy + " " + alter.text());
        }
        return out;
    }
}

package dev.schemachange.engine.plan;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One table a change builds, as the spec describes it: the table itself for an ALTER, one table per
 * part for a split. Each is built from a copy of the original, cut down to the part's columns (a
 * split), then changed by the user's ALTER.
 *
 * @param field where the part's ALTER comes from, for error messages
 * @param columns the original's columns the part keeps; empty for an ALTER (all of them)
 */
public record PartSpec(String table, String field, AlterClause alter, List<String> columns) {
    public PartSpec {
        columns = List.copyOf(columns);
    }

    public static List<PartSpec> of(SchemaChangeSpec spec) {
        if (spec.split() == null || spec.split().isEmpty()) {
            return List.of(
                    new PartSpec(
                            spec.table(),
                            "spec.alter",
                            AlterClause.parse("spec.alter", spec.alter()),
                            List.of()));
        }
        List<PartSpec> out = new ArrayList<>();
        for (int i = 0; i < spec.split().size(); i++) {
            SchemaChangeSpec.SplitPart part = spec.split().get(i);
            String field = "spec.split[" + i + "].alter";
            AlterClause alter =
                    part.alter() == null || part.alter().isBlank()
                            ? AlterClause.none()
                            : AlterClause.parse(field, part.alter());
            out.add(new PartSpec(part.table(), field, alter, part.columns()));
        }
        return out;
    }

    /** The shadow's name, next to the original: {@code <part>__osc_new}. */
    public String shadow() {
        return Planner.names(table).newTable();
    }

    private boolean keepsAll(List<String> columns) {
        return columns.stream().allMatch(this::keeps);
    }

    public boolean keeps(String column) {
        return columns.isEmpty() || columns.stream().anyMatch(column::equalsIgnoreCase);
    }

    /**
     * The copy of the original this part starts from: without the foreign keys that belong to other
     * parts.
     */
    public String create(String quotedCopy, TableInfo source) {
        return ShadowDdl.create(
                source.createSql(),
                source.schema(),
                quotedCopy,
                source.foreignKeys().stream()
                        .filter(fk -> !keepsAll(fk.columns()))
                        .map(TableInfo.ForeignKey::name)
                        .collect(Collectors.toSet()));
    }

    /**
     * The statements that turn that copy into this part. Keys that reach a column of another part
     * are dropped whole, before the columns: MariaDB refuses to drop a column of a multi-column
     * key, and silently keeping the rest of a UNIQUE key would make it stricter.
     */
    public List<String> ddl(String quotedCopy, TableInfo source) {
        List<String> out = new ArrayList<>();
        List<String> cut = new ArrayList<>();
        source.indexes().stream()
                .filter(i -> !keepsAll(i.columns()))
                .forEach(
                        i ->
                                cut.add(
                                        i.primary()
                                                ? "DROP PRIMARY KEY"
                                                : "DROP INDEX " + Identifiers.quote(i.name())));
        source.columns().stream()
                .filter(c -> !keeps(c.name()))
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

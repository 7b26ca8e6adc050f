package dev.schemachange.engine.check;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.AlterClause;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Refuses a UNIQUE key that the ALTER adds over values that already repeat — named, before any
 * copying.
 */
public final class UniqueKeyCheck {
    private final Connection c;

    UniqueKeyCheck(Connection c) {
        this.c = c;
    }

    List<Problem> newKeysOverDuplicates(PartSpec part, TableInfo source, TableInfo shadow)
            throws SQLException {
        AlterClause alter = part.alter();
        List<Problem> out = new ArrayList<>();
        for (TableInfo.Index idx : shadow.indexes()) {
            if (!idx.unique()) {
                continue;
            }
            Optional<List<String>> sourceCols = sourceColumns(alter, source, idx);
            if (sourceCols.isEmpty()) {
                continue;
            }
            boolean alreadyUnique =
                    source.indexes().stream()
                            .anyMatch(
                                    s ->
                                            s.unique()
                                                    && s.columns().size() <= sourceCols.get().size()
                                                    && s.columns().stream()
                                                            .allMatch(
                                                                    col ->
                                                                            sourceCols
                                                                                    .get()
                                                                                    .stream()
                                                                                    .anyMatch(
                                                                                            col
                                                                                                    ::equalsIgnoreCase)));
            if (alreadyUnique) {
                continue;
            }
            String cols = Identifiers.quoteList(sourceCols.get());
            String notNull =
                    sourceCols.get().stream()
                            .map(col -> Identifiers.quote(col) + " IS NOT NULL")
                            .collect(Collectors.joining(" AND "));
            List<String> dup =
                    Sessions.firstRow(
                            c,
                            "SELECT "
                                    + cols
                                    + ", COUNT(*) FROM "
                                    + Identifiers.quote(source.schema(), source.name())
                                    + " WHERE "
                                    + notNull
                                    + " GROUP BY "
                                    + cols
                                    + " HAVING COUNT(*) > 1 LIMIT 1",
                            List.of());
            if (dup != null) {
                String value = String.join(", ", dup.subList(0, dup.size() - 1));
                out.add(
                        new Problem(
                                part.field(),
                                "unique key "
                                        + idx.name()
                                        + " cannot be added: the value ("
                                        + value
                                        + ") appears "
                                        + dup.get(dup.size() - 1)
                                        + " times in "
                                        + source.name(),
                                "remove the duplicate rows first, or add a non-unique index instead"));
            }
        }
        return out;
    }

    /** The key's columns as they are named in the source, or empty when one of them is new. */
    private static Optional<List<String>> sourceColumns(
            AlterClause alter, TableInfo source, TableInfo.Index idx) {
        List<String> out = new ArrayList<>();
        for (String col : idx.columns()) {
            Optional<TableInfo.Column> from =
                    source.columns().stream()
                            .filter(
                                    s ->
                                            !alter.drops(s.name())
                                                    || alter.renames()
                                                            .containsKey(
                                                                    s.name()
                                                                            .toLowerCase(
                                                                                    Locale.ROOT)))
                            .filter(s -> alter.renamed(s.name()).equalsIgnoreCase(col))
                            .findFirst();
            if (from.isEmpty()) {
                return Optional.empty();
            }
            out.add(from.get().name());
        }
        return Optional.of(out);
    }
}

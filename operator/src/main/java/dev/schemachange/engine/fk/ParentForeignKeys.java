package dev.schemachange.engine.fk;

import dev.schemachange.engine.plan.AlterClause;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.mysql.TableInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Foreign keys of the changed table itself (it references parents), as far as reverse sync is
 * concerned. The reverse-synced old table keeps the same constraints as the live one (see {@link
 * ForeignKeyNames#keepAside}), because a parent's cascade changes child rows without firing
 * triggers and must reach both tables alike. That only keeps the two equal when both shapes have
 * the same constraints: one the ALTER adds would cascade into the live table only; one it drops
 * would keep restricting (or cascading into) the old table only.
 */
public final class ParentForeignKeys {
    private ParentForeignKeys() {}

    /**
     * Why the old and the new shape's constraints would let the two tables drift apart; empty when
     * they match. For a split, a constraint belongs to the part that keeps its columns, and the
     * parts' constraints together are the new shape's.
     */
    public static List<String> differences(TableInfo source, List<Planner.Shape> shapes) {
        Set<Definition> before =
                source.foreignKeys().stream()
                        .map(
                                fk ->
                                        Definition.of(
                                                fk,
                                                shapes.stream()
                                                        .filter(
                                                                s ->
                                                                        fk.columns().stream()
                                                                                .allMatch(
                                                                                        s.part()
                                                                                                ::keeps))
                                                        .findFirst()
                                                        .map(s -> s.part().alter())
                                                        .orElse(AlterClause.none())))
                        .collect(Collectors.toSet());
        Set<Definition> after =
                shapes.stream()
                        .flatMap(s -> s.shadow().foreignKeys().stream())
                        .map(fk -> Definition.of(fk, null))
                        .collect(Collectors.toSet());
        List<String> out = new ArrayList<>();
        before.stream()
                .filter(d -> !after.contains(d))
                .map(d -> "foreign key " + d.name() + " is dropped or changed by the ALTER")
                .sorted()
                .forEach(out::add);
        after.stream()
                .filter(d -> !before.contains(d))
                .map(d -> "foreign key " + d.name() + " is added or changed by the ALTER")
                .sorted()
                .forEach(out::add);
        return out;
    }

    /** A constraint without the temporary name suffix, its columns as the new shape names them. */
    private record Definition(
            String name,
            List<String> columns,
            String refSchema,
            String refTable,
            List<String> refColumns,
            String onUpdate,
            String onDelete) {
        static Definition of(TableInfo.ForeignKey fk, AlterClause renames) {
            String name =
                    fk.name().endsWith(ForeignKeyNames.SUFFIX)
                            ? fk.name()
                                    .substring(
                                            0, fk.name().length() - ForeignKeyNames.SUFFIX.length())
                            : fk.name();
            List<String> columns =
                    fk.columns().stream()
                            .map(
                                    c ->
                                            (renames == null ? c : renames.renamed(c))
                                                    .toLowerCase(Locale.ROOT))
                            .toList();
            return new Definition(
                    name,
                    columns,
                    fk.refSchema(),
                    fk.refTable(),
                    fk.refColumns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList(),
                    fk.onUpdate(),
                    fk.onDelete());
        }
    }
}

package dev.schemachange.engine.check;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What would make a split lose, mix or misplace data, found before anything is built: every column
 * of the original lands in exactly one part or is dropped by name, every part carries the key its
 * rows are matched by, and the parts' names are free.
 */
public final class SplitCheck {
    private final SchemaChangeSpec spec;
    private final TableInfo source;
    private final List<Problem> problems = new ArrayList<>();

    private SplitCheck(SchemaChangeSpec spec, TableInfo source) {
        this.spec = spec;
        this.source = source;
    }

    static List<Problem> check(SchemaChangeSpec spec, TableInfo source, Inspector inspector)
            throws SQLException {
        SplitCheck check = new SplitCheck(spec, source);
        check.columnsExist();
        Optional<TableInfo.Index> key =
                check.problems.isEmpty() ? check.keyInEveryPart() : Optional.empty();
        if (check.problems.isEmpty()) {
            check.eachColumnOnce(key);
            check.foreignKeys();
            check.triggers();
            check.names(inspector);
        }
        return check.problems;
    }

    private void columnsExist() {
        for (int i = 0; i < spec.split().size(); i++) {
            for (String column : spec.split().get(i).columns()) {
                if (source.column(column).isEmpty()) {
                    problems.add(
                            new Problem(
                                    "spec.split[" + i + "].columns",
                                    "column " + column + " does not exist in " + source.name(),
                                    "list only columns of "
                                            + source.name()
                                            + " (SHOW CREATE TABLE)"));
                }
            }
        }
        for (String column : spec.dropColumns()) {
            if (source.column(column).isEmpty()) {
                problems.add(
                        new Problem(
                                "spec.dropColumns",
                                "column " + column + " does not exist in " + source.name(),
                                "list only columns of " + source.name()));
            }
        }
    }

    /**
     * A row key (the primary key first) whose columns every part lists; else the first part lacking
     * one.
     */
    private Optional<TableInfo.Index> keyInEveryPart() {
        List<TableInfo.Index> keys =
                source.rowKeys().stream()
                        .sorted((a, b) -> Boolean.compare(b.primary(), a.primary()))
                        .toList();
        Optional<TableInfo.Index> shared =
                keys.stream()
                        .filter(
                                k ->
                                        spec.split().stream()
                                                .allMatch(p -> lists(p.columns(), k.columns())))
                        .findFirst();
        if (shared.isPresent() || keys.isEmpty()) {
            return shared; // no key at all is the Planner's refusal, worded for every change
        }
        TableInfo.Index key = keys.get(0);
        for (int i = 0; i < spec.split().size(); i++) {
            SchemaChangeSpec.SplitPart part = spec.split().get(i);
            if (!lists(part.columns(), key.columns())) {
                problems.add(
                        new Problem(
                                "spec.split[" + i + "].columns",
                                "part "
                                        + part.table()
                                        + " lacks the key "
                                        + "column(s) "
                                        + String.join(", ", key.columns())
                                        + " of "
                                        + key.name()
                                        + ", so its rows "
                                        + "could not be matched with the other parts'",
                                "add "
                                        + String.join(", ", key.columns())
                                        + " to spec.split["
                                        + i
                                        + "].columns: every part carries the key"));
                break;
            }
        }
        return Optional.empty();
    }

    private void eachColumnOnce(Optional<TableInfo.Index> shared) {
        Set<String> key = shared.map(k -> lower(k.columns())).orElse(Set.of());
        Set<String> dropped = lower(spec.dropColumns());
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < spec.split().size(); i++) {
            SchemaChangeSpec.SplitPart part = spec.split().get(i);
            for (String column : part.columns()) {
                String c = column.toLowerCase(Locale.ROOT);
                if (dropped.contains(c)) {
                    problems.add(
                            new Problem(
                                    "spec.split[" + i + "].columns",
                                    "column " + column + " is also listed " + "in spec.dropColumns",
                                    "either keep it in a part or drop it, not both"));
                } else if (!key.contains(c) && !seen.add(c)) {
                    problems.add(
                            new Problem(
                                    "spec.split[" + i + "].columns",
                                    "column "
                                            + column
                                            + " is also in "
                                            + "another part; only the key columns may be in several parts",
                                    "give " + column + " to one part"));
                }
            }
        }
        List<String> uncovered =
                source.columns().stream()
                        .map(TableInfo.Column::name)
                        .filter(
                                c ->
                                        !key.contains(c.toLowerCase(Locale.ROOT))
                                                && !seen.contains(c.toLowerCase(Locale.ROOT))
                                                && !dropped.contains(c.toLowerCase(Locale.ROOT)))
                        .toList();
        if (!uncovered.isEmpty()) {
            problems.add(
                    new Problem(
                            "spec.split",
                            "column(s) "
                                    + String.join(", ", uncovered)
                                    + " of "
                                    + source.name()
                                    + " are in no part; their data would be lost",
                            "add them to a part, or list them in spec.dropColumns to drop them deliberately"));
        }
    }

    private void foreignKeys() {
        for (TableInfo.ForeignKey fk : source.foreignKeys()) {
            if (fk.refSchema().equals(source.schema()) && fk.refTable().equals(source.name())) {
                problems.add(
                        new Problem(
                                "spec.split",
                                "foreign key "
                                        + fk.name()
                                        + " references "
                                        + source.name()
                                        + " itself; which part it should reference after the split is not supported yet",
                                "drop the constraint before the split and add it to the part afterwards"));
                continue;
            }
            long holders =
                    spec.split().stream().filter(p -> lists(p.columns(), fk.columns())).count();
            boolean touched =
                    spec.split().stream()
                            .anyMatch(
                                    p ->
                                            fk.columns().stream()
                                                    .anyMatch(c -> lists(p.columns(), List.of(c))));
            if (holders == 0 && touched) {
                problems.add(
                        new Problem(
                                "spec.split",
                                "foreign key "
                                        + fk.name()
                                        + " ("
                                        + String.join(", ", fk.columns())
                                        + ") would be divided between parts",
                                "keep a foreign key's columns in one part"));
            }
        }
        children();
    }

    /**
     * A child constraint is re-pointed at the part that keeps every column it references; refused
     * when no part does (the columns are dropped, or divided between parts).
     */
    private void children() {
        List<TableInfo.ForeignKey> children =
                source.referencedBy().stream()
                        .filter(
                                fk ->
                                        !(fk.schema().equals(source.schema())
                                                && fk.table().equals(source.name())))
                        .toList();
        if (children.isEmpty()) {
            return;
        }
        if (spec.foreignKeys().children() != SchemaChangeSpec.ChildPolicy.RebuildConstraints) {
            problems.add(
                    new Problem(
                            "spec.foreignKeys.children",
                            "other tables reference "
                                    + source.name()
                                    + "; a split re-points them only with RebuildConstraints",
                            "use foreignKeys.children: RebuildConstraints"));
            return;
        }
        for (TableInfo.ForeignKey fk : children) {
            if (spec.split().stream().anyMatch(p -> lists(p.columns(), fk.refColumns()))) {
                continue;
            }
            boolean anywhere =
                    spec.split().stream()
                            .anyMatch(
                                    p ->
                                            fk.refColumns().stream()
                                                    .anyMatch(c -> lists(p.columns(), List.of(c))));
            problems.add(
                    new Problem(
                            "spec.split",
                            fk.schema()
                                    + "."
                                    + fk.table()
                                    + " ("
                                    + fk.name()
                                    + ") references "
                                    + String.join(", ", fk.refColumns())
                                    + ", which "
                                    + (anywhere
                                            ? "would be divided between parts"
                                            : "no part keeps")
                                    + ", so the constraint could point at no part",
                            "keep the referenced columns together in one part"));
        }
    }

    private void triggers() {
        Set<String> ours = Set.copyOf(Planner.names(source.name()).forwardTriggers());
        List<String> own =
                source.triggers().stream()
                        .map(TableInfo.Trigger::name)
                        .filter(n -> !ours.contains(n))
                        .toList();
        if (!own.isEmpty()) {
            problems.add(
                    new Problem(
                            "spec.split",
                            "table "
                                    + source.name()
                                    + " has triggers ("
                                    + String.join(", ", own)
                                    + "), which no single part could carry",
                            "drop them, split, then create them on the parts"));
        }
    }

    private void names(Inspector inspector) throws SQLException {
        for (int i = 0; i < spec.split().size(); i++) {
            String table = spec.split().get(i).table();
            if (table.equals(source.name())) {
                if (spec.compatibilityView()) {
                    problems.add(
                            new Problem(
                                    "spec.compatibilityView",
                                    "part "
                                            + table
                                            + " takes the original's "
                                            + "name, so no view can",
                                    "set compatibilityView: false, or give the part another name"));
                }
            } else if (inspector.tableExists(source.schema(), table)) {
                problems.add(
                        new Problem(
                                "spec.split[" + i + "].table",
                                "table " + source.schema() + "." + table + " already exists",
                                "choose another name for the part, or drop that table"));
            }
        }
    }

    private static boolean lists(List<String> columns, List<String> wanted) {
        return lower(columns).containsAll(lower(wanted));
    }

    private static Set<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
    }
}

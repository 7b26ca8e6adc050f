package dev.schemachange.engine.fk;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.plan.AlterClause;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Foreign keys of other tables that reference the changed one (RebuildConstraints). InnoDB
 * constraints follow a RENAME, so after the swap the children reference the old table, which
 * reverse sync keeps complete; right after, each child constraint is re-pointed at the live table
 * under its own name: DROP + ADD in one ALTER with foreign_key_checks=0, done in place without
 * copying or re-checking rows. Rollback re-points them back.
 */
public final class ChildForeignKeys {
    private ChildForeignKeys() {}

    /**
     * The referenced columns must keep their names and types, or the children could not point at
     * the new table.
     */
    public static List<Problem> check(TableInfo source, TableInfo shadow, AlterClause alter) {
        List<Problem> out = new ArrayList<>();
        for (TableInfo.ForeignKey fk : children(source)) {
            for (String col : fk.refColumns()) {
                TableInfo.Column from = source.column(col).orElseThrow();
                boolean kept =
                        !alter.drops(col)
                                && alter.renamed(col).equalsIgnoreCase(col)
                                && shadow.column(col).map(from::sameTypeAs).orElse(false);
                if (!kept) {
                    out.add(
                            new Problem(
                                    "spec.alter",
                                    "column "
                                            + col
                                            + " is referenced by "
                                            + fk.schema()
                                            + "."
                                            + fk.table()
                                            + " ("
                                            + fk.name()
                                            + ") and would change, so that constraint could not "
                                            + "point at the new table",
                                    "change the child's column in the same step first, or keep "
                                            + col
                                            + " as it is"));
                }
            }
            // InnoDB binds a constraint only to an index that starts with the referenced columns;
            // with
            // foreign_key_checks=0 (re-pointing, DropSwap's RENAME) a missing one would not fail,
            // only break
            // the children's writes later
            boolean indexed =
                    shadow.indexes().stream()
                            .anyMatch(
                                    i ->
                                            i.columns().size() >= fk.refColumns().size()
                                                    && startsWith(i.columns(), fk.refColumns()));
            if (!indexed && out.isEmpty()) {
                out.add(
                        new Problem(
                                "spec.alter",
                                "the new table has no index starting with "
                                        + fk.refColumns()
                                        + ", which "
                                        + fk.schema()
                                        + "."
                                        + fk.table()
                                        + " ("
                                        + fk.name()
                                        + ") references",
                                "keep an index on the referenced columns"));
            }
        }
        return out;
    }

    private static boolean startsWith(List<String> columns, List<String> prefix) {
        for (int i = 0; i < prefix.size(); i++) {
            if (!columns.get(i).equalsIgnoreCase(prefix.get(i))) {
                return false;
            }
        }
        return true;
    }

    /**
     * Re-points every child constraint that references {@code schema.from} at {@code schema.to}.
     * MariaDB refuses to drop and add a constraint of the same name in one ALTER, so each goes
     * through its temporary name ({@code <name>__osc}) and back: two in-place ALTERs, with a
     * constraint in force all the time.
     */
    public static void repoint(Connection c, Applier applier, String schema, String from, String to)
            throws SQLException {
        Inspector inspector = new Inspector(c);
        TableInfo referenced = inspector.table(schema, from).orElse(null);
        if (referenced == null) {
            return;
        }
        // the live table's own self-referencing constraints are SelfForeignKeys' job
        List<TableInfo.ForeignKey> children =
                children(referenced).stream()
                        .filter(fk -> !(fk.schema().equals(schema) && fk.table().equals(to)))
                        .toList();
        for (TableInfo.ForeignKey fk : children) {
            String create = inspector.showCreate(fk.schema(), fk.table());
            Map<String, String> clauses = ForeignKeyNames.clauses(create);
            String clause = clauses.get(fk.name());
            Matcher m =
                    Pattern.compile(
                                    "REFERENCES (`(?:[^`]|``)+`\\.)?`"
                                            + Pattern.quote(from.replace("`", "``"))
                                            + "`")
                            .matcher(clause);
            String target =
                    fk.schema().equals(schema)
                            ? Identifiers.quote(to)
                            : Identifiers.quote(schema, to);
            String repointed = m.replaceFirst(Matcher.quoteReplacement("REFERENCES " + target));
            SessionVariable.with(
                    c,
                    "foreign_key_checks",
                    "0",
                    () -> {
                        applier.ddl(
                                c,
                                "ALTER TABLE "
                                        + Identifiers.quote(fk.schema(), fk.table())
                                        + " DROP FOREIGN KEY "
                                        + Identifiers.quote(fk.name())
                                        + ", ADD CONSTRAINT "
                                        + Identifiers.quote(fk.name() + ForeignKeyNames.SUFFIX)
                                        + repointed
                                        + ", ALGORITHM=INPLACE, LOCK=NONE");
                        return null;
                    });
        }
        // also finishes a re-pointing that a crash interrupted between the two steps
        TableInfo target = inspector.table(schema, to).orElse(null);
        for (TableInfo.ForeignKey fk :
                target == null ? List.<TableInfo.ForeignKey>of() : children(target)) {
            if (fk.name().endsWith(ForeignKeyNames.SUFFIX)) {
                ForeignKeyNames.restore(c, applier, fk.schema(), fk.table());
            }
        }
    }

    private static List<TableInfo.ForeignKey> children(TableInfo table) {
        return table.referencedBy().stream()
                .filter(
                        fk ->
                                !(fk.schema().equals(table.schema())
                                        && fk.table().equals(table.name())))
                .toList();
    }
}

package dev.schemachange.engine.fk;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.AlterClause;
import dev.schemachange.engine.plan.PartSpec;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Foreign keys of other tables that reference the changed one (RebuildConstraints). InnoDB
 * constraints follow a RENAME, so after the swap the children reference the old table, which
 * reverse sync keeps complete; right after, each child constraint is re-pointed at the live table
 * under its own name: DROP + ADD in one ALTER with foreign_key_checks=0, done in place without
 * copying or re-checking rows. Rollback re-points them back.
 */
public final class ChildForeignKeys {
    private static final Logger log = LoggerFactory.getLogger(ChildForeignKeys.class);

    private ChildForeignKeys() {}

    /**
     * The referenced columns must keep their names and types, or the children could not point at
     * the new table.
     */
    public static List<Problem> check(TableInfo source, TableInfo shadow, AlterClause alter) {
        List<Problem> out = new ArrayList<>();
        for (TableInfo.ForeignKey fk : children(source)) {
            check(fk, source, shadow, alter, out);
        }
        return out;
    }

    /**
     * For a split: each child constraint against the part it will reference, the one that keeps
     * every referenced column ({@code SplitCheck} refused the others).
     */
    public static List<Problem> checkSplit(TableInfo source, List<Planner.Shape> shapes) {
        List<Problem> out = new ArrayList<>();
        for (TableInfo.ForeignKey fk : children(source)) {
            for (Planner.Shape shape : shapes) {
                if (fk.refColumns().stream().allMatch(shape.part()::keeps)) {
                    check(fk, source, shape.shadow(), shape.part().alter(), out);
                    break;
                }
            }
        }
        return out;
    }

    /** The part a child constraint re-points to: the first that keeps every referenced column. */
    public static Optional<PartSpec> holder(List<PartSpec> parts, TableInfo.ForeignKey fk) {
        return parts.stream().filter(p -> fk.refColumns().stream().allMatch(p::keeps)).findFirst();
    }

    private static void check(
            TableInfo.ForeignKey fk,
            TableInfo source,
            TableInfo shadow,
            AlterClause alter,
            List<Problem> out) {
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
     * constraint in force all the time. With a {@link Applier#neverWaiting()} applier a child that
     * stays busy is left as it is (each of its ALTERs either happened or not) and named in the
     * result, {@code schema.table}; a later call finishes it.
     *
     * @return the children not (fully) re-pointed yet; empty when every one is done
     */
    public static List<String> repoint(
            Connection c, Applier applier, String schema, String from, String to)
            throws SQLException {
        return repoint(c, applier, schema, from, fk -> to, List.of(to));
    }

    /**
     * A split's swap: every child constraint that references {@code schema.from} goes to the part
     * that keeps the columns it references, under its own name.
     *
     * @return as {@link #repoint(Connection, Applier, String, String, String)}
     */
    public static List<String> repointToParts(
            Connection c, Applier applier, String schema, String from, List<PartSpec> parts)
            throws SQLException {
        return repoint(
                c,
                applier,
                schema,
                from,
                fk -> holder(parts, fk).map(PartSpec::table).orElse(null),
                parts.stream().map(PartSpec::table).toList());
    }

    /**
     * The constraints that still wait for a re-point from {@code from} to one of {@code targets}:
     * those of other tables (and of a live table itself) that reference {@code from}, and those
     * that reference a target under their temporary name. One query of information_schema, so a
     * step can afford to ask every time.
     *
     * @return {@code schema.table} of each table holding one, sorted, without repeats
     */
    public static List<String> waiting(
            Connection c, String schema, String from, List<String> targets) throws SQLException {
        StringBuilder sql =
                new StringBuilder(
                        "SELECT DISTINCT CONCAT(CONSTRAINT_SCHEMA, '.', TABLE_NAME) FROM"
                                + " information_schema.REFERENTIAL_CONSTRAINTS"
                                + " WHERE UNIQUE_CONSTRAINT_SCHEMA = ?"
                                + " AND NOT (CONSTRAINT_SCHEMA = ? AND TABLE_NAME = ?)"
                                + " AND (REFERENCED_TABLE_NAME = ?");
        List<Object> args = new ArrayList<>(List.of(schema, schema, from, from));
        for (String t : targets) {
            sql.append(" OR (REFERENCED_TABLE_NAME = ? AND RIGHT(CONSTRAINT_NAME, ?) = ?)");
            args.addAll(List.of(t, ForeignKeyNames.SUFFIX.length(), ForeignKeyNames.SUFFIX));
        }
        sql.append(") ORDER BY 1");
        List<String> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement(sql.toString())) {
            Sessions.bind(ps, args);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    /**
     * Re-points each child of {@code from} to {@code to.apply(fk)} (null: left as it is), then
     * finishes any re-pointing to one of {@code targets} that a crash (or a busy child)
     * interrupted.
     */
    private static List<String> repoint(
            Connection c,
            Applier applier,
            String schema,
            String from,
            Function<TableInfo.ForeignKey, String> targetOf,
            List<String> targets)
            throws SQLException {
        Inspector inspector = new Inspector(c);
        Set<String> busy = new TreeSet<>();
        // a child left half-way to {@code from} (its temporary name: a busy child, or a crash)
        // first gets its own name back, so its next temporary name is free
        for (TableInfo.ForeignKey fk :
                inspector.table(schema, from).map(ChildForeignKeys::children).orElse(List.of())) {
            String child = fk.schema() + "." + fk.table();
            boolean self = fk.schema().equals(schema) && targets.contains(fk.table());
            if (fk.name().endsWith(ForeignKeyNames.SUFFIX) && !self && !busy.contains(child)) {
                try {
                    ForeignKeyNames.restore(c, applier, fk.schema(), fk.table());
                } catch (Applier.Busy e) {
                    busy.add(child);
                    log.info("{}: renaming {} back waits: {}", child, fk.name(), e.getMessage());
                }
            }
        }
        TableInfo referenced = inspector.table(schema, from).orElse(null);
        // the live table's own self-referencing constraints are SelfForeignKeys' job
        List<TableInfo.ForeignKey> children =
                referenced == null
                        ? List.of()
                        : children(referenced).stream()
                                .filter(
                                        fk ->
                                                targetOf.apply(fk) != null
                                                        && !(fk.schema().equals(schema)
                                                                && fk.table()
                                                                        .equals(
                                                                                targetOf.apply(
                                                                                        fk))))
                                .toList();
        for (TableInfo.ForeignKey fk : children) {
            String child = fk.schema() + "." + fk.table();
            if (busy.contains(child) || fk.name().endsWith(ForeignKeyNames.SUFFIX)) {
                continue; // its next ALTER would meet the same transaction
            }
            String to = targetOf.apply(fk);
            String create = inspector.showCreate(fk.schema(), fk.table());
            Map<String, String> clauses = ForeignKeyNames.clauses(create);
            String clause = clauses.get(fk.name());
            try {
                SessionVariable.with(
                        c,
                        "foreign_key_checks",
                        "0",
                        () -> {
                            applier.ddl(c, repointSql(fk, clause, schema, from, to));
                            return null;
                        });
            } catch (Applier.Busy e) {
                busy.add(child);
                log.info("{}: re-pointing {} waits: {}", child, fk.name(), e.getMessage());
            }
        }
        // the second step, also for a re-pointing that a crash interrupted between the two
        for (String to : targets) {
            TableInfo target = inspector.table(schema, to).orElse(null);
            for (TableInfo.ForeignKey fk :
                    target == null ? List.<TableInfo.ForeignKey>of() : children(target)) {
                String child = fk.schema() + "." + fk.table();
                if (fk.name().endsWith(ForeignKeyNames.SUFFIX) && !busy.contains(child)) {
                    try {
                        ForeignKeyNames.restore(c, applier, fk.schema(), fk.table());
                    } catch (Applier.Busy e) {
                        busy.add(child);
                        log.info(
                                "{}: renaming {} back waits: {}", child, fk.name(), e.getMessage());
                    }
                }
            }
        }
        return List.copyOf(busy);
    }

    /**
     * The first of the two ALTERs that re-point a child constraint: under its temporary name, now
     * referencing {@code schema.to} instead of {@code schema.from}. {@code clause} is the
     * constraint as the child's SHOW CREATE TABLE shows it.
     */
    public static String repointSql(
            TableInfo.ForeignKey fk, String clause, String schema, String from, String to) {
        return "ALTER TABLE "
                + Identifiers.quote(fk.schema(), fk.table())
                + " DROP FOREIGN KEY "
                + Identifiers.quote(fk.name())
                + ", ADD CONSTRAINT "
                + Identifiers.quote(fk.name() + ForeignKeyNames.SUFFIX)
                + repointed(fk, clause, schema, from, to)
                + ", ALGORITHM=INPLACE, LOCK=NONE";
    }

    /** The constraint's clause with its REFERENCES moved from {@code from} to {@code to}. */
    public static String repointed(
            TableInfo.ForeignKey fk, String clause, String schema, String from, String to) {
        Matcher m =
                Pattern.compile(
                                "REFERENCES (`(?:[^`]|``)+`\\.)?`"
                                        + Pattern.quote(from.replace("`", "``"))
                                        + "`")
                        .matcher(clause);
        String target =
                fk.schema().equals(schema) ? Identifiers.quote(to) : Identifiers.quote(schema, to);
        return m.replaceFirst(Matcher.quoteReplacement("REFERENCES " + target));
    }

    /** The tables' constraints that reference it, but for its own (self-referencing) ones. */
    public static List<TableInfo.ForeignKey> childrenOf(TableInfo table) {
        return children(table);
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

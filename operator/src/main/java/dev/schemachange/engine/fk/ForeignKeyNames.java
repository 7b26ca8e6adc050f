package dev.schemachange.engine.fk;

import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps parent foreign keys under their original names across the swap (ORMs look them up by name).
 * Constraint names are unique per schema, so the shadow cannot join the original's schema while the
 * original holds them: the shadow carries temporary names ({@code <name>__osc}) from Preparing
 * until the old table has left the schema, then gets the original names back. Renaming is DROP +
 * ADD in one ALTER with foreign_key_checks=0, which InnoDB does in place, without copying or
 * re-checking rows.
 */
public final class ForeignKeyNames {
    public static final String SUFFIX = "__osc";

    /**
     * The names a reverse-synced old table holds its foreign keys under while it waits (same length
     * as {@link #SUFFIX}, so {@link #MAX_NAME} covers both).
     */
    public static final String OLD_SUFFIX = "__oso";

    public static final int MAX_NAME = Identifiers.MAX_LENGTH - SUFFIX.length();

    private ForeignKeyNames() {}

    /** Gives every foreign key of the table its temporary name. */
    public static void useTemporary(Connection c, Applier applier, String schema, String table)
            throws SQLException {
        rename(c, applier, schema, table, name -> name.endsWith(SUFFIX) ? null : name + SUFFIX);
    }

    /** Gives every foreign key of the table its original name back. */
    public static void restore(Connection c, Applier applier, String schema, String table)
            throws SQLException {
        rename(c, applier, schema, table, name -> name.endsWith(SUFFIX) ? strip(name) : null);
    }

    /**
     * A reverse-synced old table keeps its foreign keys, under {@code <name>__oso}, so the live
     * table can take the names while the constraints stay in force on both: an ON DELETE/UPDATE
     * CASCADE or SET NULL from a parent changes child rows without firing triggers, so reverse sync
     * alone would leave the old table with rows the live one no longer has. Both tables hold the
     * same rows (the Planner refuses reverse sync when their foreign keys differ), so the old
     * table's constraints restrict no write the live one allows.
     */
    public static void keepAside(Connection c, Applier applier, String schema, String table)
            throws SQLException {
        rename(
                c,
                applier,
                schema,
                table,
                name ->
                        name.endsWith(OLD_SUFFIX) || name.endsWith(SUFFIX)
                                ? null
                                : name + OLD_SUFFIX);
    }

    /** After a rollback: the old table, live again, takes its original names back. */
    public static void restoreAside(Connection c, Applier applier, String schema, String table)
            throws SQLException {
        rename(c, applier, schema, table, name -> name.endsWith(OLD_SUFFIX) ? strip(name) : null);
    }

    /** The table's foreign key names that end with {@code suffix}, without it. */
    public static java.util.Set<String> namesWith(TableInfo table, String suffix) {
        return table.foreignKeys().stream()
                .map(TableInfo.ForeignKey::name)
                .filter(n -> n.endsWith(suffix))
                .map(ForeignKeyNames::strip)
                .collect(java.util.stream.Collectors.toSet());
    }

    private static String strip(String name) {
        return name.substring(0, name.length() - SUFFIX.length());
    }

    /**
     * Drops the table's foreign keys (an old table kept for rollback must not constrain the
     * parents).
     */
    public static void dropAll(Connection c, Applier applier, String schema, String table)
            throws SQLException {
        List<TableInfo.ForeignKey> fks =
                new Inspector(c).table(schema, table).map(TableInfo::foreignKeys).orElse(List.of());
        if (!fks.isEmpty()) {
            applier.ddl(
                    c,
                    dropAllSql(
                            schema, table, fks.stream().map(TableInfo.ForeignKey::name).toList()));
        }
    }

    /** What {@link #dropAll} runs for a table with the constraints {@code names}. */
    public static String dropAllSql(String schema, String table, List<String> names) {
        return "ALTER TABLE "
                + Identifiers.quote(schema, table)
                + " "
                + String.join(
                        ", ",
                        names.stream()
                                .map(n -> "DROP FOREIGN KEY " + Identifiers.quote(n))
                                .toList());
    }

    /**
     * Renames each foreign key for which {@code target} gives a new name (null: leave it), all in
     * one in-place ALTER. An index the server generated for a constraint is named after it and is
     * renamed with it (metadata only, no rebuild) and moved after the other keys; renaming them all
     * at once, in the order of their indexes, keeps SHOW CREATE TABLE's key order as it was.
     */
    private static void rename(
            Connection c,
            Applier applier,
            String schema,
            String table,
            java.util.function.UnaryOperator<String> target)
            throws SQLException {
        Optional<TableInfo> info = new Inspector(c).table(schema, table);
        if (info.isEmpty()) {
            return;
        }
        String create = info.get().createSql();
        Map<String, String> clauses = clauses(create);
        List<TableInfo.ForeignKey> renamed =
                info.get().foreignKeys().stream()
                        .filter(fk -> target.apply(fk.name()) != null)
                        .sorted(
                                java.util.Comparator.comparingInt(
                                        fk -> keyPosition(create, fk.name())))
                        .toList();
        if (renamed.isEmpty()) {
            return;
        }
        String sql =
                renameSql(
                        schema,
                        table,
                        renamed.stream().map(TableInfo.ForeignKey::name).toList(),
                        clauses,
                        target);
        SessionVariable.with(
                c,
                "foreign_key_checks",
                "0",
                () -> {
                    applier.ddl(c, sql);
                    return null;
                });
    }

    /**
     * The in-place ALTER that renames the constraints {@code names} (in this order) of a table by
     * {@code target}; {@code clauses} are theirs as SHOW CREATE TABLE shows them.
     */
    static String renameSql(
            String schema,
            String table,
            List<String> names,
            Map<String, String> clauses,
            java.util.function.UnaryOperator<String> target) {
        List<String> drops =
                names.stream().map(n -> "DROP FOREIGN KEY " + Identifiers.quote(n)).toList();
        // each clause exactly as the server shows it, so the definition stays identical but for the
        // name
        List<String> adds =
                names.stream()
                        .map(
                                n ->
                                        "ADD CONSTRAINT "
                                                + Identifiers.quote(target.apply(n))
                                                + clauses.get(n))
                        .toList();
        return "ALTER TABLE "
                + Identifiers.quote(schema, table)
                + " "
                + String.join(", ", drops)
                + ", "
                + String.join(", ", adds)
                + ", ALGORITHM=INPLACE, LOCK=NONE";
    }

    /**
     * The second ALTER of a child constraint's re-pointing ({@code ChildForeignKeys}): its
     * temporary names back to the original ones; {@code clauses}: by temporary name, each as the
     * first ALTER left it.
     */
    public static String restoreSql(
            String schema, String table, List<String> temporary, Map<String, String> clauses) {
        return renameSql(schema, table, temporary, clauses, ForeignKeyNames::strip);
    }

    /**
     * For a plan: the in-place ALTER that renames a table's constraints {@code names} (as {@code
     * createSql} names them, by name as the Inspector lists them, or with {@code keyOrder} in the
     * order of their keys in {@code createSql}, as {@link #rename} finds them where the server's
     * generated indexes were renamed with their constraints) from {@code name + fromSuffix} to
     * {@code name + toSuffix}, their clauses as {@code createSql} shows them; null when there are
     * none.
     */
    public static String plannedRenameSql(
            String schema,
            String table,
            String createSql,
            List<String> names,
            String fromSuffix,
            String toSuffix,
            boolean keyOrder) {
        if (names.isEmpty()) {
            return null;
        }
        Map<String, String> original = clauses(createSql);
        Map<String, String> clauses = new HashMap<>();
        List<String> from =
                names.stream()
                        .sorted(
                                java.util.Comparator.comparingInt(
                                        n -> keyOrder ? keyPosition(createSql, n) : 0))
                        .map(n -> n + fromSuffix)
                        .toList();
        names.forEach(n -> clauses.put(n + fromSuffix, original.get(n)));
        return renameSql(
                schema,
                table,
                from,
                clauses,
                n -> n.substring(0, n.length() - fromSuffix.length()) + toSuffix);
    }

    /** A constraint's temporary name during a re-pointing. */
    public static String temporary(String name) {
        return name + SUFFIX;
    }

    /** Constraint name → its clause, as {@code createSql} (SHOW CREATE TABLE) shows it. */
    public static Map<String, String> clausesOf(String createSql) {
        return clauses(createSql);
    }

    /** Where the index named {@code name} appears in SHOW CREATE TABLE (none: last). */
    private static int keyPosition(String create, String name) {
        int at = create.indexOf("KEY " + Identifiers.quote(name) + " (");
        return at < 0 ? Integer.MAX_VALUE : at;
    }

    /**
     * Constraint name → the rest of its line in SHOW CREATE TABLE (" FOREIGN KEY (...) REFERENCES
     * ...").
     */
    static Map<String, String> clauses(String createSql) {
        Map<String, String> out = new HashMap<>();
        Matcher m = CONSTRAINT.matcher(createSql);
        while (m.find()) {
            out.put(m.group(1).replace("``", "`"), m.group(2));
        }
        return out;
    }

    private static final Pattern CONSTRAINT =
            Pattern.compile(
                    "^\\s*CONSTRAINT `((?:[^`]|``)+)`( FOREIGN KEY .*?),?$", Pattern.MULTILINE);
}

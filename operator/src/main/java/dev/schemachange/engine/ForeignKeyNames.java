package dev.schemachange.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;

/**
 * Keeps parent foreign keys under their original names across the swap (ORMs look them up by name).
 * Constraint names are unique per schema, so the shadow cannot join the original's schema while the original
 * holds them: the shadow carries temporary names ({@code <name>__osc}) from Preparing until the old table has
 * left the schema, then gets the original names back. Renaming is DROP + ADD in one ALTER with
 * foreign_key_checks=0, which InnoDB does in place, without copying or re-checking rows.
 */
final class ForeignKeyNames {
    static final String SUFFIX = "__osc";
    static final int MAX_NAME = Identifiers.MAX_LENGTH - SUFFIX.length();

    private ForeignKeyNames() {
    }

    /** Gives every foreign key of the table its temporary name. */
    static void useTemporary(Connection c, Applier applier, String schema, String table) throws SQLException {
        rename(c, applier, schema, table, false);
    }

    /** Gives every foreign key of the table its original name back. */
    static void restore(Connection c, Applier applier, String schema, String table) throws SQLException {
        rename(c, applier, schema, table, true);
    }

    /** Drops the table's foreign keys (an old table kept for rollback must not constrain the parents). */
    static void dropAll(Connection c, Applier applier, String schema, String table) throws SQLException {
        List<TableInfo.ForeignKey> fks = new Inspector(c).table(schema, table).map(TableInfo::foreignKeys)
                .orElse(List.of());
        if (!fks.isEmpty()) {
            applier.ddl(c, "ALTER TABLE " + Identifiers.quote(schema, table) + " " + String.join(", ",
                    fks.stream().map(fk -> "DROP FOREIGN KEY " + Identifiers.quote(fk.name())).toList()));
        }
    }

    private static void rename(Connection c, Applier applier, String schema, String table, boolean back)
            throws SQLException {
        Optional<TableInfo> info = new Inspector(c).table(schema, table);
        if (info.isEmpty()) {
            return;
        }
        Map<String, String> clauses = clauses(info.get().createSql());
        for (TableInfo.ForeignKey fk : info.get().foreignKeys()) {
            boolean temporary = fk.name().endsWith(SUFFIX);
            if (temporary == back) {
                String name = back ? fk.name().substring(0, fk.name().length() - SUFFIX.length()) : fk.name() + SUFFIX;
                // the clause exactly as the server shows it, so the definition stays identical but for the name
                String clause = "CONSTRAINT " + Identifiers.quote(name) + clauses.get(fk.name());
                Sessions.exec(c, "SET SESSION foreign_key_checks = 0");
                try {
                    applier.ddl(c, "ALTER TABLE " + Identifiers.quote(schema, table) + " DROP FOREIGN KEY "
                            + Identifiers.quote(fk.name()) + ", ADD " + clause + ", ALGORITHM=INPLACE, LOCK=NONE");
                } finally {
                    Sessions.exec(c, "SET SESSION foreign_key_checks = 1");
                }
            }
        }
    }

    /** Constraint name → the rest of its line in SHOW CREATE TABLE (" FOREIGN KEY (...) REFERENCES ..."). */
    static Map<String, String> clauses(String createSql) {
        Map<String, String> out = new HashMap<>();
        Matcher m = CONSTRAINT.matcher(createSql);
        while (m.find()) {
            out.put(m.group(1).replace("``", "`"), m.group(2));
        }
        return out;
    }

    private static final Pattern CONSTRAINT = Pattern.compile(
            "^\\s*CONSTRAINT `((?:[^`]|``)+)`( FOREIGN KEY .*?),?$", Pattern.MULTILINE);
}

package dev.schemachange.engine.fk;

import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A self-referencing foreign key (e.g. {@code parent_id REFERENCES t(id)}). The shadow's copy of it
 * references the original table (the shadow is built in the work schema, where the name would
 * otherwise mean itself), so during the copy every parent is checked, and every cascade from a
 * parent row reaches the shadow, exactly as for the original's own rows. InnoDB constraints follow
 * a RENAME, so right after the swap the live table's constraint references the old table; while it
 * does, the old table is kept equal by reverse sync and a cascade from it reaches the live table,
 * so nothing is missed. This re-points it at the live table itself. The old table first moves its
 * own constraints to their aside names ({@link ForeignKeyNames#keepAside}), so the live one can
 * take the original name in the same in-place ALTER (foreign_key_checks=0, no copy, no re-check): a
 * constraint is in force all the time.
 */
public final class SelfForeignKeys {
    private SelfForeignKeys() {}

    /**
     * Re-points the live table's constraints that reference {@code old} at the live table itself;
     * safe to repeat.
     */
    public static void repoint(
            Connection c, Applier applier, String schema, String old, String live)
            throws SQLException {
        Inspector inspector = new Inspector(c);
        TableInfo table = inspector.table(schema, live).orElse(null);
        if (table == null) {
            return;
        }
        List<TableInfo.ForeignKey> toOld =
                table.foreignKeys().stream()
                        .filter(fk -> fk.refSchema().equals(schema) && fk.refTable().equals(old))
                        .toList();
        if (toOld.isEmpty()) {
            return;
        }
        ForeignKeyNames.keepAside(c, applier, schema, old);
        Map<String, String> clauses = ForeignKeyNames.clauses(table.createSql());
        for (TableInfo.ForeignKey fk : toOld) {
            String name =
                    fk.name().endsWith(ForeignKeyNames.SUFFIX)
                            ? fk.name()
                                    .substring(
                                            0, fk.name().length() - ForeignKeyNames.SUFFIX.length())
                            : fk.name();
            Matcher m =
                    Pattern.compile(
                                    "REFERENCES (`(?:[^`]|``)+`\\.)?`"
                                            + Pattern.quote(old.replace("`", "``"))
                                            + "`")
                            .matcher(clauses.get(fk.name()));
            String clause =
                    m.replaceFirst(
                            Matcher.quoteReplacement("REFERENCES " + Identifiers.quote(live)));
            SessionVariable.with(
                    c,
                    "foreign_key_checks",
                    "0",
                    () -> {
                        applier.ddl(
                                c,
                                "ALTER TABLE "
                                        + Identifiers.quote(schema, live)
                                        + " DROP FOREIGN KEY "
                                        + Identifiers.quote(fk.name())
                                        + ", ADD CONSTRAINT "
                                        + Identifiers.quote(name)
                                        + clause
                                        + ", ALGORITHM=INPLACE, LOCK=NONE");
                        return null;
                    });
        }
    }
}

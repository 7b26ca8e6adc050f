package dev.schemachange.engine;

import java.util.List;
import java.util.stream.Collectors;

import dev.schemachange.mysql.Identifiers;

/**
 * The forward triggers that keep the shadow equal to the original while the change runs.
 *
 * <p>No REPLACE: REPLACE deletes every row that collides on any unique key, so a late write colliding on a
 * unique key the ALTER adds would silently delete another row (pt-osc's row loss). Instead a row is written with
 * INSERT IGNORE after deleting its own key; when the shadow then does not hold exactly that row (a collision on
 * another unique key, or a value the new type cannot hold), it is recorded in the conflicts table, which fails
 * the change before the swap. The application's write itself never fails.
 */
final class TriggerSql {
    private final Plan plan;
    private final KeySql key;
    private final String conflicts;

    TriggerSql(Plan plan, String conflictsTable) {
        this.plan = plan;
        this.key = new KeySql(plan.key());
        this.conflicts = conflictsTable;
    }

    /** CREATE TRIGGER statements writing to the shadow at {@code targetSchema.targetTable}. */
    List<String> create(String targetSchema, String targetTable) {
        String target = Identifiers.quote(targetSchema, targetTable);
        return List.of(
                header(plan.names().deleteTrigger(), "DELETE") + deleteRow(target, "OLD"),
                header(plan.names().updateTrigger(), "UPDATE") + upsert(target, "OLD", "update"),
                header(plan.names().insertTrigger(), "INSERT") + upsert(target, "NEW", "insert"));
    }

    /**
     * Delete the row's previous key, insert its new version, then check that the shadow now holds exactly it.
     * ROW_COUNT() cannot tell: inside MariaDB triggers it reports stale counts.
     */
    private String upsert(String target, String previous, String event) {
        return "BEGIN " + deleteRow(target, previous) + "; " + insert(target) + "; IF NOT EXISTS (SELECT 1 FROM "
                + target + " WHERE " + key.matchRow(target, "NEW") + " AND " + sameAsNew(target) + ") THEN "
                + recordConflict(event) + "; END IF; END";
    }

    private String deleteRow(String target, String row) {
        return "DELETE FROM " + target + " WHERE " + key.matchRow(target, row);
    }

    List<String> drop() {
        return plan.names().forwardTriggers().stream()
                .map(n -> "DROP TRIGGER IF EXISTS " + Identifiers.quote(plan.schema(), n)).toList();
    }

    private String header(String name, String event) {
        return "CREATE TRIGGER " + Identifiers.quote(plan.schema(), name) + " AFTER " + event + " ON "
                + Identifiers.quote(plan.schema(), plan.table()) + " FOR EACH ROW ";
    }

    private String insert(String target) {
        String cols = plan.columns().stream().map(c -> Identifiers.quote(c.shadow())).collect(Collectors.joining(", "));
        String vals = plan.columns().stream().map(c -> "NEW." + Identifiers.quote(c.source()))
                .collect(Collectors.joining(", "));
        return "INSERT IGNORE INTO " + target + " (" + cols + ") VALUES (" + vals + ")";
    }

    private String sameAsNew(String target) {
        return plan.columns().stream()
                .map(c -> Values.same("NEW." + Identifiers.quote(c.source()), target + "." + Identifiers.quote(c.shadow()),
                        c.text()))
                .collect(Collectors.joining(" AND "));
    }

    private String recordConflict(String event) {
        String keyText = plan.key().stream().map(k -> "NEW." + Identifiers.quote(k.source()))
                .collect(Collectors.joining(", "));
        return "INSERT INTO " + conflicts + " (table_schema, table_name, event, detail, at) VALUES ("
                + Identifiers.literal(plan.schema()) + ", " + Identifiers.literal(plan.table()) + ", '" + event
                + "', LEFT(CONCAT_WS(', ', " + keyText + "), 500), NOW(6))";
    }
}

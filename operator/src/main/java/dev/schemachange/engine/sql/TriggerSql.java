package dev.schemachange.engine.sql;

import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The forward triggers that keep the shadow equal to the original while the change runs.
 *
 * <p>No REPLACE: REPLACE deletes every row that collides on any unique key, so a late write
 * colliding on a unique key the ALTER adds would silently delete another row (pt-osc's row loss).
 * Instead a row is written with INSERT IGNORE after deleting its own key; when the shadow then does
 * not hold exactly that row (a collision on another unique key, or a value the new type cannot
 * hold), it is recorded in the conflicts table, which fails the change before the swap. The
 * application's write itself never fails.
 */
public final class TriggerSql {
    private final Plan plan;
    private final String conflicts;

    /** The backfill's mark the forward triggers consult, or null: they mirror every write. */
    private final Watermark watermark;

    public TriggerSql(Plan plan, String conflictsTable) {
        this(plan, conflictsTable, null);
    }

    public TriggerSql(Plan plan, String conflictsTable, Watermark watermark) {
        this.plan = plan;
        this.conflicts = conflictsTable;
        this.watermark = watermark;
    }

    /**
     * Forward and reverse triggers must not feed each other: a trigger's write fires the target's
     * triggers. Each marks its writes with {@code NOW(6)}, which is constant within a statement,
     * nested triggers included, and skips when the other side marked the statement it runs in. The
     * engine's own sessions (copier, repair) carry {@code @osc_copier}, so the reverse triggers
     * ignore them too. A skipped statement may name a table that does not exist (the forward target
     * after the swap, the reverse target before it).
     */
    private static final String FORWARD_GUARD =
            "IF @osc_rev IS NULL OR @osc_rev <> NOW(6) THEN SET @osc_fwd = NOW(6); ";

    private static final String REVERSE_GUARD =
            "IF (@osc_fwd IS NULL OR @osc_fwd <> NOW(6)) AND @osc_copier IS NULL "
                    + "THEN SET @osc_rev = NOW(6); ";

    /**
     * The forward triggers: on the original, writing every row to each part's shadow. With a {@link
     * Watermark}, a key between the mark and the end of the copy range is journaled instead of
     * mirrored; an UPDATE decides for its old key (the delete) and its new key (the insert)
     * separately.
     */
    public List<String> create() {
        return List.of(
                header(plan.names().deleteTrigger(), "DELETE", plan.table())
                        + forward(mirrorOrJournal("OLD", p -> deleteRow(p, "OLD"))),
                header(plan.names().updateTrigger(), "UPDATE", plan.table())
                        + forward(
                                mirrorOrJournal("OLD", p -> deleteRow(p, "OLD"))
                                        + mirrorOrJournal("NEW", p -> insertChecked(p, "update"))),
                header(plan.names().insertTrigger(), "INSERT", plan.table())
                        + forward(
                                mirrorOrJournal(
                                        "NEW",
                                        p ->
                                                deleteRow(p, "NEW")
                                                        + "; "
                                                        + insertChecked(p, "insert"))));
    }

    private String forward(String body) {
        return "BEGIN " + FORWARD_GUARD + body + "END IF; END";
    }

    private String mirrorOrJournal(String row, Function<Plan.Part, String> mirror) {
        String mirrored =
                plan.parts().stream()
                        .map(p -> mirror.apply(p) + "; ")
                        .collect(Collectors.joining());
        if (watermark == null) {
            return mirrored;
        }
        return "IF "
                + watermark.journaled(row)
                + " = 1 THEN "
                + watermark.record(row)
                + "; ELSE "
                + mirrored
                + "END IF; ";
    }

    /**
     * The reverse triggers: on the shadow, writing back to the old table once the swap has made the
     * shadow live and the original {@code <table>__osc_old}. Values map back through the column
     * mapping; an UPDATE keeps the old table's values of columns the new table dropped; inserts use
     * IGNORE, because an application write must never fail here (the plan checked that the mapping
     * is lossless, see {@link Plan#irreversible()}). The UPDATE does not: while children still
     * reference the old table (right after the swap, right before a rollback's RENAME), a key
     * change their RESTRICT refuses must fail the application's statement, as the original table
     * would have; ignored, it left the old table behind and the re-pointed children orphaned.
     */
    public List<String> createReverse() {
        if (plan.split()) {
            return plan.parts().stream().flatMap(p -> createReverse(p).stream()).toList();
        }
        Plan.Part part = plan.parts().get(0);
        KeySql key = new KeySql(part.key());
        String old = Identifiers.quote(plan.schema(), plan.names().oldTable());
        List<String> names = plan.names().reverseTriggers();
        String oldRow = "SELECT 1 FROM " + old + " WHERE " + key.matchOld(old, "OLD");
        return List.of(
                header(names.get(0), "INSERT", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + "DELETE FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "NEW")
                        + "; "
                        + insertBack(part, old)
                        + "; END IF; END",
                header(names.get(1), "UPDATE", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + "IF EXISTS ("
                        + oldRow
                        + ") THEN UPDATE "
                        + old
                        + " SET "
                        + assignBack(part, old)
                        + " WHERE "
                        + key.matchOld(old, "OLD")
                        + "; ELSE "
                        + insertBack(part, old)
                        + "; END IF; END IF; END",
                header(names.get(2), "DELETE", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + "DELETE FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "OLD")
                        + "; END IF; END");
    }

    /**
     * A split part's reverse triggers: the old table's row is the union of the parts' rows with its
     * key, so each part upserts only its own columns there (found by the row's previous key, or by
     * its new one when another part already moved the key), and a delete removes the old row only
     * once no part holds the key. A new row starts with the defaults of the columns other parts
     * hold, until those parts' rows arrive.
     */
    private List<String> createReverse(Plan.Part part) {
        KeySql key = new KeySql(part.key());
        String old = Identifiers.quote(plan.schema(), plan.names().oldTable());
        List<String> names = part.reverseTriggers();
        String set = " SET " + assignBack(part, old) + " WHERE ";
        String upsertNew =
                "IF EXISTS (SELECT 1 FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "NEW")
                        + ") THEN "
                        + "UPDATE IGNORE "
                        + old
                        + set
                        + key.matchOld(old, "NEW")
                        + "; ELSE "
                        + insertBack(part, old)
                        + "; END IF";
        String othersGone =
                plan.parts().stream()
                        .filter(q -> q != part)
                        .map(
                                q ->
                                        "NOT EXISTS (SELECT 1 FROM "
                                                + q.liveTable()
                                                + " q WHERE "
                                                + sameKey(q, part)
                                                + ")")
                        .collect(Collectors.joining(" AND "));
        return List.of(
                header(names.get(0), "INSERT", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + upsertNew
                        + "; END IF; END",
                header(names.get(1), "UPDATE", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + "IF EXISTS (SELECT 1 FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "OLD")
                        + ") THEN "
                        + "UPDATE IGNORE "
                        + old
                        + set
                        + key.matchOld(old, "OLD")
                        + "; ELSE "
                        + upsertNew
                        + "; END IF; END IF; END",
                header(names.get(2), "DELETE", part.shadow())
                        + "BEGIN "
                        + REVERSE_GUARD
                        + "IF "
                        + othersGone
                        + " THEN DELETE FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "OLD")
                        + "; END IF; END IF; END");
    }

    /** Part {@code q}'s row (alias q) has the key of the OLD row of {@code part}. */
    private static String sameKey(Plan.Part q, Plan.Part part) {
        List<String> terms = new java.util.ArrayList<>();
        for (int i = 0; i < q.key().size(); i++) {
            terms.add(
                    "q."
                            + Identifiers.quote(q.key().get(i).shadow())
                            + " = OLD."
                            + Identifiers.quote(part.key().get(i).shadow()));
        }
        return String.join(" AND ", terms);
    }

    /**
     * Insert the row's new version (its previous key is deleted first), then check that the shadow
     * now holds exactly it. ROW_COUNT() cannot tell: inside MariaDB triggers it reports stale
     * counts.
     */
    private String insertChecked(Plan.Part part, String event) {
        String target = part.shadowTable();
        return insert(part)
                + "; IF NOT EXISTS (SELECT 1 FROM "
                + target
                + " WHERE "
                + new KeySql(part.key()).matchRow(target, "NEW")
                + " AND "
                + sameAsNew(part)
                + ") THEN "
                + recordConflict(event)
                + "; END IF";
    }

    private static String deleteRow(Plan.Part part, String row) {
        return "DELETE FROM "
                + part.shadowTable()
                + " WHERE "
                + new KeySql(part.key()).matchRow(part.shadowTable(), row);
    }

    public List<String> drop() {
        return dropAll(plan.names().forwardTriggers());
    }

    public List<String> dropReverse() {
        return dropAll(plan.parts().stream().flatMap(p -> p.reverseTriggers().stream()).toList());
    }

    private List<String> dropAll(List<String> names) {
        return names.stream()
                .map(n -> "DROP TRIGGER IF EXISTS " + Identifiers.quote(plan.schema(), n))
                .toList();
    }

    private String header(String name, String event, String table) {
        return "CREATE TRIGGER "
                + Identifiers.quote(plan.schema(), name)
                + " AFTER "
                + event
                + " ON "
                + Identifiers.quote(plan.schema(), table)
                + " FOR EACH ROW ";
    }

    private static String insertBack(Plan.Part part, String old) {
        return insertNew(part, old, Plan.ColumnPair::source, Plan.ColumnPair::shadow);
    }

    private static String assignBack(Plan.Part part, String old) {
        return part.columns().stream()
                .map(
                        c ->
                                old
                                        + "."
                                        + Identifiers.quote(c.source())
                                        + " = NEW."
                                        + Identifiers.quote(c.shadow()))
                .collect(Collectors.joining(", "));
    }

    private static String insert(Plan.Part part) {
        return insertNew(
                part, part.shadowTable(), Plan.ColumnPair::shadow, Plan.ColumnPair::source);
    }

    /**
     * INSERT IGNORE of the NEW row into {@code target}, naming each of the part's columns on both
     * sides.
     */
    private static String insertNew(
            Plan.Part part,
            String target,
            Function<Plan.ColumnPair, String> into,
            Function<Plan.ColumnPair, String> from) {
        String cols =
                part.columns().stream()
                        .map(c -> Identifiers.quote(into.apply(c)))
                        .collect(Collectors.joining(", "));
        String vals =
                part.columns().stream()
                        .map(c -> "NEW." + Identifiers.quote(from.apply(c)))
                        .collect(Collectors.joining(", "));
        return "INSERT IGNORE INTO " + target + " (" + cols + ") VALUES (" + vals + ")";
    }

    private static String sameAsNew(Plan.Part part) {
        String target = part.shadowTable();
        return part.columns().stream()
                .map(
                        c ->
                                Values.same(
                                        "NEW." + Identifiers.quote(c.source()),
                                        target + "." + Identifiers.quote(c.shadow()),
                                        c.text()))
                .collect(Collectors.joining(" AND "));
    }

    private String recordConflict(String event) {
        String keyText =
                plan.key().stream()
                        .map(k -> "NEW." + Identifiers.quote(k.source()))
                        .collect(Collectors.joining(", "));
        return "INSERT INTO "
                + conflicts
                + " (table_schema, table_name, event, detail, at) VALUES ("
                + Identifiers.literal(plan.schema())
                + ", "
                + Identifiers.literal(plan.table())
                + ", '"
                + event
                + "', LEFT(CONCAT_WS(', ', "
                + keyText
                + "), 500), NOW(6))";
    }
}

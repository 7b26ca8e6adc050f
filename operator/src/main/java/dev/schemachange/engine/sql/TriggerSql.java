package dev.schemachange.engine.sql;

import dev.schemachange.engine.copy.Watermark;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The triggers that keep the shadow equal to the original while the change runs (forward), and the
 * old table equal to the new one after the swap (reverse).
 *
 * <p>No REPLACE: REPLACE deletes every row that collides on any unique key, so a late write
 * colliding on a unique key the ALTER adds would silently delete another row (pt-osc's row loss).
 * Instead a row is written with INSERT IGNORE; when the shadow then does not hold exactly that row
 * (a collision on another unique key, or a value the new type cannot hold), it is recorded in the
 * conflicts table, which fails the change before the swap. The application's write itself never
 * fails.
 *
 * <p>Locks (docs/how-it-works.md, "What the triggers lock"): a trigger runs in the application's
 * transaction, at its isolation level, and every read in its body is a locking read. So each
 * statement on the common path is an insert of a key that is not there, or a lookup by the whole
 * unique key of a row that is there: InnoDB then takes record locks only, and insert-intention
 * locks that no gap lock of ours blocks. A lookup that finds nothing would gap-lock under
 * REPEATABLE READ (on the supremum, for appends at the end), and two appenders would deadlock on
 * each other's gap; so a write is tried first and a missing or stale row is handled only when the
 * write did not land.
 */
public final class TriggerSql {
    /**
     * The work schema's table of rows written after the swap that do not fit the old table (see
     * {@code Workspace}).
     */
    public static final String UNFIT = "schemachange_unfit";

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
     * mirrored; an UPDATE that changes the key decides for its old key (the delete) and its new key
     * (the insert) separately.
     */
    public List<String> create() {
        String keyKept =
                plan.key().stream()
                        .map(
                                k ->
                                        "NEW."
                                                + Identifiers.quote(k.source())
                                                + " = OLD."
                                                + Identifiers.quote(k.source()))
                        .collect(Collectors.joining(" AND "));
        return List.of(
                header(plan.names().deleteTrigger(), "DELETE", plan.table())
                        + forward(mirrorOrJournal("OLD", p -> deleteRow(p, "OLD"))),
                header(plan.names().updateTrigger(), "UPDATE", plan.table())
                        + forward(
                                "IF "
                                        + keyKept
                                        + " THEN "
                                        + mirrorOrJournal("NEW", p -> updateChecked(p))
                                        + "ELSE "
                                        + mirrorOrJournal("OLD", p -> deleteRow(p, "OLD"))
                                        + mirrorOrJournal("NEW", p -> insertChecked(p, "update"))
                                        + "END IF; "),
                header(plan.names().insertTrigger(), "INSERT", plan.table())
                        + forward(mirrorOrJournal("NEW", p -> insertChecked(p, "insert"))));
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
     * A new key: inserted, then checked. ROW_COUNT() cannot tell whether the insert landed: inside
     * MariaDB triggers it reports stale counts.
     */
    private String insertChecked(Plan.Part part, String event) {
        return insert(part) + "; " + rewriteUnlessHeld(part, event);
    }

    /**
     * The same key: updated in place, which touches a secondary index only where its value changed
     * (a delete and insert would lock the delete-marked entry of every unique index, gap included).
     */
    private String updateChecked(Plan.Part part) {
        String target = part.shadowTable();
        return "UPDATE IGNORE "
                + target
                + " SET "
                + assignments(part, target, Plan.ColumnPair::shadow, Plan.ColumnPair::source)
                + " WHERE "
                + new KeySql(part.key()).matchRow(target, "NEW")
                + "; "
                + rewriteUnlessHeld(part, "update");
    }

    /**
     * When the write did not land — a stale row under the key that the journal has not re-copied
     * yet, a row missing for the same reason, or a collision on another unique key — the key's row
     * is deleted and the row inserted once more; a row still not exactly NEW is a conflict.
     */
    private String rewriteUnlessHeld(Plan.Part part, String event) {
        return "IF NOT "
                + holdsNew(part)
                + " THEN "
                + deleteRow(part, "NEW")
                + "; "
                + insert(part)
                + "; IF NOT "
                + holdsNew(part)
                + " THEN "
                + recordConflict(event)
                + "; END IF; END IF";
    }

    /** Whether the part's shadow holds exactly the NEW row, looked up by its whole key. */
    private static String holdsNew(Plan.Part part) {
        String target = part.shadowTable();
        return holds(
                part,
                target,
                new KeySql(part.key()).matchRow(target, "NEW"),
                Plan.ColumnPair::shadow,
                Plan.ColumnPair::source);
    }

    private static String deleteRow(Plan.Part part, String row) {
        return "DELETE FROM "
                + part.shadowTable()
                + " WHERE "
                + new KeySql(part.key()).matchRow(part.shadowTable(), row);
    }

    /**
     * The reverse triggers: on the shadow, writing back to the old table once the swap has made the
     * shadow live and the original {@code <table>__osc_old}. Values map back through the column
     * mapping; an UPDATE keeps the old table's values of columns the new table dropped. Inserts use
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
        String old = oldTable();
        List<String> names = plan.names().reverseTriggers();
        String insert =
                insertBack(part, old)
                        + "; IF NOT "
                        + oldHoldsNew(part, old)
                        + " THEN DELETE FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "NEW")
                        + "; "
                        + insertBack(part, old)
                        + "; END IF";
        String updateOld =
                "UPDATE "
                        + old
                        + " SET "
                        + assignBack(part, old)
                        + " WHERE "
                        + key.matchOld(old, "OLD");
        String update =
                ifKeyFits(part, "OLD", updateOld)
                        + "; IF NOT EXISTS (SELECT 1 FROM "
                        + old
                        + " WHERE "
                        + key.matchOld(old, "NEW")
                        + ") THEN "
                        + insertBack(part, old)
                        + "; END IF";
        String deleteOld = "DELETE FROM " + old + " WHERE " + key.matchOld(old, "OLD");
        if (part.columns().stream().anyMatch(c -> c.widened() != null)) {
            insert =
                    "IF "
                            + fits(part)
                            + " THEN "
                            + insert
                            + "; ELSE "
                            + recordUnfit(part, "insert")
                            + "; END IF";
            update =
                    "IF "
                            + fits(part)
                            + " THEN "
                            + update
                            + "; ELSE "
                            + ifKeyFits(part, "OLD", deleteOld)
                            + "; "
                            + recordUnfit(part, "update")
                            + "; END IF";
        }
        return List.of(
                reverse(names.get(0), "INSERT", part, insert),
                reverse(names.get(1), "UPDATE", part, update),
                reverse(names.get(2), "DELETE", part, ifKeyFits(part, "OLD", deleteOld)));
    }

    /**
     * Whether every widened column of the NEW row fits the old column exactly: only such a row is
     * written back (a clipped or refused value would be a wrong row, or the application's error).
     */
    private static String fits(Plan.Part part) {
        return part.columns().stream()
                .filter(c -> c.widened() != null)
                .map(c -> c.widened().fits("NEW." + Identifiers.quote(c.shadow())))
                .collect(Collectors.joining(" AND "));
    }

    /**
     * {@code statement} guarded by "the key of {@code row} fits the old table's key columns", when
     * the key is widened: a key past the old range has no row there to update or delete, and is
     * never compared with the old columns.
     */
    private static String ifKeyFits(Plan.Part part, String row, String statement) {
        String keyFits =
                part.columns().stream()
                        .filter(c -> c.widened() != null)
                        .filter(
                                c ->
                                        part.key().stream()
                                                .anyMatch(k -> k.shadow().equals(c.shadow())))
                        .map(c -> c.widened().fits(row + "." + Identifiers.quote(c.shadow())))
                        .collect(Collectors.joining(" AND "));
        return keyFits.isEmpty() ? statement : "IF " + keyFits + " THEN " + statement + "; END IF";
    }

    /**
     * Records a NEW row that does not fit the old table (its key, the old names of the columns that
     * do not fit, the time): the row is not written back, the old table lacks it, and a rollback
     * needs consent from now on. The application's statement goes on.
     */
    private String recordUnfit(Plan.Part part, String event) {
        String keyText =
                plan.key().stream()
                        .map(k -> "NEW." + Identifiers.quote(k.shadow()))
                        .collect(Collectors.joining(", "));
        String columns =
                part.columns().stream()
                        .filter(c -> c.widened() != null)
                        .map(
                                c ->
                                        "IF("
                                                + c.widened()
                                                        .fits(
                                                                "NEW."
                                                                        + Identifiers.quote(
                                                                                c.shadow()))
                                                + ", NULL, "
                                                + Identifiers.literal(c.source())
                                                + ")")
                        .collect(Collectors.joining(", "));
        return "INSERT INTO "
                + Identifiers.quote(plan.workSchema(), UNFIT)
                + " (table_schema, table_name, event, row_key, columns, at) VALUES ("
                + Identifiers.literal(plan.schema())
                + ", "
                + Identifiers.literal(plan.table())
                + ", '"
                + event
                + "', LEFT(CONCAT_WS(', ', "
                + keyText
                + "), 500), LEFT(CONCAT_WS(', ', "
                + columns
                + "), 500), NOW(6))";
    }

    /**
     * A split part's reverse triggers: the old table's row is the union of the parts' rows with its
     * key, so each part upserts only its own columns there, and a delete removes the old row only
     * once no part holds the key. A new row starts with the defaults of the columns other parts
     * hold, until those parts' rows arrive. The upsert is one INSERT … ON DUPLICATE KEY UPDATE: the
     * row is usually there already (another part's trigger made it in the same transaction), and
     * INSERT IGNORE would hand the application a duplicate-key warning for it; each assignment
     * applies only to the row with this key, never to one that collided on another unique key.
     */
    private List<String> createReverse(Plan.Part part) {
        KeySql key = new KeySql(part.key());
        String old = oldTable();
        List<String> names = part.reverseTriggers();
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
                reverse(names.get(0), "INSERT", part, upsertBack(part, old)),
                reverse(
                        names.get(1),
                        "UPDATE",
                        part,
                        "BEGIN "
                                + IGNORE_DUPLICATE
                                + "UPDATE "
                                + old
                                + " SET "
                                + assignBack(part, old)
                                + " WHERE "
                                + key.matchOld(old, "OLD")
                                + "; END; IF NOT "
                                + oldHoldsNew(part, old)
                                + " THEN "
                                + upsertBack(part, old)
                                + "; END IF"),
                reverse(
                        names.get(2),
                        "DELETE",
                        part,
                        "IF "
                                + othersGone
                                + " THEN DELETE FROM "
                                + old
                                + " WHERE "
                                + key.matchOld(old, "OLD")
                                + "; END IF"));
    }

    /**
     * A split part's reverse UPDATE may meet a duplicate key in the old table that the part does
     * not have (another part's row already took the new key there); the upsert that follows puts
     * the row right. Only that error is passed over: UPDATE IGNORE also turned a child's RESTRICT
     * into a warning — while children still reference the old table (right after the swap, right
     * before a rollback's RENAME) the key change then reached the live part but not the old table,
     * leaving a stale row there and the children pointing at a key the live part no longer has. Now
     * the application's statement fails, as it would have on the original table.
     */
    private static final String IGNORE_DUPLICATE = "DECLARE CONTINUE HANDLER FOR 1062 BEGIN END; ";

    private String reverse(String name, String event, Plan.Part part, String body) {
        return header(name, event, part.shadow())
                + "BEGIN "
                + REVERSE_GUARD
                + body
                + "; END IF; END";
    }

    private String oldTable() {
        return Identifiers.quote(plan.schema(), plan.names().oldTable());
    }

    /** Part {@code q}'s row (alias q) has the key of the OLD row of {@code part}. */
    private static String sameKey(Plan.Part q, Plan.Part part) {
        List<String> terms = new ArrayList<>();
        for (int i = 0; i < q.key().size(); i++) {
            terms.add(
                    "q."
                            + Identifiers.quote(q.key().get(i).shadow())
                            + " = OLD."
                            + Identifiers.quote(part.key().get(i).shadow()));
        }
        return String.join(" AND ", terms);
    }

    /** Whether the old table holds the part's columns of the NEW row, looked up by its key. */
    private static String oldHoldsNew(Plan.Part part, String old) {
        return holds(
                part,
                old,
                new KeySql(part.key()).matchOld(old, "NEW"),
                Plan.ColumnPair::source,
                Plan.ColumnPair::shadow);
    }

    /**
     * INSERT … ON DUPLICATE KEY UPDATE of the part's columns; IGNORE keeps a collision of the
     * update on another unique key from failing the application's statement.
     */
    private static String upsertBack(Plan.Part part, String old) {
        KeySql key = new KeySql(part.key());
        List<Plan.ColumnPair> values =
                part.columns().stream()
                        .filter(
                                c ->
                                        part.key().stream()
                                                .noneMatch(k -> k.shadow().equals(c.shadow())))
                        .toList();
        String thisRow = key.matchOld(old, "NEW");
        String assignments =
                values.isEmpty()
                        ? Identifiers.quote(part.key().get(0).source())
                                + " = "
                                + Identifiers.quote(part.key().get(0).source())
                        : values.stream()
                                .map(
                                        c ->
                                                old
                                                        + "."
                                                        + Identifiers.quote(c.source())
                                                        + " = IF("
                                                        + thisRow
                                                        + ", NEW."
                                                        + Identifiers.quote(c.shadow())
                                                        + ", "
                                                        + old
                                                        + "."
                                                        + Identifiers.quote(c.source())
                                                        + ")")
                                .collect(Collectors.joining(", "));
        return insertBack(part, old) + " ON DUPLICATE KEY UPDATE " + assignments;
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
        return assignments(part, old, Plan.ColumnPair::source, Plan.ColumnPair::shadow);
    }

    /** {@code target.into = NEW.from} for each of the part's columns. */
    private static String assignments(
            Plan.Part part,
            String target,
            Function<Plan.ColumnPair, String> into,
            Function<Plan.ColumnPair, String> from) {
        return part.columns().stream()
                .map(
                        c ->
                                target
                                        + "."
                                        + Identifiers.quote(into.apply(c))
                                        + " = NEW."
                                        + Identifiers.quote(from.apply(c)))
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

    /**
     * Whether {@code target} has a row matching {@code key} whose every column of the part ({@code
     * into} names it there) equals the NEW row's ({@code from} names it in NEW).
     */
    private static String holds(
            Plan.Part part,
            String target,
            String key,
            Function<Plan.ColumnPair, String> into,
            Function<Plan.ColumnPair, String> from) {
        String same =
                part.columns().stream()
                        .map(
                                c ->
                                        Values.same(
                                                "NEW." + Identifiers.quote(from.apply(c)),
                                                target + "." + Identifiers.quote(into.apply(c)),
                                                c.text()))
                        .collect(Collectors.joining(" AND "));
        return "EXISTS (SELECT 1 FROM " + target + " WHERE " + key + " AND " + same + ")";
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

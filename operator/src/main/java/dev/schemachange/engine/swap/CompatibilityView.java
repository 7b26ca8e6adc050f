package dev.schemachange.engine.swap;

import dev.schemachange.api.Problem;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.Refused;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The read-only view a split may leave under the original's name, joining the parts on the key, for
 * readers not yet moved to the parts. It must take that name inside the swap's RENAME (a moment
 * without it would fail those readers), so it is made beforehand as {@code <table>__osc_viw}. A
 * view can only be created over tables that exist, and the parts get their final names in that same
 * RENAME: empty placeholder tables, marked by their comment, stand in for them while the view is
 * created.
 */
public final class CompatibilityView {
    static final String PLACEHOLDER = "schemachange placeholder for a view definition";
    private final Plan plan;
    private final CrashPoints crash;

    CompatibilityView(Plan plan, CrashPoints crash) {
        this.plan = plan;
        this.crash = crash;
    }

    String quoted() {
        return Identifiers.quote(plan.schema(), Identifiers.fit(plan.table(), "__osc_viw"));
    }

    /** Creates the view under its own name; safe to repeat after a crash at any line. */
    void prepare(Connection c) throws SQLException {
        List<String> placeholders = new ArrayList<>();
        for (Plan.Part part : plan.parts()) {
            dropPlaceholder(c, part.table());
            Sessions.exec(c, placeholderSql(part));
            placeholders.add(part.table());
        }
        crash.reached("swap:view-placeholders");
        try {
            Sessions.exec(c, viewSql());
        } finally {
            for (String table : placeholders) {
                dropPlaceholder(c, table);
            }
        }
    }

    private String placeholderSql(Plan.Part part) {
        return "CREATE TABLE "
                + Identifiers.quote(plan.schema(), part.table())
                + " COMMENT = "
                + Identifiers.literal(PLACEHOLDER)
                + " SELECT * FROM "
                + part.shadowTable()
                + " LIMIT 0";
    }

    private String viewSql() {
        return "CREATE OR REPLACE SQL SECURITY INVOKER VIEW " + quoted() + " AS " + select();
    }

    private String dropPlaceholderSql(String table) {
        return "DROP TABLE IF EXISTS " + Identifiers.quote(plan.schema(), table);
    }

    /** What {@link #prepare} runs on a clean run, for a plan. */
    List<String> prepareSql() {
        List<String> out = new ArrayList<>();
        plan.parts().forEach(p -> out.add(placeholderSql(p)));
        out.add(viewSql());
        plan.parts().forEach(p -> out.add(dropPlaceholderSql(p.table())));
        return out;
    }

    String dropSql() {
        return "DROP VIEW IF EXISTS " + quoted();
    }

    /** Removes the view and any placeholder a crash left, for an abort before the swap. */
    void drop(Connection c) throws SQLException {
        Sessions.exec(c, dropSql());
        for (Plan.Part part : plan.parts()) {
            if (isPlaceholder(c, part.table())) {
                Sessions.exec(c, dropPlaceholderSql(part.table()));
            }
        }
    }

    /**
     * Drops {@code table} if it is one of our placeholders; refuses when someone else took the
     * name.
     */
    private void dropPlaceholder(Connection c, String table) throws SQLException {
        if (isPlaceholder(c, table)) {
            Sessions.exec(c, dropPlaceholderSql(table));
        } else if (Sessions.firstRow(
                        c,
                        "SELECT 1 FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
                                + "AND TABLE_NAME = ?",
                        List.of(plan.schema(), table))
                != null) {
            throw nameTaken(plan.schema(), table);
        }
    }

    private boolean isPlaceholder(Connection c, String table) throws SQLException {
        List<String> found =
                Sessions.firstRow(
                        c,
                        "SELECT TABLE_COMMENT FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(plan.schema(), table));
        return found != null && PLACEHOLDER.equals(found.get(0));
    }

    static Refused nameTaken(String schema, String table) {
        return new Refused(
                new Problem(
                        "spec.split",
                        "table "
                                + schema
                                + "."
                                + table
                                + " appeared during the change; "
                                + "a part needs that name",
                        "rename or drop that table, then run the change again"));
    }

    /**
     * The first part, left-joined with the others on the key: every row the first part holds, once.
     */
    private String select() {
        List<String> columns = new ArrayList<>();
        StringBuilder from = new StringBuilder();
        for (int i = 0; i < plan.parts().size(); i++) {
            Plan.Part part = plan.parts().get(i);
            String alias = "p" + i;
            for (Plan.ColumnPair col : part.columns()) {
                boolean keyColumn =
                        part.key().stream()
                                .anyMatch(k -> k.shadow().equalsIgnoreCase(col.shadow()));
                if (i == 0 || !keyColumn) {
                    columns.add(alias + "." + Identifiers.quote(col.shadow()));
                }
            }
            String table = Identifiers.quote(plan.schema(), part.table()) + " " + alias;
            if (i == 0) {
                from.append(table);
            } else {
                List<String> on = new ArrayList<>();
                for (int k = 0; k < part.key().size(); k++) {
                    on.add(
                            "p0."
                                    + Identifiers.quote(plan.parts().get(0).key().get(k).shadow())
                                    + " = "
                                    + alias
                                    + "."
                                    + Identifiers.quote(part.key().get(k).shadow()));
                }
                from.append(" LEFT JOIN ")
                        .append(table)
                        .append(" ON ")
                        .append(String.join(" AND ", on));
            }
        }
        return "SELECT " + String.join(", ", columns) + " FROM " + from;
    }
}

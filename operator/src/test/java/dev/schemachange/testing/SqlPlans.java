package dev.schemachange.testing;

import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.plan.Planner;
import dev.schemachange.mysql.TableInfo;
import java.util.List;
import java.util.Set;

/** Plans built by hand, for tests that pin generated SQL without a server. */
public final class SqlPlans {
    private SqlPlans() {}

    public static TableInfo.Column column(String name, String dataType, String columnType) {
        return new TableInfo.Column(name, 1, dataType, columnType, false, false, null, null, false);
    }

    public static final TableInfo.Column INT = column("id", "int", "int(11)");
    public static final TableInfo.Column UNSIGNED = column("tenant", "int", "int(10) unsigned");
    public static final TableInfo.Column BIGINT = column("id", "bigint", "bigint(20)");

    /** shop.orders (id INT PRIMARY KEY, note VARCHAR), one part. */
    public static Plan single() {
        return plan(
                "orders",
                List.of(
                        part(
                                "orders",
                                List.of(
                                        new Plan.ColumnPair("id", "id", false),
                                        new Plan.ColumnPair("note", "note", true)),
                                List.of(new Plan.KeyColumn("id", "id", INT)))));
    }

    /** shop.orders (id INT PRIMARY KEY, note VARCHAR) with id widened to BIGINT. */
    public static Plan widened() {
        return plan(
                "orders",
                List.of(
                        part(
                                "orders",
                                List.of(
                                        new Plan.ColumnPair(
                                                "id",
                                                "id",
                                                false,
                                                dev.schemachange.engine.plan.ColumnChange.of(
                                                        INT, BIGINT)),
                                        new Plan.ColumnPair("note", "note", true)),
                                List.of(new Plan.KeyColumn("id", "id", INT)))));
    }

    /**
     * shop.orders keyed by (tenant INT UNSIGNED, id BIGINT), with a column renamed note -> memo.
     */
    public static Plan composite() {
        return plan(
                "orders",
                List.of(
                        part(
                                "orders",
                                List.of(
                                        new Plan.ColumnPair("tenant", "tenant", false),
                                        new Plan.ColumnPair("id", "id", false),
                                        new Plan.ColumnPair("note", "memo", true)),
                                List.of(
                                        new Plan.KeyColumn("tenant", "tenant", UNSIGNED),
                                        new Plan.KeyColumn("id", "id", BIGINT)))));
    }

    /** shop.orders split into orders (id, status) and order_notes (id, note). */
    public static Plan split() {
        List<Plan.KeyColumn> key = List.of(new Plan.KeyColumn("id", "id", INT));
        return plan(
                "orders",
                List.of(
                        part(
                                "orders",
                                List.of(
                                        new Plan.ColumnPair("id", "id", false),
                                        new Plan.ColumnPair("status", "status", false)),
                                key),
                        part(
                                "order_notes",
                                List.of(
                                        new Plan.ColumnPair("id", "id", false),
                                        new Plan.ColumnPair("note", "note", true)),
                                key)));
    }

    private static Plan.Part part(
            String table, List<Plan.ColumnPair> columns, List<Plan.KeyColumn> key) {
        return new Plan.Part(
                "shop", table, Planner.names(table).newTable(), columns, key, Set.of("PRIMARY"));
    }

    private static Plan plan(String table, List<Plan.Part> parts) {
        return new Plan(
                "shop",
                table,
                "_schemachange",
                "_schemachange_undo",
                parts,
                "PRIMARY",
                Planner.names(table),
                List.of(),
                List.of(),
                true,
                false,
                List.of(),
                "hash");
    }
}

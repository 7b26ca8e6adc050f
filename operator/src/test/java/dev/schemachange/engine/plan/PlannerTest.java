package dev.schemachange.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.TableInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the Planner derives from a spec and the tables as read, without a server. */
class PlannerTest {
    private static TableInfo.Column col(
            String name, int pos, String type, String columnType, boolean text) {
        return new TableInfo.Column(
                name,
                pos,
                type,
                columnType,
                false,
                false,
                text ? "utf8mb4" : null,
                text ? "utf8mb4_general_ci" : null,
                false);
    }

    private static final TableInfo.Column ID = col("id", 1, "int", "int(11)", false);
    private static final TableInfo.Column NOTE = col("note", 2, "varchar", "varchar(40)", true);
    private static final TableInfo.Index PK =
            new TableInfo.Index("PRIMARY", true, true, List.of("id"));

    private static TableInfo table(
            String name, List<TableInfo.Column> columns, List<TableInfo.Index> indexes) {
        return new TableInfo(
                "shop",
                name,
                "InnoDB",
                columns,
                indexes,
                List.of(),
                List.of(),
                List.of(),
                0,
                "CREATE TABLE `" + name + "` (...)");
    }

    private static SchemaChangeSpec spec(String more) throws Exception {
        return Manifests.parse(
                        """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: orders-change, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: 3306, schema: shop, credentialsSecret: unused}
                  table: orders
                %s"""
                                .formatted(more.indent(2)))
                .getSpec();
    }

    @Test
    void aRenameIsCarriedIntoTheColumnMappingAndTheKeyIsThePrimaryKey() throws Exception {
        SchemaChangeSpec spec = spec("alter: \"RENAME COLUMN note TO memo\"");
        TableInfo source = table("orders", List.of(ID, NOTE), List.of(PK));
        TableInfo shadow =
                table(
                        "orders__osc_new",
                        List.of(ID, col("memo", 2, "varchar", "varchar(40)", true)),
                        List.of(PK));

        Planner.Result result =
                Planner.plan(
                        spec, source, List.of(new Planner.Shape(PartSpec.of(spec).get(0), shadow)));

        assertThat(result.problems()).isEmpty();
        Plan plan = result.plan();
        assertThat(plan.parts()).hasSize(1);
        Plan.Part part = plan.parts().get(0);
        assertThat(part.shadowTable()).isEqualTo("`shop`.`orders__osc_new`");
        assertThat(part.columns())
                .containsExactly(
                        new Plan.ColumnPair("id", "id", false),
                        new Plan.ColumnPair("note", "memo", true));
        assertThat(plan.key()).containsExactly(new Plan.KeyColumn("id", "id", ID));
        assertThat(plan.sourceKey()).isEqualTo("PRIMARY");
        assertThat(part.shadowKeys()).containsExactly("PRIMARY");
        assertThat(plan.names())
                .isEqualTo(
                        new Plan.Names(
                                "orders__osc_ins",
                                "orders__osc_upd",
                                "orders__osc_del",
                                "orders__osc_new",
                                "orders__osc_old",
                                "orders__osc_wmk",
                                "orders__osc_jnl"));
        assertThat(plan.names().reverseTriggers())
                .containsExactly("orders__osc_rins", "orders__osc_rupd", "orders__osc_rdel");
        assertThat(plan.notes()).containsExactly("column renames carried: note -> memo");
        assertThat(plan.irreversible()).isEmpty();
        assertThat(plan.lockFreeCopy()).isTrue();
        assertThat(plan.split()).isFalse();
        assertThat(plan.workSchema()).isEqualTo("_schemachange");
        assertThat(plan.undoSchema()).isEqualTo("_schemachange_undo");
    }

    @Test
    void aChangedTypeMakesTheChangeIrreversible() throws Exception {
        SchemaChangeSpec spec = spec("alter: \"MODIFY note VARCHAR(10)\"");
        TableInfo source = table("orders", List.of(ID, NOTE), List.of(PK));
        TableInfo shadow =
                table(
                        "orders__osc_new",
                        List.of(ID, col("note", 2, "varchar", "varchar(10)", true)),
                        List.of(PK));

        Plan plan =
                Planner.plan(
                                spec,
                                source,
                                List.of(new Planner.Shape(PartSpec.of(spec).get(0), shadow)))
                        .plan();

        assertThat(plan.irreversible())
                .containsExactly(
                        "column note changes from varchar(40) utf8mb4_general_ci to varchar(10) utf8mb4_general_ci");
    }

    @Test
    void aTableWithoutARowKeyHasNoPlan() throws Exception {
        SchemaChangeSpec spec = spec("alter: \"ADD COLUMN x INT\"");
        TableInfo source = table("orders", List.of(ID, NOTE), List.of());

        Planner.Result result =
                Planner.plan(
                        spec,
                        source,
                        List.of(
                                new Planner.Shape(
                                        PartSpec.of(spec).get(0),
                                        table("orders__osc_new", List.of(ID, NOTE), List.of()))));

        assertThat(result.plan()).isNull();
        assertThat(result.problems())
                .singleElement()
                .satisfies(
                        p ->
                                assertThat(p.toString())
                                        .contains(
                                                "table shop.orders has no PRIMARY KEY and no UNIQUE key on NOT NULL columns"));
    }

    @Test
    void aSplitGivesOnePartPerTableKeyedByTheSharedPrimaryKey() throws Exception {
        SchemaChangeSpec spec =
                spec(
                        """
                split:
                  - {table: orders, columns: [id]}
                  - {table: order_notes, columns: [id, note]}
                """);
        TableInfo source = table("orders", List.of(ID, NOTE), List.of(PK));
        List<PartSpec> parts = PartSpec.of(spec);
        Planner.Result result =
                Planner.plan(
                        spec,
                        source,
                        List.of(
                                new Planner.Shape(
                                        parts.get(0),
                                        table("orders__osc_new", List.of(ID), List.of(PK))),
                                new Planner.Shape(
                                        parts.get(1),
                                        table(
                                                "order_notes__osc_new",
                                                List.of(ID, NOTE),
                                                List.of(PK)))));

        assertThat(result.problems()).isEmpty();
        Plan plan = result.plan();
        assertThat(plan.split()).isTrue();
        assertThat(plan.parts())
                .extracting(Plan.Part::table, Plan.Part::shadow)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("orders", "orders__osc_new"),
                        org.assertj.core.groups.Tuple.tuple("order_notes", "order_notes__osc_new"));
        assertThat(plan.parts().get(0).columns())
                .containsExactly(new Plan.ColumnPair("id", "id", false));
        assertThat(plan.parts().get(1).columns())
                .containsExactly(
                        new Plan.ColumnPair("id", "id", false),
                        new Plan.ColumnPair("note", "note", true));
        assertThat(plan.parts().get(1).reverseTriggers())
                .containsExactly(
                        "order_notes__osc_rins", "order_notes__osc_rupd", "order_notes__osc_rdel");
        assertThat(plan.sourceKey()).isEqualTo("PRIMARY");
        assertThat(plan.irreversible())
                .containsExactly(
                        "column note is NOT NULL without a default and only "
                                + "order_notes holds it: a row inserted into another part first has no value for it");
        assertThat(parts.get(0).ddl("`shop`.`c`", source))
                .containsExactly("ALTER TABLE `shop`.`c` DROP COLUMN `note`");
        assertThat(parts.get(1).ddl("`shop`.`c`", source)).isEmpty();
    }
}

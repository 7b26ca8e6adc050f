package dev.schemachange.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class AlterClauseTest {

    @Test
    void readsColumnRenamesFromChangeAndRenameColumn() {
        AlterClause a =
                AlterClause.parse(
                        "spec.alter",
                        "CHANGE COLUMN c2 c3 INT NOT NULL, RENAME COLUMN `old name` TO fresh, CHANGE e e ENUM('a','b')");
        assertThat(a.problems()).isEmpty();
        assertThat(a.renames()).isEqualTo(Map.of("c2", "c3", "old name", "fresh"));
        assertThat(a.renamed("C2")).isEqualTo("c3");
        assertThat(a.renamed("e")).isEqualTo("e");
    }

    @Test
    void seesNoRenameInStringsCommentsOrColumnNamesThatLookLikeKeywords() {
        AlterClause a =
                AlterClause.parse(
                        "spec.alter",
                        "ADD COLUMN exchange_rate DOUBLE COMMENT 'change rate; "
                                + "rename to x', ADD COLUMN `exchange` INT /* CHANGE a b */");
        assertThat(a.problems()).isEmpty();
        assertThat(a.renames()).isEmpty();
    }

    @Test
    void knowsWhichColumnsAreDroppedButNotIndexesOrKeys() {
        AlterClause a =
                AlterClause.parse(
                        "spec.alter",
                        "DROP COLUMN c1, DROP c2, DROP INDEX i, DROP PRIMARY KEY, "
                                + "DROP FOREIGN KEY f, ADD COLUMN c1 INT NOT NULL DEFAULT 47");
        assertThat(a.dropped()).containsExactlyInAnyOrder("c1", "c2");
    }

    @Test
    void refusesTableRenamesSecondStatementsAndWholeStatements() {
        assertThat(AlterClause.parse("spec.alter", "RENAME TO x").problems()).hasSize(1);
        assertThat(AlterClause.parse("spec.alter", "ADD COLUMN a INT, RENAME AS x").problems())
                .hasSize(1);
        assertThat(AlterClause.parse("spec.alter", "RENAME INDEX a TO b").problems()).isEmpty();
        assertThat(
                        AlterClause.parse("spec.alter", "ADD COLUMN a INT; DROP TABLE t")
                                .problems()
                                .get(0)
                                .reason())
                .contains("only one statement");
        assertThat(
                        AlterClause.parse("spec.alter", "ALTER TABLE t ADD COLUMN a INT")
                                .problems()
                                .get(0)
                                .reason())
                .contains("whole statement");
        assertThat(
                        AlterClause.parse("spec.alter", "EXCHANGE PARTITION p WITH TABLE other")
                                .problems())
                .hasSize(1);
        assertThat(
                        AlterClause.parse("spec.alter", "ADD COLUMN a VARCHAR(3) DEFAULT ';'")
                                .problems())
                .isEmpty();
        assertThat(
                        AlterClause.parse("spec.alter", "ADD COLUMN a VARCHAR(3) DEFAULT 'x")
                                .problems()
                                .get(0)
                                .reason())
                .contains("cannot be read");
    }

    @Test
    void acceptsAChangedDefaultAsAClauseButNotAnAlterTableStatement() {
        for (String alter :
                new String[] {
                    "ALTER COLUMN amount SET DEFAULT 5",
                    "ALTER amount SET DEFAULT 5, ADD COLUMN x INT NULL",
                    "ALTER COLUMN `note` DROP DEFAULT",
                    "ALTER note DROP DEFAULT",
                    "ALTER INDEX by_sku IGNORED"
                }) {
            assertThat(AlterClause.parse("spec.alter", alter).problems()).as(alter).isEmpty();
        }
        for (String alter :
                new String[] {
                    "ALTER TABLE t ALTER COLUMN amount SET DEFAULT 5",
                    "ALTER TABLE t DROP COLUMN c",
                    "ALTER ONLINE TABLE t ADD COLUMN c INT",
                    "ALTER IGNORE TABLE t ADD COLUMN c INT"
                }) {
            assertThat(AlterClause.parse("spec.alter", alter).problems())
                    .as(alter)
                    .extracting(p -> p.reason())
                    .containsExactly("is a whole statement");
        }
    }
}

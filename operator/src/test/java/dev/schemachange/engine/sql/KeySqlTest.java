package dev.schemachange.engine.sql;

import static dev.schemachange.testing.SqlPlans.column;
import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.testing.SqlPlans;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Key predicates and the render/bind expression of each column type (render, a tab, bind). */
class KeySqlTest {
    @Test
    void singleColumnAfterIsAPlainComparisonCastToTheColumnsType() {
        assertThat(new KeySql(SqlPlans.single().key()).after("s"))
                .isEqualTo(
                        """
                s.`id` > CAST(? AS SIGNED)""");
    }

    @Test
    void singleColumnUpToIsInclusive() {
        assertThat(new KeySql(SqlPlans.single().key()).upTo("s"))
                .isEqualTo(
                        """
                s.`id` <= CAST(? AS SIGNED)""");
    }

    @Test
    void compositeAfterExpandsIntoOrsOfColumnComparisonsNotARowConstructor() {
        assertThat(new KeySql(SqlPlans.composite().key()).after("s"))
                .isEqualTo(
                        """
                ((s.`tenant` > CAST(? AS UNSIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` > CAST(? AS SIGNED)))""");
    }

    @Test
    void compositeUpToIsStrictOnThePrefixAndInclusiveOnTheLastColumn() {
        assertThat(new KeySql(SqlPlans.composite().key()).upTo("s"))
                .isEqualTo(
                        """
                ((s.`tenant` < CAST(? AS UNSIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` <= CAST(? AS SIGNED)))""");
    }

    @Test
    void compositeBoundsOnTheShadowUseTheShadowAlias() {
        assertThat(new KeySql(SqlPlans.composite().key()).afterOnShadow("t"))
                .isEqualTo(
                        """
                ((t.`tenant` > CAST(? AS UNSIGNED)) OR (t.`tenant` = CAST(? AS UNSIGNED) AND t.`id` > CAST(? AS SIGNED)))""");
    }

    @Test
    void compositeUpToOnTheShadow() {
        assertThat(new KeySql(SqlPlans.composite().key()).upToOnShadow("t"))
                .isEqualTo(
                        """
                ((t.`tenant` < CAST(? AS UNSIGNED)) OR (t.`tenant` = CAST(? AS UNSIGNED) AND t.`id` <= CAST(? AS SIGNED)))""");
    }

    @Test
    void parametersRepeatEachBoundValueForEveryOrBranchAtOrAfterIt() {
        assertThat(new KeySql(SqlPlans.composite().key()).parameters(List.of("1", "7")).toString())
                .isEqualTo(
                        """
                [1, 1, 7]""");
    }

    @Test
    void singleColumnOneOfIsAnInList() {
        assertThat(new KeySql(SqlPlans.single().key()).oneOf("s", false, 3))
                .isEqualTo(
                        """
                s.`id` IN (CAST(? AS SIGNED), CAST(? AS SIGNED), CAST(? AS SIGNED))""");
    }

    @Test
    void compositeOneOfIsAnOrOfConjunctions() {
        assertThat(new KeySql(SqlPlans.composite().key()).oneOf("s", false, 3))
                .isEqualTo(
                        """
                ((s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` = CAST(? AS SIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` = CAST(? AS SIGNED)) OR (s.`tenant` = CAST(? AS UNSIGNED) AND s.`id` = CAST(? AS SIGNED)))""");
    }

    @Test
    void compositeOneOfOnTheShadow() {
        assertThat(new KeySql(SqlPlans.composite().key()).oneOf("t", true, 2))
                .isEqualTo(
                        """
                ((t.`tenant` = CAST(? AS UNSIGNED) AND t.`id` = CAST(? AS SIGNED)) OR (t.`tenant` = CAST(? AS UNSIGNED) AND t.`id` = CAST(? AS SIGNED)))""");
    }

    @Test
    void joinOnMatchesEveryKeyColumnShadowFirst() {
        assertThat(new KeySql(SqlPlans.composite().key()).joinOn("s", "t"))
                .isEqualTo(
                        """
                t.`tenant` = s.`tenant` AND t.`id` = s.`id`""");
    }

    @Test
    void renderWithoutAnAliasNamesTheBareColumns() {
        assertThat(new KeySql(SqlPlans.composite().key()).render(null))
                .isEqualTo(
                        """
                `tenant`, `id`""");
    }

    @Test
    void orderByDescendingMarksEveryColumn() {
        assertThat(new KeySql(SqlPlans.composite().key()).orderBy(null, true))
                .isEqualTo(
                        """
                `tenant` DESC, `id` DESC""");
    }

    @Test
    void orderByAscending() {
        assertThat(new KeySql(SqlPlans.composite().key()).orderBy("s", false))
                .isEqualTo(
                        """
                s.`tenant`, s.`id`""");
    }

    @Test
    void binaryColumnsTravelAsHex() {
        assertThat(
                        KeySql.render(column("b", "varbinary", "varbinary(16)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("b", "varbinary", "varbinary(16)")))
                .isEqualTo(
                        """
                HEX(s.`x`)	UNHEX(?)""");
    }

    @Test
    void enumTravelsByItsNumber() {
        assertThat(
                        KeySql.render(column("e", "enum", "enum('a','b')"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("e", "enum", "enum('a','b')")))
                .isEqualTo(
                        """
                s.`x` + 0	CAST(? AS UNSIGNED)""");
    }

    @Test
    void setTravelsByItsNumber() {
        assertThat(
                        KeySql.render(column("s", "set", "set('a','b')"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("s", "set", "set('a','b')")))
                .isEqualTo(
                        """
                s.`x` + 0	CAST(? AS UNSIGNED)""");
    }

    @Test
    void bitTravelsByItsNumber() {
        assertThat(
                        KeySql.render(column("bt", "bit", "bit(8)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("bt", "bit", "bit(8)")))
                .isEqualTo(
                        """
                s.`x` + 0	CAST(? AS UNSIGNED)""");
    }

    @Test
    void decimalIsCastToItsOwnPrecisionWithoutUnsignedOrZerofill() {
        assertThat(
                        KeySql.render(
                                        column("d", "decimal", "decimal(10,2) unsigned zerofill"),
                                        "s.`x`")
                                + "\t"
                                + KeySql.bind(
                                        column("d", "decimal", "decimal(10,2) unsigned zerofill")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS decimal(10,2))""");
    }

    @Test
    void numericIsCastAsDecimal() {
        assertThat(
                        KeySql.render(column("n", "numeric", "numeric(5,1)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("n", "numeric", "numeric(5,1)")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS decimal(5,1))""");
    }

    @Test
    void datetimeIsCastWithMicroseconds() {
        assertThat(
                        KeySql.render(column("dt", "datetime", "datetime(3)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("dt", "datetime", "datetime(3)")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS DATETIME(6))""");
    }

    @Test
    void timestampIsCastAsDatetimeWithMicroseconds() {
        assertThat(
                        KeySql.render(column("ts", "timestamp", "timestamp"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("ts", "timestamp", "timestamp")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS DATETIME(6))""");
    }

    @Test
    void dateIsCastAsDate() {
        assertThat(
                        KeySql.render(column("dd", "date", "date"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("dd", "date", "date")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS DATE)""");
    }

    @Test
    void timeIsCastWithMicroseconds() {
        assertThat(
                        KeySql.render(column("tm", "time", "time"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("tm", "time", "time")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS TIME(6))""");
    }

    @Test
    void textIsBoundAsIs() {
        assertThat(
                        KeySql.render(column("v", "varchar", "varchar(20)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("v", "varchar", "varchar(20)")))
                .isEqualTo(
                        """
                s.`x`	?""");
    }

    @Test
    void yearIsASignedInteger() {
        assertThat(
                        KeySql.render(column("y", "year", "year(4)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("y", "year", "year(4)")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS SIGNED)""");
    }

    @Test
    void unsignedBigintIsCastUnsigned() {
        assertThat(
                        KeySql.render(column("bu", "bigint", "bigint(20) unsigned"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("bu", "bigint", "bigint(20) unsigned")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS UNSIGNED)""");
    }

    @Test
    void signedIntIsCastSigned() {
        assertThat(
                        KeySql.render(column("id", "int", "int(11)"), "s.`x`")
                                + "\t"
                                + KeySql.bind(column("id", "int", "int(11)")))
                .isEqualTo(
                        """
                s.`x`	CAST(? AS SIGNED)""");
    }
}

package dev.schemachange.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.engine.plan.ColumnChange.Kind;
import dev.schemachange.mysql.TableInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which definition changes let rows written after the swap go back to the old table, judged from
 * the two column definitions as the server reports them (COLUMN_TYPE, nullability, charset).
 */
class ColumnChangeTest {
    private static TableInfo.Column col(String columnType, boolean nullable, String collation) {
        String dataType = columnType.replaceAll("[( ].*", "");
        return new TableInfo.Column(
                "c",
                1,
                dataType,
                columnType,
                nullable,
                false,
                collation == null ? null : collation.substring(0, collation.indexOf('_')),
                collation,
                false);
    }

    @ParameterizedTest(name = "{0} {1} -> {2} {3}: {5}")
    @CsvSource(
            delimiter = '|',
            value = {
                // old type         | old null | new type          | new null | collation          |
                // kind
                "int(11)            | false | int(11)              | false | | IDENTICAL",
                "int(11)            | false | int(10)              | false | | IDENTICAL",
                "int(11)            | true  | int(11)              | false | | IDENTICAL",
                "int(11)            | false | int(11)              | true  | | WIDENING",
                "tinyint(4)         | false | smallint(6)          | false | | WIDENING",
                "smallint(6)        | false | mediumint(9)         | false | | WIDENING",
                "mediumint(9)       | false | int(11)              | false | | WIDENING",
                "int(11)            | false | bigint(20)           | false | | WIDENING",
                "int(10) unsigned   | false | bigint(20)           | false | | WIDENING",
                "int(11)            | false | bigint(20) unsigned  | false | | WIDENING",
                "int(10) unsigned   | false | bigint(20) unsigned  | false | | WIDENING",
                "int(11)            | false | int(10) unsigned     | false | | LOSSY",
                "bigint(20)         | false | int(11)              | false | | LOSSY",
                "int(10) unsigned   | false | int(11)              | false | | LOSSY",
                "bigint(20)         | false | bigint(20) unsigned  | false | | LOSSY",
                "int(11)            | false | int(11) zerofill     | false | | LOSSY",
                "varchar(32)        | false | varchar(64)          | false | utf8mb4_general_ci | WIDENING",
                "varchar(64)        | false | varchar(32)          | false | utf8mb4_general_ci | LOSSY",
                "varbinary(16)      | false | varbinary(32)        | false | | WIDENING",
                "char(10)           | false | varchar(10)          | false | utf8mb4_general_ci | LOSSY",
                "varchar(10)        | false | char(10)             | false | utf8mb4_general_ci | LOSSY",
                "char(10)           | false | char(20)             | false | utf8mb4_general_ci | LOSSY",
                "decimal(10,2)      | false | decimal(12,2)        | false | | WIDENING",
                "decimal(10,2)      | false | decimal(12,3)        | false | | LOSSY",
                "decimal(12,2)      | false | decimal(10,2)        | false | | LOSSY",
                "text               | true  | mediumtext           | true  | utf8mb4_general_ci | WIDENING",
                "text               | true  | longtext             | true  | utf8mb4_general_ci | WIDENING",
                "mediumtext         | true  | text                 | true  | utf8mb4_general_ci | LOSSY",
                "blob               | true  | longblob             | true  | | WIDENING",
                "text               | true  | longblob             | true  | | LOSSY",
                "float              | false | double               | false | | LOSSY",
                "int(11)            | false | double               | false | | LOSSY",
                "datetime           | false | datetime(3)          | false | | LOSSY",
                "enum('a','b')      | false | enum('a','b','c')    | false | utf8mb4_general_ci | WIDENING",
                "enum('a','b')      | false | enum('b','a','c')    | false | utf8mb4_general_ci | LOSSY",
                "enum('a','b','c')  | false | enum('a','b')        | false | utf8mb4_general_ci | LOSSY",
                "set('x','y')       | true  | set('x','y','z')     | true  | utf8mb4_general_ci | WIDENING",
                "enum('it''s','b')  | false | enum('it''s','b','c') | false | utf8mb4_general_ci | WIDENING",
            })
    void classifiesByTheTwoDefinitions(
            String from, boolean fromNull, String to, boolean toNull, String collation, Kind kind) {
        assertThat(
                        ColumnChange.of(col(from, fromNull, collation), col(to, toNull, collation))
                                .kind())
                .isEqualTo(kind);
    }

    @Test
    void aChangedCollationIsLossyEvenWithTheSameType() {
        assertThat(
                        ColumnChange.of(
                                        col("varchar(32)", false, "utf8mb4_general_ci"),
                                        col("varchar(64)", false, "utf8mb4_bin"))
                                .kind())
                .isEqualTo(Kind.LOSSY);
    }

    @Test
    void theFitTestIsTheOldColumnsDomain() {
        assertThat(fits("int(11)", false, "bigint(20)", false, null))
                .isEqualTo("(v IS NOT NULL AND v >= -2147483648 AND v <= 2147483647)");
        assertThat(fits("int(10) unsigned", true, "bigint(20) unsigned", true, null))
                .isEqualTo("(v IS NULL OR v >= 0 AND v <= 4294967295)");
        assertThat(fits("varchar(32)", false, "varchar(64)", true, "utf8mb4_general_ci"))
                .isEqualTo("(v IS NOT NULL AND CHAR_LENGTH(v) <= 32)");
        assertThat(fits("varbinary(8)", true, "varbinary(9)", true, null))
                .isEqualTo("(v IS NULL OR LENGTH(v) <= 8)");
        assertThat(fits("decimal(5,2)", false, "decimal(7,2)", false, null))
                .isEqualTo("(v IS NOT NULL AND ABS(v) < 1000)");
        assertThat(fits("text", true, "mediumtext", true, "utf8mb4_general_ci"))
                .isEqualTo("(v IS NULL OR LENGTH(v) <= 65535)");
        assertThat(fits("enum('a','b')", false, "enum('a','b','c')", false, "utf8mb4_general_ci"))
                .isEqualTo("(v IS NOT NULL AND v + 0 BETWEEN 1 AND 2)");
        assertThat(fits("set('a','b')", true, "set('a','b','c')", true, "utf8mb4_general_ci"))
                .isEqualTo("(v IS NULL OR v + 0 < 4)");
        assertThat(fits("int(11)", false, "int(11)", true, null)).isEqualTo("v IS NOT NULL");
    }

    private static String fits(
            String from, boolean fromNull, String to, boolean toNull, String collation) {
        return ColumnChange.of(col(from, fromNull, collation), col(to, toNull, collation))
                .fits("v");
    }
}

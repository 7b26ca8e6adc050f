package dev.schemachange.engine.sql;

import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * SQL fragments over the chunk key. Key values travel as text (the cursor is stored as JSON), so
 * each column type has a render expression that reads a value losslessly and a bind expression that
 * turns the text back into a value of the column's own type — comparing an integer column with a
 * string would compare doubles.
 */
public final class KeySql {
    private final List<Plan.KeyColumn> key;

    public KeySql(List<Plan.KeyColumn> key) {
        this.key = key;
    }

    public int size() {
        return key.size();
    }

    /** Select list that renders the key of a source row as text. */
    public String render(String alias) {
        return key.stream()
                .map(k -> render(k.type(), col(alias, k.source())))
                .collect(Collectors.joining(", "));
    }

    /** ORDER BY list along the key, ascending or descending. */
    public String orderBy(String alias, boolean descending) {
        String dir = descending ? " DESC" : "";
        return key.stream()
                .map(k -> col(alias, k.source()) + dir)
                .collect(Collectors.joining(", "));
    }

    /** {@code key > (?,..)} on the source; parameters: one per key column. */
    public String after(String alias) {
        return compare(alias, Plan.KeyColumn::source, ">", ">");
    }

    /** {@code key <= (?,..)} on the source. */
    public String upTo(String alias) {
        return compare(alias, Plan.KeyColumn::source, "<", "<=");
    }

    /** The same bounds over the shadow's key columns. */
    public String afterOnShadow(String alias) {
        return compare(alias, Plan.KeyColumn::shadow, ">", ">");
    }

    public String upToOnShadow(String alias) {
        return compare(alias, Plan.KeyColumn::shadow, "<", "<=");
    }

    /**
     * {@code key} equal to one of {@code n} keys, by the source's column names or the shadow's;
     * parameters: the keys' values one after another.
     */
    public String oneOf(String alias, boolean shadow, int n) {
        Function<Plan.KeyColumn, String> name =
                shadow ? Plan.KeyColumn::shadow : Plan.KeyColumn::source;
        if (key.size() == 1) {
            String bind = bind(key.get(0).type());
            return col(alias, name.apply(key.get(0)))
                    + " IN ("
                    + String.join(", ", Collections.nCopies(n, bind))
                    + ")";
        }
        String one =
                "("
                        + key.stream()
                                .map(k -> col(alias, name.apply(k)) + " = " + bind(k.type()))
                                .collect(Collectors.joining(" AND "))
                        + ")";
        return "(" + String.join(" OR ", Collections.nCopies(n, one)) + ")";
    }

    /** Join condition between a source row and its shadow row. */
    public String joinOn(String sourceAlias, String shadowAlias) {
        return key.stream()
                .map(k -> col(shadowAlias, k.shadow()) + " = " + col(sourceAlias, k.source()))
                .collect(Collectors.joining(" AND "));
    }

    /**
     * {@code shadow key = row.key}, for trigger bodies ({@code row} is NEW or OLD). Key columns are
     * NOT NULL; and {@code <=>} must not be used here (wrong for BIGINT UNSIGNED above 2^63 inside
     * MariaDB triggers).
     */
    String matchRow(String shadowAlias, String row) {
        return key.stream()
                .map(
                        k ->
                                col(shadowAlias, k.shadow())
                                        + " = "
                                        + row
                                        + "."
                                        + Identifiers.quote(k.source()))
                .collect(Collectors.joining(" AND "));
    }

    /**
     * {@code old key = row.key} for the reverse triggers: the old table's columns against the new
     * table's row.
     */
    String matchOld(String oldAlias, String row) {
        return key.stream()
                .map(
                        k ->
                                col(oldAlias, k.source())
                                        + " = "
                                        + row
                                        + "."
                                        + Identifiers.quote(k.shadow()))
                .collect(Collectors.joining(" AND "));
    }

    /**
     * Lexicographic comparison expanded into ORs of column comparisons, which the range optimizer
     * turns into index ranges (row constructors are not always optimized).
     */
    private String compare(
            String alias, Function<Plan.KeyColumn, String> name, String strict, String last) {
        List<String> ors = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            List<String> ands = new ArrayList<>();
            for (int j = 0; j < i; j++) {
                ands.add(col(alias, name.apply(key.get(j))) + " = " + bind(key.get(j).type()));
            }
            String op = i == key.size() - 1 ? last : strict;
            ands.add(col(alias, name.apply(key.get(i))) + " " + op + " " + bind(key.get(i).type()));
            ors.add(String.join(" AND ", ands));
        }
        return ors.size() == 1
                ? ors.get(0)
                : "("
                        + ors.stream().map(o -> "(" + o + ")").collect(Collectors.joining(" OR "))
                        + ")";
    }

    /**
     * Parameters for {@link #after}/{@link #upTo}: each bound value is used by every OR branch at
     * or after it.
     */
    public List<String> parameters(List<String> values) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < key.size(); i++) {
            for (int j = 0; j <= i; j++) {
                out.add(values.get(j));
            }
        }
        return out;
    }

    public static String render(TableInfo.Column c, String expr) {
        if (c.isBinary()) {
            return "HEX(" + expr + ")";
        }
        if (c.isEnumOrSet() || c.dataTypeLower().equals("bit")) {
            return expr + " + 0";
        }
        return expr;
    }

    public static String bind(TableInfo.Column c) {
        if (c.isInteger() || c.isEnumOrSet()) {
            return c.isUnsigned() || c.isEnumOrSet() ? "CAST(? AS UNSIGNED)" : "CAST(? AS SIGNED)";
        }
        if (c.isDecimal()) {
            return "CAST(? AS "
                    + c.columnType()
                            .toLowerCase(Locale.ROOT)
                            .replace("unsigned", "")
                            .replace("zerofill", "")
                            .replace("numeric", "decimal")
                            .trim()
                    + ")";
        }
        if (c.isBinary()) {
            return "UNHEX(?)";
        }
        return switch (c.dataTypeLower()) {
            case "datetime", "timestamp" -> "CAST(? AS DATETIME(6))";
            case "date" -> "CAST(? AS DATE)";
            case "time" -> "CAST(? AS TIME(6))";
            case "bit" -> "CAST(? AS UNSIGNED)";
            default -> "?";
        };
    }

    public static String col(String alias, String name) {
        return (alias == null ? "" : alias + ".") + Identifiers.quote(name);
    }
}

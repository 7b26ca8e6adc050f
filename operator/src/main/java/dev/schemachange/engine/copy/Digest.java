package dev.schemachange.engine.copy;

import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import dev.schemachange.mysql.TableInfo;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A part's mapped columns as the new shape holds them, on both sides: the per-row digest the
 * aggregate comparison sums, and the row equality the row-by-row comparison uses.
 *
 * <p>Text is compared by its utf8mb4 bytes, never through a collation: a case-insensitive or PAD
 * SPACE collation would call 'a', 'A' and 'a ' equal. A CHAR column returns its value without
 * trailing spaces, so a source value bound for a new CHAR column is compared without them too. A
 * widening the copy makes exactly (a larger DECIMAL, DATETIME precision, FLOAT to DOUBLE, DATE to
 * DATETIME) casts the source to the new type, so both sides print the same; any other type change
 * is compared as it is, and where the digests then differ the row-by-row comparison, which compares
 * by value, decides.
 *
 * <p>The digest is unambiguous: a leading flag per nullable column tells NULL from '' and from
 * 'NULL', and every value that could contain the separator is preceded by its length in bytes.
 */
final class Digest {
    private static final Pattern DECIMAL = Pattern.compile("decimal\\((\\d+),(\\d+)\\)");
    private static final Pattern PRECISION = Pattern.compile("\\((\\d+)\\)");

    /**
     * One column pair: its source and shadow expressions for the digest, how the digest encodes
     * them, and the expressions the row-by-row comparison compares (text by its bytes, anything
     * else by value, as the copy converts it).
     */
    record Column(
            String source,
            String shadow,
            boolean nullable,
            boolean delimited,
            String compareSource,
            String compareShadow) {}

    private final List<Column> columns;
    private final boolean crc32c;

    Digest(List<Column> columns, boolean crc32c) {
        this.columns = List.copyOf(columns);
        this.crc32c = crc32c;
    }

    /** Reads both tables' column types; {@code crc32c}: the server has CRC32C (MariaDB 10.8+). */
    static Digest of(Connection c, Plan plan, Plan.Part part, boolean crc32c) throws SQLException {
        Inspector inspector = new Inspector(c);
        TableInfo source = table(inspector, plan.schema(), plan.table());
        TableInfo shadow = table(inspector, part.schema(), part.shadow());
        return of(part, source, shadow, crc32c);
    }

    /** From both tables' definitions as read; for a plan, the shadow's is a scratch copy's. */
    static Digest of(Plan.Part part, TableInfo source, TableInfo shadow, boolean crc32c) {
        List<Column> out = new ArrayList<>();
        for (Plan.ColumnPair pair : part.columns()) {
            out.add(
                    column(
                            pair,
                            source.column(pair.source()).orElseThrow(),
                            shadow.column(pair.shadow()).orElseThrow()));
        }
        return new Digest(out, crc32c);
    }

    private static TableInfo table(Inspector inspector, String schema, String table)
            throws SQLException {
        Optional<TableInfo> t = inspector.table(schema, table);
        return t.orElseThrow(() -> new SQLException("table " + schema + "." + table + " is gone"));
    }

    static Column column(Plan.ColumnPair pair, TableInfo.Column from, TableInfo.Column to) {
        String s = "s." + Identifiers.quote(pair.source());
        String t = "t." + Identifiers.quote(pair.shadow());
        boolean nullable = from.nullable() || to.nullable();
        if (pair.text()) {
            boolean sameCharset = from.charset() != null && from.charset().equals(to.charset());
            String a = sameCharset ? s : "CONVERT(" + s + " USING utf8mb4)";
            String b = sameCharset ? t : "CONVERT(" + t + " USING utf8mb4)";
            if (to.dataTypeLower().equals("char") && !from.dataTypeLower().equals("char")) {
                a = "RTRIM(" + a + ")";
            }
            return new Column(binary(a), binary(b), nullable, true, binary(a), binary(b));
        }
        boolean delimited = !(selfDelimited(from) && selfDelimited(to));
        if (delimited) {
            // binary strings, bits, anything else: its bytes
            return new Column(binary(s), binary(t), nullable, true, s, t);
        }
        return new Column(widened(s, from, to), t, nullable, false, s, t);
    }

    private static String binary(String e) {
        return "CAST(" + e + " AS BINARY)";
    }

    /** Types whose printed value never contains the separator. */
    private static boolean selfDelimited(TableInfo.Column c) {
        return switch (c.dataTypeLower()) {
            case "tinyint", "smallint", "mediumint", "int", "integer", "bigint", "year" ->
                    !c.columnType().toLowerCase(Locale.ROOT).contains("zerofill");
            case "decimal", "float", "double", "date", "datetime", "timestamp", "time" -> true;
            default -> false;
        };
    }

    /** The source value cast to the new type where that cast is exactly what the copy does. */
    private static String widened(String s, TableInfo.Column from, TableInfo.Column to) {
        String a = from.columnType().toLowerCase(Locale.ROOT);
        String b = to.columnType().toLowerCase(Locale.ROOT);
        if (a.equals(b)) {
            return s;
        }
        String fromType = from.dataTypeLower();
        String toType = to.dataTypeLower();
        if (fromType.equals("decimal") && toType.equals("decimal")) {
            Matcher m = DECIMAL.matcher(a);
            Matcher n = DECIMAL.matcher(b);
            if (m.find() && n.find()) {
                int fromScale = Integer.parseInt(m.group(2));
                int toScale = Integer.parseInt(n.group(2));
                int fromDigits = Integer.parseInt(m.group(1)) - fromScale;
                int toDigits = Integer.parseInt(n.group(1)) - toScale;
                if (toScale >= fromScale && toDigits >= fromDigits) {
                    return "CAST(" + s + " AS DECIMAL(" + n.group(1) + "," + n.group(2) + "))";
                }
            }
            return s;
        }
        if (fromType.equals("float") && toType.equals("double")) {
            return "CAST(" + s + " AS DOUBLE)";
        }
        boolean temporal = toType.equals("datetime") || toType.equals("timestamp");
        if (temporal
                && (fromType.equals("datetime")
                        || fromType.equals("timestamp")
                        || fromType.equals("date"))
                && precision(b) >= precision(a)) {
            return "CAST(" + s + " AS DATETIME(" + precision(b) + "))";
        }
        if (toType.equals("time") && fromType.equals("time") && precision(b) >= precision(a)) {
            return "CAST(" + s + " AS TIME(" + precision(b) + "))";
        }
        return s;
    }

    private static int precision(String columnType) {
        Matcher m = PRECISION.matcher(columnType);
        return m.find() ? Integer.parseInt(m.group(1)) : 0;
    }

    /**
     * The aggregate of a range on one side: rows, and the sums of two different 32-bit CRCs of each
     * row's digest. A sum, unlike BIT_XOR, does not cancel two rows that changed the same way; two
     * different polynomials make a changed row go unseen only if both collide.
     */
    String aggregate(boolean shadow) {
        String x = row(shadow);
        return "COUNT(*), COALESCE(SUM(CRC32(" + x + ")), 0), COALESCE(SUM(" + second(x) + "), 0)";
    }

    private String second(String x) {
        // MySQL has no CRC32C: 32 bits of an MD5, slower but as independent
        return crc32c
                ? "CRC32C(" + x + ")"
                : "CAST(CONV(LEFT(MD5(" + x + "), 8), 16, 10) AS UNSIGNED)";
    }

    /** One row's digest: null flags, then each value, length-prefixed where it needs to be. */
    String row(boolean shadow) {
        List<String> parts = new ArrayList<>();
        List<String> flags =
                columns.stream()
                        .filter(Column::nullable)
                        .map(c -> "ISNULL(" + (shadow ? c.shadow() : c.source()) + ")")
                        .toList();
        if (!flags.isEmpty()) {
            parts.add("CONCAT(" + String.join(", ", flags) + ")");
        }
        for (Column c : columns) {
            String e = shadow ? c.shadow() : c.source();
            if (c.delimited()) {
                parts.add("LENGTH(" + e + ")");
            }
            parts.add(e);
        }
        return "CONCAT_WS('|', " + String.join(", ", parts) + ")";
    }

    /**
     * Every column equal, NULL-safe: text by its bytes, anything else by value. {@code IS TRUE}: a
     * NULL against a value makes {@code =} NULL, and NOT of NULL would hide that row.
     */
    String sameRow() {
        return columns.stream()
                .map(
                        c ->
                                "(("
                                        + c.compareSource()
                                        + " = "
                                        + c.compareShadow()
                                        + ") IS TRUE OR ("
                                        + c.compareSource()
                                        + " IS NULL AND "
                                        + c.compareShadow()
                                        + " IS NULL))")
                .collect(Collectors.joining(" AND "));
    }
}

package dev.schemachange.engine.plan;

import dev.schemachange.mysql.TableInfo;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How a column's definition changes, judged from the old and new definitions alone, for the way
 * back after the swap (reverse sync, rollback).
 *
 * <ul>
 *   <li>{@link Kind#IDENTICAL}: every value of the new column fits the old one unchanged (same
 *       type, charset and collation; a display width or a nullable column made NOT NULL does not
 *       matter).
 *   <li>{@link Kind#WIDENING}: every old value round-trips, and a new value goes back unchanged
 *       exactly when {@link #fits} holds for it — an integer in the old range, a string within the
 *       old length, a decimal within the old precision, an ENUM/SET value the old list has, not
 *       NULL when the old column is NOT NULL.
 *   <li>{@link Kind#LOSSY}: no exact test tells which new values go back unchanged, or old values
 *       would not survive the way there (CHAR ↔ VARCHAR pads, FLOAT → DOUBLE reads a float back as
 *       a different double, a charset or collation change, narrowing).
 * </ul>
 *
 * A signed integer made unsigned and wider counts as widening: a negative old value cannot reach
 * the new table at all (the copy's verification fails the change before the swap), so every row
 * that does reach it round-trips.
 */
public record ColumnChange(Kind kind, TableInfo.Column from, TableInfo.Column to) {

    public enum Kind {
        IDENTICAL,
        WIDENING,
        LOSSY
    }

    private static final List<String> INTEGERS =
            List.of("tinyint", "smallint", "mediumint", "int", "bigint");
    private static final List<String> TEXTS = List.of("tinytext", "text", "mediumtext", "longtext");
    private static final List<String> BLOBS = List.of("tinyblob", "blob", "mediumblob", "longblob");

    /** The largest length in bytes of each TEXT/BLOB size, in the order of {@link #TEXTS}. */
    private static final List<Long> LOB_BYTES = List.of(255L, 65_535L, 16_777_215L, 4_294_967_295L);

    private static final Map<String, String> SYNONYMS =
            Map.of("integer", "int", "numeric", "decimal", "dec", "decimal");

    public static ColumnChange of(TableInfo.Column from, TableInfo.Column to) {
        return new ColumnChange(classify(from, to), from, to);
    }

    public boolean widening() {
        return kind == Kind.WIDENING;
    }

    private static Kind classify(TableInfo.Column from, TableInfo.Column to) {
        if (!Objects.equals(from.charset(), to.charset())
                || !Objects.equals(from.collation(), to.collation())) {
            return Kind.LOSSY;
        }
        Kind type = typeChange(new Type(from), new Type(to));
        if (type == Kind.IDENTICAL && !from.nullable() && to.nullable()) {
            return Kind.WIDENING;
        }
        return type;
    }

    private static Kind typeChange(Type a, Type b) {
        if (a.text.equals(b.text)) {
            return Kind.IDENTICAL;
        }
        if (INTEGERS.contains(a.base) && INTEGERS.contains(b.base)) {
            if (a.zerofill != b.zerofill) {
                return Kind.LOSSY; // zerofill changes how the value reads back as text
            }
            BigInteger[] ra = a.range();
            BigInteger[] rb = b.range();
            if (ra[0].equals(rb[0]) && ra[1].equals(rb[1])) {
                return Kind.IDENTICAL; // only the display width differs
            }
            boolean covers = rb[0].compareTo(ra[0]) <= 0 && rb[1].compareTo(ra[1]) >= 0;
            boolean unsignedWider = !a.unsigned && b.unsigned && b.bits() > a.bits();
            return covers || unsignedWider ? Kind.WIDENING : Kind.LOSSY;
        }
        if ((a.base.equals("varchar") && b.base.equals("varchar"))
                || (a.base.equals("varbinary") && b.base.equals("varbinary"))) {
            return b.arg(0) > a.arg(0) ? Kind.WIDENING : Kind.LOSSY;
        }
        if (a.base.equals("decimal") && b.base.equals("decimal")) {
            boolean sameScale = a.arg(1) == b.arg(1);
            boolean signOk = !b.unsigned || a.unsigned;
            return sameScale && signOk && b.arg(0) > a.arg(0) ? Kind.WIDENING : Kind.LOSSY;
        }
        for (List<String> family : List.of(TEXTS, BLOBS)) {
            if (family.contains(a.base) && family.contains(b.base)) {
                return family.indexOf(b.base) > family.indexOf(a.base) ? Kind.WIDENING : Kind.LOSSY;
            }
        }
        if (a.base.equals(b.base) && (a.base.equals("enum") || a.base.equals("set"))) {
            List<String> old = a.values();
            List<String> now = b.values();
            boolean appended = now.size() > old.size() && now.subList(0, old.size()).equals(old);
            return appended ? Kind.WIDENING : Kind.LOSSY;
        }
        return Kind.LOSSY;
    }

    /**
     * An exact SQL condition, free of warnings under any sql_mode, that is true when {@code value}
     * (a value of the new column) can be written to the old column unchanged; only for a {@link
     * Kind#WIDENING} change.
     */
    public String fits(String value) {
        if (kind != Kind.WIDENING) {
            throw new IllegalStateException("only a widening has a fit test: " + from.name());
        }
        Type a = new Type(from);
        Type b = new Type(to);
        String type = a.text.equals(b.text) ? null : typeFits(a, value);
        String nulls = from.nullable() ? value + " IS NULL" : null;
        if (type == null) {
            return from.nullable() ? "TRUE" : value + " IS NOT NULL";
        }
        return nulls == null
                ? "(" + value + " IS NOT NULL AND " + type + ")"
                : "(" + nulls + " OR " + type + ")";
    }

    private static String typeFits(Type a, String value) {
        if (INTEGERS.contains(a.base)) {
            BigInteger[] r = a.range();
            return value + " >= " + r[0] + " AND " + value + " <= " + r[1];
        }
        if (a.base.equals("varchar")) {
            return "CHAR_LENGTH(" + value + ") <= " + a.arg(0);
        }
        if (a.base.equals("varbinary")) {
            return "LENGTH(" + value + ") <= " + a.arg(0);
        }
        if (a.base.equals("decimal")) {
            // the old column holds |v| < 10^(p-s); the scale is the same, so no digit is cut
            String limit = "1" + "0".repeat((int) (a.arg(0) - a.arg(1)));
            return (a.unsigned ? value + " >= 0 AND " : "") + "ABS(" + value + ") < " + limit;
        }
        if (TEXTS.contains(a.base) || BLOBS.contains(a.base)) {
            int size = Math.max(TEXTS.indexOf(a.base), BLOBS.indexOf(a.base));
            return "LENGTH(" + value + ") <= " + LOB_BYTES.get(size);
        }
        int n = a.values().size();
        if (a.base.equals("enum")) {
            // the old values are the new list's first n, so the index says it; 0 is the
            // invalid-value '' no strict old table accepts
            return value + " + 0 BETWEEN 1 AND " + n;
        }
        return value + " + 0 < " + BigInteger.ONE.shiftLeft(n);
    }

    /**
     * What of a COLUMN_TYPE matters here, e.g. {@code bigint(20) unsigned} or {@code enum('a')}.
     */
    private static final class Type {
        final String text;
        final String base;
        final String args;
        final boolean unsigned;
        final boolean zerofill;

        Type(TableInfo.Column c) {
            String t = c.columnType().trim();
            int open = t.indexOf('(');
            int close = t.lastIndexOf(')');
            String head = (open < 0 ? t : t.substring(0, open)).trim();
            String tail = close < 0 ? (open < 0 ? "" : t.substring(open)) : t.substring(close + 1);
            String lower = head.toLowerCase(Locale.ROOT).split(" ")[0];
            this.base = SYNONYMS.getOrDefault(lower, lower);
            this.args = open < 0 || close < open ? "" : t.substring(open + 1, close);
            String flags = (open < 0 ? t : tail).toLowerCase(Locale.ROOT);
            this.unsigned = flags.contains("unsigned") || flags.contains("zerofill");
            this.zerofill = flags.contains("zerofill");
            this.text =
                    base
                            + (INTEGERS.contains(base) ? "" : "(" + args + ")")
                            + (unsigned ? " unsigned" : "")
                            + (zerofill ? " zerofill" : "");
        }

        long arg(int i) {
            String[] parts = args.split(",");
            return i < parts.length && !parts[i].isBlank() ? Long.parseLong(parts[i].trim()) : 0;
        }

        int bits() {
            return switch (base) {
                case "tinyint" -> 8;
                case "smallint" -> 16;
                case "mediumint" -> 24;
                case "int" -> 32;
                default -> 64;
            };
        }

        BigInteger[] range() {
            int bits = bits();
            if (unsigned) {
                return new BigInteger[] {
                    BigInteger.ZERO, BigInteger.ONE.shiftLeft(bits).subtract(BigInteger.ONE)
                };
            }
            BigInteger half = BigInteger.ONE.shiftLeft(bits - 1);
            return new BigInteger[] {half.negate(), half.subtract(BigInteger.ONE)};
        }

        /** The quoted values of an ENUM/SET, as the server spells them. */
        List<String> values() {
            List<String> out = new ArrayList<>();
            StringBuilder cur = null;
            for (int i = 0; i < args.length(); i++) {
                char ch = args.charAt(i);
                if (cur == null) {
                    if (ch == '\'') {
                        cur = new StringBuilder();
                    }
                } else if (ch == '\'' && i + 1 < args.length() && args.charAt(i + 1) == '\'') {
                    cur.append("''");
                    i++;
                } else if (ch == '\\' && i + 1 < args.length()) {
                    cur.append(ch).append(args.charAt(++i));
                } else if (ch == '\'') {
                    out.add(cur.toString());
                    cur = null;
                } else {
                    cur.append(ch);
                }
            }
            return out;
        }
    }
}

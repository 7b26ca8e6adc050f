package dev.schemachange.engine.copy;

import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.engine.sql.KeySql;
import dev.schemachange.mysql.Identifiers;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Yields key ranges over the chunk key, sized so that one chunk takes about {@code chunkTime}: it
 * starts small and follows a moving average of the observed rate, never above {@code maxChunkRows}.
 */
public final class Chunker {
    private final Plan plan;
    private final KeySql key;
    private final Duration target;
    private final int maxRows;
    private double size;

    /**
     * Rows per millisecond the chunks were copied at, or 0 before the first; kept apart from {@link
     * #size} because the cap stops the size from following the rate.
     */
    private double rate;

    Chunker(Plan plan, Duration target, int maxRows, int startRows) {
        this.plan = plan;
        this.key = new KeySql(plan.key());
        this.target = target.isZero() ? Duration.ofMillis(500) : target;
        this.maxRows = Math.max(1, maxRows);
        this.size = Math.max(1, Math.min(this.maxRows, startRows > 0 ? startRows : 1000));
    }

    int size() {
        return (int) Math.max(1, Math.min(maxRows, Math.round(size)));
    }

    /**
     * About how many rows take {@code time} to copy, at the rate observed so far (before the first
     * chunk, the starting size's share of the target).
     */
    int rowsIn(Duration time) {
        double perMilli = rate > 0 ? rate : size / target.toMillis();
        return (int)
                Math.max(1, Math.min(Integer.MAX_VALUE, Math.round(perMilli * time.toMillis())));
    }

    /** Feeds back one chunk's rows and duration. */
    void observe(long rows, long millis) {
        if (rows <= 0) {
            return;
        }
        double ideal = rows * (double) target.toMillis() / Math.max(1, millis);
        // limit growth per step so one fast, cached chunk cannot make the next one huge
        ideal = Math.min(ideal, size * 4);
        size = Math.max(1, Math.min(maxRows, 0.5 * size + 0.5 * ideal));
        double observed = rows / (double) Math.max(1, millis);
        rate = rate == 0 ? observed : 0.5 * rate + 0.5 * Math.min(observed, rate * 4);
    }

    /**
     * A half-open range (after, upTo]; {@code after} null = from the start, {@code upTo} null = to
     * the end.
     */
    record Range(List<String> after, List<String> upTo) {
        boolean last(List<String> max) {
            return upTo == null || upTo.equals(max);
        }
    }

    /** The next range after {@code cursor}, not beyond {@code max} (when given). */
    Range next(Connection c, List<String> cursor, List<String> max) throws SQLException {
        return next(c, cursor, max, size());
    }

    /**
     * The next range of at most {@code rows} rows after {@code cursor}, not beyond {@code max}
     * (when given).
     */
    Range next(Connection c, List<String> cursor, List<String> max, int rows) throws SQLException {
        List<Object> params = new ArrayList<>();
        StringBuilder where = new StringBuilder();
        where(where, params, cursor, max);
        String sql =
                "SELECT "
                        + key.render("s")
                        + " FROM "
                        + source()
                        + " FORCE INDEX ("
                        + Identifiers.quote(plan.sourceKey())
                        + ")"
                        + (where.isEmpty() ? "" : " WHERE " + where)
                        + " ORDER BY "
                        + key.orderBy("s", false)
                        + " LIMIT 1 OFFSET "
                        + (rows - 1);
        List<String> boundary = Sessions.firstRow(c, sql, params);
        return new Range(cursor, boundary == null ? max : boundary);
    }

    /** The WHERE clause for a range over the source, aliased {@code s}. */
    String where(Range r, List<Object> params) {
        return where(r, params, key, false);
    }

    /**
     * The WHERE clause for a range over a part's shadow, aliased {@code t}, by its names of the key
     * columns.
     */
    String where(Range r, List<Object> params, Plan.Part part) {
        return where(r, params, new KeySql(part.key()), true);
    }

    private static String where(Range r, List<Object> params, KeySql key, boolean shadow) {
        List<String> parts = new ArrayList<>();
        if (r.after() != null) {
            parts.add(shadow ? key.afterOnShadow("t") : key.after("s"));
            params.addAll(key.parameters(r.after()));
        }
        if (r.upTo() != null) {
            parts.add(shadow ? key.upToOnShadow("t") : key.upTo("s"));
            params.addAll(key.parameters(r.upTo()));
        }
        return parts.isEmpty() ? "1 = 1" : String.join(" AND ", parts);
    }

    private void where(
            StringBuilder where, List<Object> params, List<String> after, List<String> upTo) {
        String w = where(new Range(after, upTo), params);
        if (!w.equals("1 = 1")) {
            where.append(w);
        }
    }

    /**
     * The last key of the source, or null when it is empty; without an alias, so it also runs under
     * LOCK TABLES.
     */
    public List<String> maxKey(Connection c) throws SQLException {
        return Sessions.firstRow(c, maxKeySql(), List.of());
    }

    String maxKeySql() {
        return "SELECT "
                + key.render(null)
                + " FROM "
                + Identifiers.quote(plan.schema(), plan.table())
                + forceIndex()
                + " ORDER BY "
                + key.orderBy(null, true)
                + " LIMIT 1";
    }

    String source() {
        return Identifiers.quote(plan.schema(), plan.table()) + " s";
    }

    String forceIndex() {
        return " FORCE INDEX (" + Identifiers.quote(plan.sourceKey()) + ")";
    }
}

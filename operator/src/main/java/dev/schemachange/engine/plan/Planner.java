package dev.schemachange.engine.plan;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.fk.ParentForeignKeys;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.TableInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Turns spec + inspection into a {@link Plan}: a pure function, so it is tested without a server.
 */
public final class Planner {
    static final String KEY_FIX =
            "keep a PRIMARY KEY or a UNIQUE key on NOT NULL columns that exists, with the same "
                    + "columns, in both the original and the new table";

    private Planner() {}

    /** A part as built on the server: what the spec asked for, and the table that came out. */
    public record Shape(PartSpec part, TableInfo shadow) {}

    /** The plan, or the problems that prevent one. */
    public static Result plan(SchemaChangeSpec spec, TableInfo source, List<Shape> shapes) {
        List<Problem> problems = new ArrayList<>();
        List<Plan.Part> parts = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        String sourceKey = null;
        boolean lockFree = true;
        for (Shape shape : shapes) {
            PartSpec part = shape.part();
            Optional<KeyChoice> key = chunkKey(part, source, shape.shadow(), problems);
            if (key.isEmpty()) {
                return new Result(null, problems);
            }
            if (sourceKey != null && !sourceKey.equals(key.get().sourceIndex())) {
                problems.add(
                        new Problem(
                                "spec.split",
                                "the parts share no unique key: "
                                        + parts.get(0).table()
                                        + " is keyed by "
                                        + sourceKey
                                        + ", "
                                        + part.table()
                                        + " by "
                                        + key.get().sourceIndex(),
                                "give every part the columns of the PRIMARY KEY"));
                return new Result(null, problems);
            }
            sourceKey = key.get().sourceIndex();
            lockFree &= lockFree(shape.shadow(), key.get().shadowIndexes());
            parts.add(
                    new Plan.Part(
                            source.schema(),
                            part.table(),
                            part.shadow(),
                            columns(part.alter(), source, shape.shadow()),
                            key.get().columns(),
                            key.get().shadowIndexes()));
            if (!part.alter().renames().isEmpty()) {
                notes.add(
                        "column renames carried"
                                + (shapes.size() > 1 ? " into " + part.table() : "")
                                + ": "
                                + part.alter().renames().entrySet().stream()
                                        .map(e -> e.getKey() + " -> " + e.getValue())
                                        .sorted()
                                        .collect(Collectors.joining(", ")));
            }
        }
        Plan.Names names = names(source.name());
        Set<String> ours = Set.copyOf(names.forwardTriggers());
        List<TableInfo.Trigger> userTriggers =
                source.triggers().stream().filter(t -> !ours.contains(t.name())).toList();
        if (!userTriggers.isEmpty()) {
            notes.add(
                    "the table's own triggers are kept and move to the new table at the swap: "
                            + userTriggers.stream()
                                    .map(TableInfo.Trigger::name)
                                    .collect(Collectors.joining(", ")));
        }
        List<String> irreversible = irreversible(source, shapes, parts);
        List<String> widened =
                parts.stream()
                        .flatMap(p -> p.columns().stream())
                        .filter(c -> c.widened() != null)
                        .map(
                                c ->
                                        c.source()
                                                + " ("
                                                + describe(c.widened().from())
                                                + " -> "
                                                + describe(c.widened().to())
                                                + ")")
                        .toList();
        if (irreversible.isEmpty() && !widened.isEmpty()) {
            notes.add(
                    "widened columns go back to the old table after the swap while their values fit"
                            + " it (a row that does not fit is recorded, and a rollback then needs"
                            + " consent): "
                            + String.join(", ", widened));
        }
        Plan plan =
                new Plan(
                        source.schema(),
                        source.name(),
                        spec.workSchema(),
                        spec.undoSchema(),
                        parts,
                        sourceKey,
                        names,
                        userTriggers,
                        irreversible,
                        lockFree,
                        spec.compatibilityView(),
                        notes,
                        hash(spec));
        return new Result(plan, problems);
    }

    /** Identifies the plan: the parts of the spec that decide what the shadow table is. */
    public static String hash(SchemaChangeSpec spec) {
        return Identifiers.sha1(
                String.join(
                        "\u0000",
                        String.valueOf(spec.database() == null ? null : spec.database().schema()),
                        spec.table(),
                        String.valueOf(spec.alter()),
                        String.valueOf(spec.split()),
                        String.valueOf(spec.dropColumns()),
                        spec.workSchema(),
                        spec.undoSchema()));
    }

    public static Plan.Names names(String table) {
        return new Plan.Names(
                Identifiers.fit(table, "__osc_ins"),
                Identifiers.fit(table, "__osc_upd"),
                Identifiers.fit(table, "__osc_del"),
                Identifiers.fit(table, "__osc_new"),
                Identifiers.fit(table, "__osc_old"),
                Identifiers.fit(table, "__osc_wmk"),
                Identifiers.fit(table, "__osc_jnl"));
    }

    /**
     * What would stop a row written to the new table(s) from going back to the old one unchanged: a
     * changed type (a BIGINT value need not fit the INT it came from), a dropped NOT NULL column
     * without a default (a new row has no value for it), a unique key no new table enforces any
     * more (a write could collide there). For a split, also a NOT NULL column without a default
     * outside the key: a row inserted into another part first has no value for it.
     */
    static List<String> irreversible(TableInfo source, List<Shape> shapes, List<Plan.Part> parts) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            for (Plan.ColumnPair pair : parts.get(i).columns()) {
                TableInfo.Column from = source.column(pair.source()).orElseThrow();
                TableInfo.Column to = shapes.get(i).shadow().column(pair.shadow()).orElseThrow();
                ColumnChange change = ColumnChange.of(from, to);
                boolean splitWidening = change.widening() && parts.size() > 1;
                if (change.kind() == ColumnChange.Kind.LOSSY || splitWidening) {
                    out.add(
                            "column "
                                    + pair.source()
                                    + (from.sameTypeAs(to)
                                            ? " becomes nullable"
                                            : " changes from "
                                                    + describe(from)
                                                    + " to "
                                                    + describe(to))
                                    + (splitWidening
                                            ? " (a split syncs back only columns whose every"
                                                    + " value fits the old table)"
                                            : ""));
                }
            }
        }
        boolean split = parts.size() > 1 || !parts.get(0).table().equals(source.name());
        for (TableInfo.Column c : source.columns()) {
            List<String> holders =
                    parts.stream()
                            .filter(
                                    p ->
                                            p.columns().stream()
                                                    .anyMatch(
                                                            pair ->
                                                                    pair.source()
                                                                            .equalsIgnoreCase(
                                                                                    c.name())))
                            .map(Plan.Part::table)
                            .toList();
            boolean key =
                    parts.get(0).key().stream()
                            .anyMatch(k -> k.source().equalsIgnoreCase(c.name()));
            if (c.nullable() || c.hasDefault() || key) {
                continue;
            }
            if (holders.isEmpty()) {
                out.add("column " + c.name() + " is dropped and is NOT NULL without a default");
            } else if (split) {
                out.add(
                        "column "
                                + c.name()
                                + " is NOT NULL without a default and only "
                                + holders.get(0)
                                + " holds it: a row inserted into another part first has no value for it");
            }
        }
        for (TableInfo.Index idx : source.indexes()) {
            boolean kept =
                    !idx.unique()
                            || shapes.stream()
                                    .anyMatch(
                                            shape -> {
                                                List<String> mapped =
                                                        idx.columns().stream()
                                                                .map(shape.part().alter()::renamed)
                                                                .toList();
                                                return shape.shadow().indexes().stream()
                                                        .anyMatch(
                                                                s ->
                                                                        s.unique()
                                                                                && contains(
                                                                                        mapped,
                                                                                        s
                                                                                                .columns()));
                                            });
            if (!kept) {
                out.add(
                        "unique key "
                                + idx.name()
                                + " of the original is not enforced by the new table"
                                + (split ? "s" : ""));
            }
        }
        out.addAll(ParentForeignKeys.differences(source, shapes));
        return out;
    }

    /** The change when it is a widening, which the reverse triggers test row by row; else null. */
    private static ColumnChange widened(TableInfo.Column from, TableInfo.Column to) {
        ColumnChange change = ColumnChange.of(from, to);
        return change.widening() ? change : null;
    }

    private static String describe(TableInfo.Column c) {
        return c.columnType() + (c.charset() == null ? "" : " " + c.collation());
    }

    /**
     * The backfill may read without locks when a stale row can only meet its own newer version:
     * every unique key contains the chunk key, and no foreign key could refuse a row whose parent a
     * cascade just removed.
     */
    private static boolean lockFree(TableInfo shadow, Set<String> keyIndexes) {
        return shadow.foreignKeys().isEmpty()
                && shadow.indexes().stream()
                        .filter(TableInfo.Index::unique)
                        .allMatch(i -> keyIndexes.contains(i.name()));
    }

    /**
     * Every writable shadow column that has a source column: by rename, else by name
     * (case-insensitive).
     */
    static List<Plan.ColumnPair> columns(AlterClause alter, TableInfo source, TableInfo shadow) {
        return pairs(alter, source, shadow, false);
    }

    /**
     * Every column of the new shape that has a source column, generated ones too, in the new order:
     * the rows a native ALTER leaves, as far as the original shows them already.
     */
    public static List<Plan.ColumnPair> preview(
            AlterClause alter, TableInfo source, TableInfo shadow) {
        return pairs(alter, source, shadow, true);
    }

    private static List<Plan.ColumnPair> pairs(
            AlterClause alter, TableInfo source, TableInfo shadow, boolean generated) {
        List<Plan.ColumnPair> out = new ArrayList<>();
        for (TableInfo.Column target : shadow.columns()) {
            if (target.generated() && !generated) {
                continue;
            }
            source.columns().stream()
                    .filter(
                            s ->
                                    !alter.drops(s.name())
                                            || alter.renames()
                                                    .containsKey(s.name().toLowerCase(Locale.ROOT)))
                    .filter(s -> alter.renamed(s.name()).equalsIgnoreCase(target.name()))
                    .findFirst()
                    .ifPresent(
                            s ->
                                    out.add(
                                            new Plan.ColumnPair(
                                                    s.name(),
                                                    target.name(),
                                                    target.charset() != null,
                                                    widened(s, target))));
        }
        return out;
    }

    private record KeyChoice(
            String sourceIndex, Set<String> shadowIndexes, List<Plan.KeyColumn> columns) {}

    private static Optional<KeyChoice> chunkKey(
            PartSpec part, TableInfo source, TableInfo shadow, List<Problem> problems) {
        AlterClause alter = part.alter();
        List<TableInfo.Index> candidates =
                source.rowKeys().stream()
                        .sorted(
                                Comparator.comparing((TableInfo.Index i) -> !i.primary())
                                        .thenComparing(i -> i.columns().size()))
                        .toList();
        if (candidates.isEmpty()) {
            problems.add(
                    new Problem(
                            "spec.table",
                            "table "
                                    + source.schema()
                                    + "."
                                    + source.name()
                                    + " has no PRIMARY KEY and no UNIQUE key on NOT NULL columns, so rows cannot be told apart",
                            "add a primary key to the table first"));
            return Optional.empty();
        }
        List<String> floatKeys = new ArrayList<>();
        for (TableInfo.Index idx : candidates) {
            List<TableInfo.Column> cols =
                    idx.columns().stream().map(c -> source.column(c).orElseThrow()).toList();
            if (cols.stream().anyMatch(TableInfo.Column::isFloatingPoint)) {
                floatKeys.add(idx.name());
                continue;
            }
            if (cols.stream()
                    .anyMatch(
                            c ->
                                    alter.drops(c.name())
                                            && !alter.renames()
                                                    .containsKey(
                                                            c.name().toLowerCase(Locale.ROOT)))) {
                continue;
            }
            List<String> mapped = cols.stream().map(c -> alter.renamed(c.name())).toList();
            // a shadow unique key over these columns, or over more columns (the rows stay 1:1 with
            // the
            // source's, where these columns alone are unique); an index must start with them for
            // lookups
            Set<String> covering =
                    shadow.indexes().stream()
                            .filter(TableInfo.Index::unique)
                            .filter(s -> contains(s.columns(), mapped))
                            .map(TableInfo.Index::name)
                            .collect(Collectors.toSet());
            boolean indexed =
                    shadow.indexes().stream()
                            .anyMatch(
                                    s ->
                                            s.columns().size() >= mapped.size()
                                                    && contains(
                                                            s.columns().subList(0, mapped.size()),
                                                            mapped));
            if (!covering.isEmpty()
                    && indexed
                    && mapped.stream().allMatch(m -> shadow.column(m).isPresent())) {
                List<Plan.KeyColumn> keyCols = new ArrayList<>();
                for (TableInfo.Column c : cols) {
                    String target = shadow.column(alter.renamed(c.name())).orElseThrow().name();
                    keyCols.add(new Plan.KeyColumn(c.name(), target, c));
                }
                return Optional.of(new KeyChoice(idx.name(), covering, keyCols));
            }
        }
        if (!floatKeys.isEmpty() && floatKeys.size() == candidates.size()) {
            problems.add(
                    new Problem(
                            "spec.table",
                            "the only unique keys ("
                                    + String.join(", ", floatKeys)
                                    + ") are on FLOAT/DOUBLE columns, whose approximate values cannot delimit chunks",
                            KEY_FIX));
        } else {
            problems.add(
                    new Problem(
                            part.field(),
                            "no shared unique key can be found after ALTER: no unique "
                                    + "NOT NULL key of the original has the same columns in "
                                    + (part.table().equals(source.name())
                                            ? "the new table"
                                            : "part " + part.table()),
                            KEY_FIX));
        }
        return Optional.empty();
    }

    /**
     * Every name of {@code part} is in {@code whole}, ignoring case as MySQL does for column names.
     */
    private static boolean contains(List<String> whole, List<String> part) {
        return part.stream().allMatch(x -> whole.stream().anyMatch(x::equalsIgnoreCase));
    }

    public record Result(Plan plan, List<Problem> problems) {
        public boolean ok() {
            return plan != null && problems.isEmpty();
        }
    }
}

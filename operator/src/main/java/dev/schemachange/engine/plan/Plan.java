package dev.schemachange.engine.plan;

import dev.schemachange.mysql.TableInfo;
import java.util.List;
import java.util.Set;

/**
 * Everything the phases need to know about one change, derived from the spec and what the Inspector
 * read. Immutable: a different plan (see {@link #hash()}) means starting over, never mixing two
 * plans.
 *
 * @param parts the tables the change builds: one for an ALTER, one per part for a split
 * @param sourceKey the chunk key's index name on the source: a unique NOT NULL key every part
 *     carries
 * @param userTriggers the table's own triggers, carried to the new table at the swap
 * @param lockFreeCopy every unique key of every new table contains the chunk key and none has
 *     foreign keys, so the backfill may read without locks (see {@link Copier})
 * @param compatibilityView a split whose parts all have other names leaves a read-only view joining
 *     them under the original's name
 * @param irreversible why rows written after the swap could not go back to the old table unchanged
 *     (empty: they can)
 */
public record Plan(
        String schema,
        String table,
        String workSchema,
        String undoSchema,
        List<Part> parts,
        String sourceKey,
        Names names,
        List<TableInfo.Trigger> userTriggers,
        List<String> irreversible,
        boolean lockFreeCopy,
        boolean compatibilityView,
        List<String> notes,
        String hash) {

    public Plan {
        parts = List.copyOf(parts);
        userTriggers = List.copyOf(userTriggers);
        irreversible = List.copyOf(irreversible);
        notes = List.copyOf(notes);
    }

    /**
     * Whether the change divides the table into several; a plan of names only has no parts and is
     * not.
     */
    public boolean split() {
        return parts.size() > 1 || (parts.size() == 1 && !parts.get(0).table().equals(table));
    }

    /**
     * The chunk key with its names in the first part (source-side names are the same in every
     * part).
     */
    public List<KeyColumn> key() {
        return parts.get(0).key();
    }

    /** The part that takes the original's name, if one does. */
    public java.util.Optional<Part> namesake() {
        return parts.stream().filter(p -> p.table().equals(table)).findFirst();
    }

    /**
     * One table the change builds: its final name, its shadow ({@code <part>__osc_new}, next to the
     * original; the work schema shows it as a view {@code <workSchema>.<part>}), the columns it
     * takes from the original as (source name, shadow name) pairs in shadow order, the chunk key's
     * columns, and its unique keys that contain all of them: a duplicate on one of those is a row a
     * trigger already wrote.
     */
    public record Part(
            String schema,
            String table,
            String shadow,
            List<ColumnPair> columns,
            List<KeyColumn> key,
            Set<String> shadowKeys) {
        public Part {
            columns = List.copyOf(columns);
            key = List.copyOf(key);
            shadowKeys = Set.copyOf(shadowKeys);
        }

        /** The shadow table, quoted. */
        public String shadowTable() {
            return dev.schemachange.mysql.Identifiers.quote(schema, shadow);
        }

        /** The part's live table, quoted: its name once swapped. */
        public String liveTable() {
            return dev.schemachange.mysql.Identifiers.quote(schema, table);
        }

        /** On this part, writing back to the old table after the swap. */
        public List<String> reverseTriggers() {
            return Planner.names(table).reverseTriggers();
        }
    }

    /**
     * @param text the shadow column holds characters: compared by their utf8mb4 text, whatever the
     *     charset
     * @param widened the new column is wider than the old one ({@link ColumnChange.Kind#WIDENING}):
     *     a value goes back to the old table only when it fits there; null when every value does
     */
    public record ColumnPair(String source, String shadow, boolean text, ColumnChange widened) {
        public ColumnPair(String source, String shadow, boolean text) {
            this(source, shadow, text, null);
        }
    }

    /** The columns of the (single) new table that are wider than the old table's. */
    public List<ColumnPair> widened() {
        return parts.stream()
                .flatMap(p -> p.columns().stream())
                .filter(c -> c.widened() != null)
                .toList();
    }

    /**
     * A chunk key column: its names in both tables and its source type, which decides how values
     * are bound.
     */
    public record KeyColumn(String source, String shadow, TableInfo.Column type) {}

    /**
     * Helper object names. They sort after the table's own name (docs/architecture.md: RENAME locks
     * names in sorted order). {@code watermark} and {@code journal} are the backfill's tables the
     * forward triggers read and write (see {@link Watermark}).
     */
    public record Names(
            String insertTrigger,
            String updateTrigger,
            String deleteTrigger,
            String newTable,
            String oldTable,
            String watermark,
            String journal) {
        public List<String> forwardTriggers() {
            return List.of(insertTrigger, updateTrigger, deleteTrigger);
        }

        /** On the new table, writing back to the old one after the swap (in the same schema). */
        public List<String> reverseTriggers() {
            return List.of(reverse(insertTrigger), reverse(updateTrigger), reverse(deleteTrigger));
        }

        private static String reverse(String forward) {
            return forward.substring(0, forward.length() - 3)
                    + "r"
                    + forward.substring(forward.length() - 3);
        }
    }
}

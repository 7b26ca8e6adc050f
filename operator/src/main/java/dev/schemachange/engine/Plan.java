package dev.schemachange.engine;

import java.util.List;
import java.util.Set;

import dev.schemachange.mysql.TableInfo;

/**
 * Everything the phases need to know about one change, derived from the spec and what the Inspector read.
 * Immutable: a different plan (see {@link #hash()}) means starting over, never mixing two plans.
 *
 * @param shadow      the shadow table's name, in the original's schema ({@code <table>__osc_new}); the work
 *                    schema shows it as a view {@code <workSchema>.<table>}
 * @param columns     the columns copied, as (source name, shadow name) pairs in shadow order
 * @param key         the chunk key: a unique NOT NULL key present in both shapes
 * @param sourceKey   its index name on the source; {@code shadowKeys} the shadow's unique keys that contain all
 *                    its columns: a duplicate on one of those is a row a trigger already wrote
 * @param userTriggers the table's own triggers, carried to the new table at the swap
 * @param lockFreeCopy every unique key of the new table contains the chunk key and it has no foreign keys, so
 *                    the backfill may read without locks (see {@link Copier})
 * @param irreversible why rows written after the swap could not go back to the old table unchanged (empty: they can)
 */
public record Plan(
        String schema,
        String table,
        String workSchema,
        String undoSchema,
        String shadow,
        List<ColumnPair> columns,
        List<KeyColumn> key,
        String sourceKey,
        Set<String> shadowKeys,
        Names names,
        List<TableInfo.Trigger> userTriggers,
        List<String> irreversible,
        boolean lockFreeCopy,
        List<String> notes,
        String hash) {

    public Plan {
        columns = List.copyOf(columns);
        key = List.copyOf(key);
        shadowKeys = Set.copyOf(shadowKeys);
        userTriggers = List.copyOf(userTriggers);
        irreversible = List.copyOf(irreversible);
        notes = List.copyOf(notes);
    }

    /** @param text the shadow column holds characters: compared by their utf8mb4 text, whatever the charset */
    /** The shadow table, quoted. */
    public String shadowTable() {
        return dev.schemachange.mysql.Identifiers.quote(schema, shadow);
    }

    public record ColumnPair(String source, String shadow, boolean text) {
    }

    /** A chunk key column: its names in both tables and its source type, which decides how values are bound. */
    public record KeyColumn(String source, String shadow, TableInfo.Column type) {
    }

    /** Helper object names. They sort after the table's own name (see ARCHITECTURE.md: RENAME locks in order). */
    public record Names(String insertTrigger, String updateTrigger, String deleteTrigger, String newTable,
                        String oldTable) {
        public List<String> forwardTriggers() {
            return List.of(insertTrigger, updateTrigger, deleteTrigger);
        }

        /** On the new table, writing back to the old one after the swap (in the same schema). */
        public List<String> reverseTriggers() {
            return List.of(reverse(insertTrigger), reverse(updateTrigger), reverse(deleteTrigger));
        }

        private static String reverse(String forward) {
            return forward.substring(0, forward.length() - 3) + "r" + forward.substring(forward.length() - 3);
        }
    }
}

package dev.schemachange.engine;

import java.util.ArrayList;
import java.util.List;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.mysql.Identifiers;

/** Checks of the spec alone, before any connection: the engine never trusts admission control. */
final class SpecChecks {
    private SpecChecks() {
    }

    static List<Problem> check(SchemaChangeSpec spec) {
        List<Problem> out = new ArrayList<>();
        if (spec.database() == null) {
            out.add(new Problem("spec.database", "is missing", "give database.host, port, schema and credentialsSecret"));
        } else {
            identifier(out, "spec.database.schema", spec.database().schema());
        }
        identifier(out, "spec.table", spec.table());
        identifier(out, "spec.workSchema", spec.workSchema());
        identifier(out, "spec.undoSchema", spec.undoSchema());
        boolean hasAlter = spec.alter() != null && !spec.alter().isBlank();
        boolean hasSplit = spec.split() != null && !spec.split().isEmpty();
        if (hasAlter == hasSplit) {
            out.add(new Problem(hasAlter ? "spec.split" : "spec.alter", hasAlter ? "is set together with spec.alter"
                    : "neither spec.alter nor spec.split is set", "set exactly one of spec.alter and spec.split"));
        } else if (hasSplit) {
            out.add(new Problem("spec.split", "splitting a table is not supported yet", "use spec.alter"));
        }
        if (spec.strategy() == SchemaChangeSpec.Strategy.Native) {
            out.add(new Problem("spec.strategy", "Native is not supported yet", "use Auto or Copy"));
        }
        duration(out, "spec.backfill.chunkTime", spec.backfill().chunkTime());
        duration(out, "spec.swap.lockWaitTimeout", spec.swap().lockWaitTimeout());
        duration(out, "spec.retention.keepOldTableFor", spec.retention().keepOldTableFor());
        if (spec.backfill().maxChunkRows() < 1) {
            out.add(new Problem("spec.backfill.maxChunkRows", "must be at least 1", "e.g. 50000"));
        }
        if (spec.database() != null && spec.workSchema().equals(spec.database().schema())) {
            out.add(new Problem("spec.workSchema", "must differ from the table's schema", "keep the default _schemachange"));
        }
        return out;
    }

    private static void identifier(List<Problem> out, String field, String value) {
        if (value == null || value.isBlank()) {
            out.add(new Problem(field, "is missing", "give a table or schema name"));
        } else if (!Identifiers.isValid(value)) {
            out.add(new Problem(field, "'" + value + "' is not an accepted name",
                    "use 1-64 letters, digits, '_' or '$' (no quotes, spaces or ';')"));
        }
    }

    private static void duration(List<Problem> out, String field, String value) {
        if (!Durations.isValid(value)) {
            out.add(new Problem(field, "'" + value + "' is not a duration", "e.g. 500ms, 2s, 10m, 72h or 0"));
        }
    }
}

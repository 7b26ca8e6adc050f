package dev.schemachange.engine.check;

import dev.schemachange.api.Problem;
import dev.schemachange.api.SchemaChangeSpec;
import java.util.ArrayList;
import java.util.List;

/** Checks of the spec alone, before any connection: the engine never trusts admission control. */
public final class SpecChecks {
    private SpecChecks() {}

    /** {@link SpecValidation} (the CRD's rules) plus what this engine does not do yet. */
    public static List<Problem> check(SchemaChangeSpec spec) {
        List<Problem> out = new ArrayList<>(SpecValidation.check(spec));
        if (!out.isEmpty()) {
            return out;
        }
        if (spec.database() == null || spec.database().schema() == null) {
            out.add(
                    new Problem(
                            "spec.database.schema",
                            "is missing",
                            "name the table's schema (or give it in --jdbc-url)"));
        }
        boolean split = spec.split() != null && !spec.split().isEmpty();
        if (!split && !spec.dropColumns().isEmpty()) {
            out.add(
                    new Problem(
                            "spec.dropColumns",
                            "only applies to a split",
                            "drop columns with DROP COLUMN in spec.alter"));
        }
        if (!split && spec.compatibilityView()) {
            out.add(
                    new Problem(
                            "spec.compatibilityView",
                            "only applies to a split",
                            "remove it; the table keeps its name"));
        }
        if (split && spec.strategy() == SchemaChangeSpec.Strategy.Native) {
            out.add(
                    new Problem(
                            "spec.strategy",
                            "Native cannot split a table: a split builds new tables, always by a copy",
                            "use strategy: Auto or Copy"));
        }
        if (spec.database() != null && spec.workSchema().equals(spec.database().schema())) {
            out.add(
                    new Problem(
                            "spec.workSchema",
                            "must differ from the table's schema",
                            "keep the default _schemachange"));
        }
        return out;
    }
}

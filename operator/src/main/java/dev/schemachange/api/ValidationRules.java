package dev.schemachange.api;

/**
 * The CEL rules ({@code x-kubernetes-validations}) and bounds of the CRD that the OpenAPI patterns
 * cannot say, or cannot say with a message that tells the fix. The API server prefixes each message
 * with the field's path. They refuse at {@code kubectl apply} what SpecValidation would refuse at
 * the first reconcile, which still runs: a CRD installed without them, or an API server without
 * CEL, must stay safe. Strings and lists that a rule reads have a maximum length, so that the API
 * server can bound the rule's cost when the CRD is installed (CelRulesTest checks both).
 */
public final class ValidationRules {
    /** MySQL's longest identifier. */
    public static final int NAME_MAX = 64;

    /** InnoDB's most columns in one table: no list of column names needs more. */
    public static final int COLUMNS_MAX = 1017;

    /** More parts than any split needs, small enough to bound the rules that compare parts. */
    public static final int SPLIT_PARTS_MAX = 32;

    public static final int DURATION_MAX = 32;
    public static final int CRON_MAX = 128;

    /** A field's value is a plain MySQL identifier: append to {@code self.field}. */
    public static final String MATCHES_NAME = ".matches(r'" + Identifiers.PATTERN + "')";

    /** Every name in a list is one: append to {@code self.list}. */
    public static final String ALL_NAMES = ".all(n, n" + MATCHES_NAME + ")";

    public static final String NAME_MESSAGE =
            " must be a plain identifier: letters, digits, '_' or '$', 1-64 characters (no quotes,"
                    + " dots or semicolons)";

    public static final String IS_DURATION = ".matches(r'" + Durations.PATTERN + "')";

    /** A duration with a digit other than 0 is above 0. */
    public static final String ABOVE_ZERO = ".matches('[1-9]')";

    public static final String DURATION_MESSAGE =
            " must be a duration: a number with a unit (ms, s, m, h, d), e.g. 500ms, 2s, 72h,"
                    + " 1h30m, or \"0\"";

    public static final String POSITIVE_DURATION_MESSAGE =
            " must be a duration above 0: a number with a unit (ms, s, m, h, d), e.g. 500ms, 2s, 2h";

    /**
     * Minute, hour, day of month, month and day of week, each a {@code *}, value or range, with an
     * optional step, or a list of those: the forms cron-utils' UNIX definition accepts
     * (CrdSchemaTest checks that both agree on them).
     */
    public static final String MATCHES_CRON =
            ".matches(r'^\\s*"
                    + "([*]|[0-5]?[0-9](-[0-5]?[0-9])?)(/[0-9]+)?(,([*]|[0-5]?[0-9](-[0-5]?[0-9])?)(/[0-9]+)?)*"
                    + "\\s+"
                    + "([*]|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[0-9]+)?(,([*]|([01]?[0-9]|2[0-3])(-([01]?[0-9]|2[0-3]))?)(/[0-9]+)?)*"
                    + "\\s+"
                    + "([*]|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[0-9]+)?(,([*]|(0?[1-9]|[12][0-9]|3[01])(-(0?[1-9]|[12][0-9]|3[01]))?)(/[0-9]+)?)*"
                    + "\\s+"
                    + "(?i)([*]|(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(-(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))?)(/[0-9]+)?(,([*]|(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(-(0?[1-9]|1[0-2]|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC))?)(/[0-9]+)?)*"
                    + "\\s+"
                    + "([*]|([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(-([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT))?)(/[0-9]+)?(,([*]|([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT)(-([0-7]|SUN|MON|TUE|WED|THU|FRI|SAT))?)(/[0-9]+)?)*"
                    + "\\s*$')";

    public static final String CRON_MESSAGE =
            "swap.window.schedule must be a 5-field cron: minute (0-59) hour (0-23) day-of-month"
                    + " (1-31) month (1-12) day-of-week (0-7, 0 and 7 are Sunday), each *, a value, a"
                    + " range a-b, a step */n or a list, e.g. \"0 2 * * 6\" for Saturdays at 02:00";

    public static final String SPLIT_TABLES_UNIQUE =
            "!has(self.split) || self.split.all(p, self.split.exists_one(q,"
                    + " q.table.lowerAscii() == p.table.lowerAscii()))";
    public static final String SPLIT_TABLES_UNIQUE_MESSAGE =
            "split: two parts name the same table: give each part its own table";

    public static final String HELPER_SCHEMAS_APART =
            "(has(self.workSchema) ? self.workSchema : '"
                    + SchemaChangeSpec.DEFAULT_WORK_SCHEMA
                    + "').lowerAscii() != (has(self.undoSchema) ? self.undoSchema : '"
                    + SchemaChangeSpec.DEFAULT_UNDO_SCHEMA
                    + "').lowerAscii()";
    public static final String HELPER_SCHEMAS_APART_MESSAGE =
            "undoSchema is the same as workSchema: keep shadow tables and old tables apart, e.g."
                    + " undoSchema: "
                    + SchemaChangeSpec.DEFAULT_UNDO_SCHEMA;

    public static final String HELPER_SCHEMAS_NOT_THE_APPLICATIONS =
            "!has(self.database) || !has(self.database.schema) || ("
                    + "(has(self.workSchema) ? self.workSchema : '"
                    + SchemaChangeSpec.DEFAULT_WORK_SCHEMA
                    + "').lowerAscii() != self.database.schema.lowerAscii()"
                    + " && (has(self.undoSchema) ? self.undoSchema : '"
                    + SchemaChangeSpec.DEFAULT_UNDO_SCHEMA
                    + "').lowerAscii() != self.database.schema.lowerAscii())";
    public static final String HELPER_SCHEMAS_NOT_THE_APPLICATIONS_MESSAGE =
            "workSchema and undoSchema must not be database.schema, the application's schema: give"
                    + " each a schema of its own, e.g. the defaults "
                    + SchemaChangeSpec.DEFAULT_WORK_SCHEMA
                    + " and "
                    + SchemaChangeSpec.DEFAULT_UNDO_SCHEMA;

    public static final String DROP_SWAP_KEEPS_NOTHING =
            "!has(self.foreignKeys) || !has(self.foreignKeys.children)"
                    + " || self.foreignKeys.children != 'DropSwap'"
                    + " || (has(self.retention) && has(self.retention.keepOldTableFor)"
                    + " && !self.retention.keepOldTableFor.matches('[1-9]'))";
    public static final String DROP_SWAP_KEEPS_NOTHING_MESSAGE =
            "foreignKeys.children: DropSwap drops the original table at the swap, so no old table"
                    + " can be kept for a rollback: set retention.keepOldTableFor: \"0\", or use"
                    + " foreignKeys.children: RebuildConstraints (atomic swap, rollback possible)";

    private ValidationRules() {}
}

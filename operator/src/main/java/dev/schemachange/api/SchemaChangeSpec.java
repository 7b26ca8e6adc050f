package dev.schemachange.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;
import java.util.Map;

/**
 * The desired change. Records so that a spec is a value: the engine hashes it to detect a changed
 * plan. Defaults are filled in by the compact constructors, so every consumer sees the same
 * effective values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
        value = "has(self.alter) != has(self.split)",
        message = "set exactly one of alter or split",
        reason = "FieldValueInvalid")
@ValidationRule(
        value = "self.table == oldSelf.table",
        reason = "FieldValueForbidden",
        message =
                "table cannot change once the SchemaChange exists: create a new SchemaChange for another table")
@ValidationRule(
        value =
                "self.database.host == oldSelf.database.host"
                        + " && self.database.schema == oldSelf.database.schema"
                        + " && (has(self.database.port) ? self.database.port : 3306)"
                        + " == (has(oldSelf.database.port) ? oldSelf.database.port : 3306)",
        reason = "FieldValueForbidden",
        message =
                "database host, port and schema cannot change once the SchemaChange exists (credentialsSecret"
                        + " may): create a new SchemaChange for another server")
@ValidationRule(
        value =
                "(has(self.workSchema) ? self.workSchema : '_schemachange')"
                        + " == (has(oldSelf.workSchema) ? oldSelf.workSchema : '_schemachange')",
        reason = "FieldValueForbidden",
        message =
                "workSchema holds the change's state and shadow table: it cannot change once the SchemaChange exists")
@ValidationRule(
        value = "!has(self.table) || self.table" + ValidationRules.MATCHES_NAME,
        message = "table" + ValidationRules.NAME_MESSAGE,
        fieldPath = ".table")
@ValidationRule(
        value = "!has(self.workSchema) || self.workSchema" + ValidationRules.MATCHES_NAME,
        message = "workSchema" + ValidationRules.NAME_MESSAGE,
        fieldPath = ".workSchema")
@ValidationRule(
        value = "!has(self.undoSchema) || self.undoSchema" + ValidationRules.MATCHES_NAME,
        message = "undoSchema" + ValidationRules.NAME_MESSAGE,
        fieldPath = ".undoSchema")
@ValidationRule(
        value = "!has(self.dropColumns) || self.dropColumns" + ValidationRules.ALL_NAMES,
        message = "every name in dropColumns" + ValidationRules.NAME_MESSAGE,
        fieldPath = ".dropColumns")
@ValidationRule(
        value = ValidationRules.SPLIT_TABLES_UNIQUE,
        message = ValidationRules.SPLIT_TABLES_UNIQUE_MESSAGE,
        reason = "FieldValueDuplicate",
        fieldPath = ".split")
@ValidationRule(
        value = ValidationRules.HELPER_SCHEMAS_APART,
        message = ValidationRules.HELPER_SCHEMAS_APART_MESSAGE,
        fieldPath = ".undoSchema")
@ValidationRule(
        value = ValidationRules.HELPER_SCHEMAS_NOT_THE_APPLICATIONS,
        message = ValidationRules.HELPER_SCHEMAS_NOT_THE_APPLICATIONS_MESSAGE)
@ValidationRule(
        value = ValidationRules.DROP_SWAP_KEEPS_NOTHING,
        message = ValidationRules.DROP_SWAP_KEEPS_NOTHING_MESSAGE,
        fieldPath = ".retention.keepOldTableFor")
public record SchemaChangeSpec(
        @Required Database database,
        @Required @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX) String table,
        @Size(min = 1) String alter,
        @Size(min = 1, max = ValidationRules.SPLIT_PARTS_MAX) List<SplitPart> split,
        @Size(max = ValidationRules.COLUMNS_MAX)
                List<@Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX) String>
                        dropColumns,
        Boolean compatibilityView,
        Strategy strategy,
        Backfill backfill,
        Swap swap,
        ForeignKeys foreignKeys,
        MigrationVersion migrationVersion,
        Retention retention,
        @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX) String workSchema,
        @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX) String undoSchema,
        @JsonProperty("native") NativeOptions nativeOptions) {

    public static final String DEFAULT_WORK_SCHEMA = "_schemachange";
    public static final String DEFAULT_UNDO_SCHEMA = "_schemachange_undo";

    public SchemaChangeSpec {
        split = split == null ? null : List.copyOf(split);
        dropColumns = dropColumns == null ? List.of() : List.copyOf(dropColumns);
        compatibilityView = compatibilityView != null && compatibilityView;
        strategy = strategy == null ? Strategy.Auto : strategy;
        backfill = backfill == null ? new Backfill(null, null, null, null, null) : backfill;
        swap = swap == null ? new Swap(null, null, null, null) : swap;
        foreignKeys = foreignKeys == null ? new ForeignKeys(null) : foreignKeys;
        retention = retention == null ? new Retention(null, null) : retention;
        workSchema = workSchema == null || workSchema.isBlank() ? DEFAULT_WORK_SCHEMA : workSchema;
        undoSchema = undoSchema == null || undoSchema.isBlank() ? DEFAULT_UNDO_SCHEMA : undoSchema;
        nativeOptions = nativeOptions == null ? new NativeOptions(null) : nativeOptions;
    }

    /**
     * The same change against another database (the CLI's connection flags override spec.database).
     */
    public SchemaChangeSpec withDatabase(Database other) {
        return new SchemaChangeSpec(
                other,
                table,
                alter,
                split,
                dropColumns,
                compatibilityView,
                strategy,
                backfill,
                swap,
                foreignKeys,
                migrationVersion,
                retention,
                workSchema,
                undoSchema,
                nativeOptions);
    }

    /** The same change under another strategy (Auto's fallback to a copy validates as Copy). */
    public SchemaChangeSpec withStrategy(Strategy other) {
        return new SchemaChangeSpec(
                database,
                table,
                alter,
                split,
                dropColumns,
                compatibilityView,
                other,
                backfill,
                swap,
                foreignKeys,
                migrationVersion,
                retention,
                workSchema,
                undoSchema,
                nativeOptions);
    }

    public enum Strategy {
        Auto,
        Copy,
        Native
    }

    @ValidationRule(
            value = "!has(self.schema) || self.schema" + ValidationRules.MATCHES_NAME,
            message = "database.schema" + ValidationRules.NAME_MESSAGE,
            fieldPath = ".schema")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Database(
            @Required @Pattern(Identifiers.HOST_PATTERN) String host,
            @Min(1) @Max(65535) Integer port,
            @Required @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX)
                    String schema,
            @Required @Pattern(SECRET_NAME_PATTERN) String credentialsSecret) {
        /** A Kubernetes object name. */
        public static final String SECRET_NAME_PATTERN = "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$";

        public Database {
            port = port == null ? 3306 : port;
        }
    }

    @ValidationRule(
            value = "!has(self.table) || self.table" + ValidationRules.MATCHES_NAME,
            message = "split[].table" + ValidationRules.NAME_MESSAGE,
            fieldPath = ".table")
    @ValidationRule(
            value = "!has(self.columns) || self.columns" + ValidationRules.ALL_NAMES,
            message = "every name in split[].columns" + ValidationRules.NAME_MESSAGE,
            fieldPath = ".columns")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SplitPart(
            @Required @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX)
                    String table,
            @Required @Size(min = 1, max = ValidationRules.COLUMNS_MAX)
                    List<@Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX) String>
                            columns,
            String alter) {
        public SplitPart {
            columns = columns == null ? List.of() : List.copyOf(columns);
        }
    }

    @ValidationRule(
            value =
                    "!has(self.chunkTime) || (self.chunkTime"
                            + ValidationRules.IS_DURATION
                            + " && self.chunkTime"
                            + ValidationRules.ABOVE_ZERO
                            + ")",
            message = "backfill.chunkTime" + ValidationRules.POSITIVE_DURATION_MESSAGE,
            fieldPath = ".chunkTime")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backfill(
            @Pattern(Durations.PATTERN) @Size(max = ValidationRules.DURATION_MAX) String chunkTime,
            @Min(1) Integer maxChunkRows,
            @Min(1) @Max(64) Integer threads,
            Throttle throttle,
            @Min(1024) Integer maxChunkBytes) {
        public Backfill {
            maxChunkBytes = maxChunkBytes == null ? 2 * 1024 * 1024 : maxChunkBytes;
            chunkTime = chunkTime == null ? "500ms" : chunkTime;
            maxChunkRows = maxChunkRows == null ? 50_000 : maxChunkRows;
            threads = threads == null ? 1 : threads;
            throttle = throttle == null ? new Throttle(null, null, null, null) : throttle;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Throttle(
            @Min(1) Integer maxThreadsRunning,
            @Min(0) Integer maxReplicaLagSeconds,
            List<@Pattern(Identifiers.HOST_PORT_PATTERN) String> replicas,
            @Min(0) Integer maxThreadsRunningRise) {
        public Throttle {
            maxThreadsRunningRise = maxThreadsRunningRise == null ? 8 : maxThreadsRunningRise;
            maxThreadsRunning = maxThreadsRunning == null ? 25 : maxThreadsRunning;
            maxReplicaLagSeconds = maxReplicaLagSeconds == null ? 1 : maxReplicaLagSeconds;
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
        }
    }

    public enum Approval {
        None,
        Required
    }

    @ValidationRule(
            value =
                    "!has(self.lockWaitTimeout) || (self.lockWaitTimeout"
                            + ValidationRules.IS_DURATION
                            + " && self.lockWaitTimeout"
                            + ValidationRules.ABOVE_ZERO
                            + ")",
            message = "swap.lockWaitTimeout" + ValidationRules.POSITIVE_DURATION_MESSAGE,
            fieldPath = ".lockWaitTimeout")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Swap(
            Approval approval,
            Window window,
            @Pattern(Durations.PATTERN) @Size(max = ValidationRules.DURATION_MAX)
                    String lockWaitTimeout,
            @Min(1) Integer maxAttempts) {
        public Swap {
            approval = approval == null ? Approval.None : approval;
            lockWaitTimeout = lockWaitTimeout == null ? "2s" : lockWaitTimeout;
            maxAttempts = maxAttempts == null ? 20 : maxAttempts;
        }
    }

    @ValidationRule(
            value = "!has(self.schedule) || self.schedule" + ValidationRules.MATCHES_CRON,
            message = ValidationRules.CRON_MESSAGE,
            fieldPath = ".schedule")
    @ValidationRule(
            value =
                    "!has(self.duration) || (self.duration"
                            + ValidationRules.IS_DURATION
                            + " && self.duration"
                            + ValidationRules.ABOVE_ZERO
                            + ")",
            message = "swap.window.duration" + ValidationRules.POSITIVE_DURATION_MESSAGE,
            fieldPath = ".duration")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(
            @Required @Pattern(CRON_PATTERN) @Size(max = ValidationRules.CRON_MAX) String schedule,
            @Required @Pattern(Durations.PATTERN) @Size(max = ValidationRules.DURATION_MAX)
                    String duration,
            String timeZone) {
        /**
         * Five space-separated fields; the reconciler parses them with cron-utils for the real
         * check.
         */
        public static final String CRON_PATTERN = "^\\s*\\S+(\\s+\\S+){4}\\s*$";

        public Window {
            timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
        }
    }

    public enum ChildPolicy {
        RebuildConstraints,
        DropSwap,
        Fail
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ForeignKeys(
            @JsonPropertyDescription(
                            "Child tables that reference this one. RebuildConstraints (default): atomic "
                                    + "swap, then each child constraint is re-pointed at the new table in place, keeping its name; "
                                    + "rollback re-points them back. DropSwap (pt-online-schema-change's drop_swap, explicit "
                                    + "opt-in): the original is dropped and the new table renamed into its place with "
                                    + "foreign_key_checks=0, so the constraints bind to it by name. RISK: not atomic - for the "
                                    + "moment between DROP and RENAME (tens of ms; longer if dropping a large table's file is slow) "
                                    + "the table does not exist and application statements fail with ER 1146; a crash in that "
                                    + "moment leaves it missing until the change runs again. No old table remains, so no rollback "
                                    + "after the swap: requires retention.keepOldTableFor: \"0\". Fail: refuse when children exist.")
                    ChildPolicy children) {
        public ForeignKeys {
            children = children == null ? ChildPolicy.RebuildConstraints : children;
        }
    }

    @ValidationRule(
            value = "!has(self.table) || self.table" + ValidationRules.MATCHES_NAME,
            message = "migrationVersion.table" + ValidationRules.NAME_MESSAGE,
            fieldPath = ".table")
    @ValidationRule(
            value = "!has(self.column) || self.column" + ValidationRules.MATCHES_NAME,
            message = "migrationVersion.column" + ValidationRules.NAME_MESSAGE,
            fieldPath = ".column")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MigrationVersion(
            @Required @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX)
                    String table,
            @Required @Pattern(Identifiers.PATTERN) @Size(max = ValidationRules.NAME_MAX)
                    String column,
            @Required String value,
            Map<String, String> values) {
        public MigrationVersion {
            values = values == null ? Map.of() : Map.copyOf(values);
        }
    }

    @ValidationRule(
            value =
                    "!has(self.keepOldTableFor) || self.keepOldTableFor"
                            + ValidationRules.IS_DURATION,
            message = "retention.keepOldTableFor" + ValidationRules.DURATION_MESSAGE,
            fieldPath = ".keepOldTableFor")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retention(
            @Pattern(Durations.PATTERN) @Size(max = ValidationRules.DURATION_MAX)
                    String keepOldTableFor,
            Boolean reverseSync) {
        public Retention {
            keepOldTableFor = keepOldTableFor == null ? "72h" : keepOldTableFor;
            reverseSync = reverseSync == null || reverseSync;
        }
    }

    /** How a native change (strategy Auto or Native) may run; {@code native:} in YAML. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record NativeOptions(
            @JsonPropertyDescription(
                            "Also accept ALGORITHM=INPLACE, LOCK=NONE when the server cannot apply the ALTER "
                                    + "as INSTANT: the table is rebuilt in place (its full I/O, replica lag for the whole "
                                    + "rebuild, a metadata lock at its start and end) instead of copied. Default false: "
                                    + "only INSTANT (metadata-only) changes run natively.")
                    Boolean allowInplace) {
        public NativeOptions {
            allowInplace = allowInplace != null && allowInplace;
        }
    }
}

package dev.schemachange.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The desired change. Records so that a spec is a value: the engine hashes it to detect a changed plan.
 * Defaults are filled in by the compact constructors, so every consumer sees the same effective values.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SchemaChangeSpec(
        Database database,
        String table,
        String alter,
        List<SplitPart> split,
        List<String> dropColumns,
        Boolean compatibilityView,
        Strategy strategy,
        Backfill backfill,
        Swap swap,
        ForeignKeys foreignKeys,
        MigrationVersion migrationVersion,
        Retention retention,
        String workSchema,
        String undoSchema) {

    public static final String DEFAULT_WORK_SCHEMA = "_schemachange";
    public static final String DEFAULT_UNDO_SCHEMA = "_schemachange_undo";

    public SchemaChangeSpec {
        split = split == null ? null : List.copyOf(split);
        dropColumns = dropColumns == null ? List.of() : List.copyOf(dropColumns);
        compatibilityView = compatibilityView != null && compatibilityView;
        strategy = strategy == null ? Strategy.Auto : strategy;
        backfill = backfill == null ? new Backfill(null, null, null, null) : backfill;
        swap = swap == null ? new Swap(null, null, null, null) : swap;
        foreignKeys = foreignKeys == null ? new ForeignKeys(null) : foreignKeys;
        retention = retention == null ? new Retention(null, null) : retention;
        workSchema = workSchema == null || workSchema.isBlank() ? DEFAULT_WORK_SCHEMA : workSchema;
        undoSchema = undoSchema == null || undoSchema.isBlank() ? DEFAULT_UNDO_SCHEMA : undoSchema;
    }

    /** The same change against another database (the CLI's connection flags override spec.database). */
    public SchemaChangeSpec withDatabase(Database other) {
        return new SchemaChangeSpec(other, table, alter, split, dropColumns, compatibilityView, strategy, backfill,
                swap, foreignKeys, migrationVersion, retention, workSchema, undoSchema);
    }

    public enum Strategy { Auto, Copy, Native }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Database(String host, Integer port, String schema, String credentialsSecret) {
        public Database {
            port = port == null ? 3306 : port;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record SplitPart(String table, List<String> columns, String alter) {
        public SplitPart {
            columns = columns == null ? List.of() : List.copyOf(columns);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Backfill(String chunkTime, Integer maxChunkRows, Integer threads, Throttle throttle) {
        public Backfill {
            chunkTime = chunkTime == null ? "500ms" : chunkTime;
            maxChunkRows = maxChunkRows == null ? 50_000 : maxChunkRows;
            threads = threads == null ? 1 : threads;
            throttle = throttle == null ? new Throttle(null, null, null) : throttle;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Throttle(Integer maxThreadsRunning, Integer maxReplicaLagSeconds, List<String> replicas) {
        public Throttle {
            maxThreadsRunning = maxThreadsRunning == null ? 25 : maxThreadsRunning;
            maxReplicaLagSeconds = maxReplicaLagSeconds == null ? 1 : maxReplicaLagSeconds;
            replicas = replicas == null ? List.of() : List.copyOf(replicas);
        }
    }

    public enum Approval { None, Required }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Swap(Approval approval, Window window, String lockWaitTimeout, Integer maxAttempts) {
        public Swap {
            approval = approval == null ? Approval.None : approval;
            lockWaitTimeout = lockWaitTimeout == null ? "2s" : lockWaitTimeout;
            maxAttempts = maxAttempts == null ? 20 : maxAttempts;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Window(String schedule, String duration, String timeZone) {
        public Window {
            timeZone = timeZone == null || timeZone.isBlank() ? "UTC" : timeZone;
        }
    }

    public enum ChildPolicy { RebuildConstraints, DropSwap, Fail }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ForeignKeys(ChildPolicy children) {
        public ForeignKeys {
            children = children == null ? ChildPolicy.RebuildConstraints : children;
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record MigrationVersion(String table, String column, String value, Map<String, String> values) {
        public MigrationVersion {
            values = values == null ? Map.of() : Map.copyOf(values);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Retention(String keepOldTableFor, Boolean reverseSync) {
        public Retention {
            keepOldTableFor = keepOldTableFor == null ? "72h" : keepOldTableFor;
            reverseSync = reverseSync == null || reverseSync;
        }
    }
}

package dev.schemachange.operator;

/** Condition and Event reasons, in one place so that docs, alerts and tests use the same words. */
public final class Reasons {
    public static final String INVALID_SPEC = "InvalidSpec";
    public static final String REVERSE_SYNCED = "ReverseSynced";
    public static final String ROWS_NOT_CARRIED = "RowsNotCarried";
    public static final String NOT_REVERSE_SYNCED = "NotReverseSynced";
    public static final String SPEC_VALID = "SpecValid";
    public static final String INVALID_ANNOTATION = "InvalidAnnotation";
    public static final String CREDENTIALS_MISSING = "CredentialsMissing";
    public static final String CREDENTIALS_REJECTED = "CredentialsRejected";
    public static final String DATABASE_UNREACHABLE = "DatabaseUnreachable";
    public static final String TARGET_CHANGED = "TargetChanged";
    public static final String SPEC_CHANGE_REFUSED = "SpecChangeRefused";
    public static final String SPEC_CHANGED = "SpecChanged";
    public static final String BLOCKED = "Blocked";
    public static final String ENGINE_ERROR = "EngineError";
    public static final String AS_EXPECTED = "AsExpected";
    public static final String PAUSED = "PausedByAnnotation";
    public static final String NOT_PAUSED = "NotPaused";
    public static final String APPROVAL_REQUIRED = "ApprovalRequired";
    public static final String WAITING_FOR_WINDOW = "WaitingForWindow";
    public static final String NOT_BEFORE = "NotBefore";
    public static final String READY_TO_SWAP = "ReadyToSwap";
    public static final String NOT_YET = "NotYet";
    public static final String THROTTLED = "Throttled";
    public static final String NOT_THROTTLED = "NotThrottled";
    public static final String TABLE_HELD = "TableHeldByAnotherChange";
    public static final String RETENTION = "KeepingOldTable";
    public static final String CLEANED_UP = "CleanedUp";
    public static final String CLEANUP_FAILED = "CleanupFailed";

    private Reasons() {}
}

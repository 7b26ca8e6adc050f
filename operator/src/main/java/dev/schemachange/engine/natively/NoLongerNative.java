package dev.schemachange.engine.natively;

/**
 * Under {@code strategy: Auto}, the server refused the native ALTER on the real table at the swap
 * as "not supported" (not a lock timeout): the real table differs from the scratch copy the choice
 * was made on (rebuilt meanwhile with another row format, say). The table is unchanged; the change
 * goes on as a copy.
 */
public final class NoLongerNative extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String algorithm;

    /**
     * @param serverReason the server's refusal, as it worded it
     */
    public NoLongerNative(String algorithm, String serverReason) {
        super(serverReason);
        this.algorithm = algorithm;
    }

    /** One line for the state row, the status and the Event. */
    public String reason(String table) {
        return "strategy Copy: at the swap the server no longer applies the ALTER to "
                + table
                + " as "
                + algorithm
                + " (the real table differs from the copy it was tried on): "
                + getMessage()
                + "; the table is unchanged and the change goes on as a copy"
                + " (shadow table, triggers, backfill, verify, then the swap again)";
    }
}

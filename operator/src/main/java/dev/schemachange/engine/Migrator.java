package dev.schemachange.engine;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;

/**
 * Drives one change through its phases and persists progress in {@code <workSchema>.schemachange_state}.
 * Every call does a bounded slice of work and returns; calling again (same process or a new one) continues
 * from the state row. The operator calls {@link #advance} once per reconcile, the CLI in a loop.
 */
public final class Migrator {
    private final ConnectionFactory db;
    private final SchemaChangeSpec spec;
    private final String owner;
    private final Clock clock;

    /**
     * @param owner who asks, e.g. "shop/orders-bigint-id" — recorded in the state row, so a second change
     *              for the same table can be told which change holds it
     */
    public Migrator(ConnectionFactory db, SchemaChangeSpec spec, String owner, Clock clock) {
        this.db = db;
        this.spec = spec;
        this.owner = owner;
        this.clock = clock;
    }

    /** Runs phases for about {@code budget}, stopping early at {@code until} or where the change must wait. */
    public Progress advance(Controls controls, Duration budget, Phase until) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** Before the swap: drop triggers, shadow and state (original untouched) → RolledBack. */
    public Progress rollback(Duration budget) {
        throw new UnsupportedOperationException("not implemented yet");
    }

    /** The change's state as stored in the database, if it has started. */
    public Optional<Progress> read() {
        throw new UnsupportedOperationException("not implemented yet");
    }
}

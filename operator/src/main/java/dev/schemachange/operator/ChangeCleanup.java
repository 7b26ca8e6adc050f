package dev.schemachange.operator;

import dev.schemachange.api.Durations;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.engine.check.SpecValidation;
import dev.schemachange.engine.db.JdbcConnections;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What deleting a SchemaChange does to the database (the finalizer). Before the swap: triggers,
 * shadow and state go, the original table stays untouched. After it: the live table is left alone,
 * an old table past its retention is dropped, else kept. A change that never reached the engine, or
 * whose table another change holds, has nothing in the database to remove. Every outcome is told in
 * an Event.
 */
final class ChangeCleanup {
    private static final Logger log = LoggerFactory.getLogger(ChangeCleanup.class);

    private final CredentialsReader credentials;
    private final EventRecorder events;
    private final Engine.Factory engines;
    private final OperatorSettings settings;
    private final Backoff backoff;

    ChangeCleanup(
            CredentialsReader credentials,
            EventRecorder events,
            Engine.Factory engines,
            OperatorSettings settings,
            Backoff backoff) {
        this.credentials = credentials;
        this.events = events;
        this.engines = engines;
        this.settings = settings;
        this.backoff = backoff;
    }

    DeleteControl run(SchemaChange change) {
        String key = SchemaChangeReconciler.owner(change);
        SchemaChangeStatus status =
                change.getStatus() == null ? new SchemaChangeStatus() : change.getStatus();
        // started: helper objects surely exist, so the finalizer stays until they are gone (or a
        // human removes
        // it); otherwise a best effort that never blocks the deletion
        boolean started = started(status);
        if (!SpecValidation.checkForCluster(change.getSpec()).isEmpty()) {
            return started
                    ? keep(
                            change,
                            key,
                            "the spec is invalid: restore the spec so the change can be rolled "
                                    + "back")
                    : DeleteControl.defaultDelete();
        }
        SchemaChangeSpec spec = change.getSpec();
        CredentialsReader.Result login =
                credentials.read(
                        change.getMetadata().getNamespace(), spec.database().credentialsSecret());
        if (!login.ok()) {
            return started
                    ? keep(change, key, login.problem().toString())
                    : DeleteControl.defaultDelete();
        }
        ChangeTarget where =
                new ChangeTarget(
                        spec, key, JdbcConnections.url(spec.database()), login.credentials());
        try {
            return clean(change, engines.create(where), spec, where, key);
        } catch (RuntimeException e) {
            log.warn("cleanup failed", e);
            return started
                    ? keep(change, key, "cleanup failed: " + e.getMessage())
                    : DeleteControl.defaultDelete();
        }
    }

    private DeleteControl keep(SchemaChange change, String key, String why) {
        events.warning(
                change,
                Reasons.CLEANUP_FAILED,
                "cannot clean up: "
                        + why
                        + "; retrying with backoff, or "
                        + "remove the finalizer to leave the change's triggers and shadow table in the database");
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(backoff.next(key));
    }

    /** Work in the database may exist: the status shows a phase between Pending and the end. */
    private static boolean started(SchemaChangeStatus status) {
        if (status.getPhase() == null) {
            return false;
        }
        try {
            Phase phase = Phase.valueOf(status.getPhase());
            return phase != Phase.Pending && !phase.isTerminal();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private DeleteControl clean(
            SchemaChange change,
            Engine engine,
            SchemaChangeSpec spec,
            ChangeTarget where,
            String key) {
        // the engine first checks that the table's state row is this change's, so deleting a change
        // that waits
        // for the table can never undo the change that holds it; after the swap it touches nothing
        Progress p = engine.abandon(settings.slice());
        if (p.waitReason() == Reason.TABLE_HELD) {
            events.normal(
                    change,
                    Reasons.CLEANED_UP,
                    "nothing of this change in the database: " + p.waitingFor().detail());
            return DeleteControl.defaultDelete();
        }
        Phase phase = p.phase() == null ? Phase.Pending : p.phase();
        if (phase == Phase.RolledBack || phase == Phase.Failed) {
            backoff.reset(key);
            events.normal(
                    change,
                    Reasons.CLEANED_UP,
                    "before the swap: no triggers, shadow table or state left; "
                            + "the original table "
                            + where.where()
                            + " is untouched");
            return DeleteControl.defaultDelete();
        }
        if (phase.isSwapped()) {
            events.normal(change, Reasons.CLEANED_UP, afterSwap(engine, p, spec, where));
            return DeleteControl.defaultDelete();
        }
        return DeleteControl.noFinalizerRemoval().rescheduleAfter(settings.busyDelay());
    }

    /**
     * Deleting after the swap never touches the live table. The old table stays for the rest of its
     * retention (it is the way back); once retention has passed, one more engine slice drops it as
     * the change would have.
     */
    private String afterSwap(
            Engine engine, Progress stored, SchemaChangeSpec spec, ChangeTarget where) {
        String live = "the swap had happened: the live table " + where.where() + " is left alone";
        if (stored.phase() == Phase.Completed || stored.oldTable() == null) {
            return live + "; no helper object is left";
        }
        Instant until =
                stored.swappedAt() == null
                        ? null
                        : stored.swappedAt()
                                .plus(Durations.parse(spec.retention().keepOldTableFor()));
        if (until != null && !settings.clock().instant().isBefore(until)) {
            Progress p = engine.advance(Controls.NONE, settings.slice(), Phase.Completed);
            if (p.phase() == Phase.Completed) {
                return live
                        + "; its retention had passed, so the old table "
                        + stored.oldTable()
                        + " was dropped";
            }
        }
        return live
                + "; the old table "
                + stored.oldTable()
                + " is kept"
                + (until == null ? "" : " until " + ProgressStatus.time(until))
                + " and then must be dropped by hand";
    }
}

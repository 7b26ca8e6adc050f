package dev.schemachange.operator;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.api.SchemaChangeStatus.BackfillStatus;
import dev.schemachange.api.SchemaChangeStatus.SwapStatus;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.engine.swap.SwapWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Optional;

/**
 * Maps the engine's {@link Progress} to the status users read: phase, backfill and swap blocks, old
 * table, message and the conditions. Pure: everything it needs is passed in, the clock included.
 */
public final class ProgressStatus {
    private final SchemaChangeSpec spec;
    private final Controls controls;
    private final SwapWindow window;
    private final Instant now;

    public ProgressStatus(
            SchemaChangeSpec spec, Controls controls, SwapWindow window, Instant now) {
        this.spec = spec;
        this.controls = controls;
        this.window = window;
        this.now = now;
    }

    /**
     * Fills {@code status} (a fresh copy) from {@code p}; conditions are set on {@code conditions}.
     */
    public void apply(Progress p, SchemaChangeStatus status, Conditions conditions) {
        if (p.waitReason() == Reason.TABLE_HELD) {
            held(p, status, conditions);
            return;
        }
        Phase phase = p.phase() == null ? Phase.Pending : p.phase();
        status.setPhase(phase.name());
        status.setBackfill(backfill(p, phase));
        status.setSwap(swap(p, phase));
        status.setParts(
                p.parts().isEmpty()
                        ? null
                        : p.parts().stream()
                                .map(
                                        part ->
                                                new SchemaChangeStatus.PartStatus(
                                                        part.table(),
                                                        part.rowsCopied(),
                                                        part.chunksRepaired()))
                                .toList());
        status.setOldTable(p.oldTable());
        status.setMessage(
                p.message() == null || p.message().isBlank() ? summary(p, phase) : p.message());
        conditions(p, phase, conditions);
    }

    /**
     * Another change holds the table: the progress the engine reports is that change's, not ours.
     */
    private static void held(Progress p, SchemaChangeStatus status, Conditions c) {
        status.setPhase(Phase.Pending.name());
        status.setBackfill(null);
        status.setSwap(null);
        status.setOldTable(null);
        status.setMessage(p.waitingFor().detail());
        c.set(Conditions.VALIDATED, true, Reasons.SPEC_VALID, "the spec is valid");
        c.set(Conditions.READY, false, Reasons.TABLE_HELD, p.waitingFor().detail());
        c.set(Conditions.PROGRESSING, false, Reasons.TABLE_HELD, p.waitingFor().detail());
        c.set(Conditions.DEGRADED, false, Reasons.AS_EXPECTED, "waiting for the table");
        c.set(Conditions.FAILED, false, Reasons.AS_EXPECTED, "not failed");
    }

    private static BackfillStatus backfill(Progress p, Phase phase) {
        if (phase.isBefore(Phase.Backfilling) && p.rowsCopied() == 0) {
            return null;
        }
        return new BackfillStatus(
                p.cursor(),
                p.rowsCopied(),
                p.rowsEstimated(),
                p.percent(),
                Math.round(p.rowsPerSecond()),
                time(p.eta()),
                p.chunkRows(),
                p.chunksRepaired());
    }

    private SwapStatus swap(Progress p, Phase phase) {
        Instant next = p.nextWindowStart();
        if (next == null && phase.isBefore(Phase.Swapping)) {
            next = window.nextStart(now).orElse(null);
        }
        if (next == null && p.swapAttempts() == 0 && p.swappedAt() == null) {
            return null;
        }
        return new SwapStatus(time(next), p.swapAttempts(), time(p.swappedAt()), p.lockMillis());
    }

    private void conditions(Progress p, Phase phase, Conditions c) {
        Reason wait = p.waitReason();
        if (wait == Reason.NOT_BEFORE
                && !(controls.swapNotBefore() != null && controls.swapNotBefore().isAfter(now))) {
            // the operator moved swap-not-before to the window's next start: say what really holds
            // the swap
            wait = Reason.WINDOW;
        }
        boolean failed = phase == Phase.Failed;
        boolean blocked = p.problem() != null && !failed;
        boolean live = phase.isSwapped();
        boolean copied = !phase.isBefore(Phase.Verifying) && (phase.isBefore(Phase.RollingBack));
        boolean verified = !phase.isBefore(Phase.AwaitingSwap) && phase.isBefore(Phase.RollingBack);

        c.set(Conditions.VALIDATED, true, Reasons.SPEC_VALID, "the spec is valid");
        c.set(
                Conditions.READY,
                live,
                phase.name(),
                live
                        ? "the new table is live" + oldTable(p)
                        : "the new table is not live yet (phase " + phase + ")");
        if (phase.isTerminal() || phase == Phase.Swapped) {
            c.set(Conditions.PROGRESSING, false, phase.name(), phaseText(phase));
        } else if (controls.paused()) {
            c.set(
                    Conditions.PROGRESSING,
                    false,
                    Reasons.PAUSED,
                    "paused: remove the annotation " + AnnotationControls.PAUSED + " to resume");
        } else if (blocked) {
            c.set(Conditions.PROGRESSING, false, Reasons.BLOCKED, p.problem().toString());
        } else if (wait != null) {
            c.set(
                    Conditions.PROGRESSING,
                    false,
                    reason(wait),
                    "waiting for " + p.waitingFor().detail());
        } else {
            c.set(Conditions.PROGRESSING, true, phase.name(), status(p, phase));
        }
        c.set(
                Conditions.BACKFILL_COMPLETE,
                copied,
                copied ? "Copied" : Reasons.NOT_YET,
                copied ? p.rowsCopied() + " rows copied" : "copied " + p.percent() + "%");
        c.set(
                Conditions.VERIFIED,
                verified,
                verified ? "ChecksumsMatch" : Reasons.NOT_YET,
                verified ? "shadow and original compared equal" + repaired(p) : "not verified yet");
        swapScheduled(p, phase, c);
        c.set(
                Conditions.SWAPPED,
                live,
                live ? "Swapped" : Reasons.NOT_YET,
                live ? "swapped at " + time(p.swappedAt()) + oldTable(p) : "not swapped");
        boolean throttled = wait == Reason.THROTTLED;
        c.set(
                Conditions.THROTTLED,
                throttled,
                throttled ? Reasons.THROTTLED : Reasons.NOT_THROTTLED,
                throttled ? p.waitingFor().detail() : "not throttled");
        c.set(
                Conditions.PAUSED,
                controls.paused(),
                controls.paused() ? Reasons.PAUSED : Reasons.NOT_PAUSED,
                controls.paused()
                        ? "remove the annotation " + AnnotationControls.PAUSED + " to resume"
                        : "running");
        rollbackLossless(p, phase, c);
        c.set(
                Conditions.DEGRADED,
                blocked,
                blocked ? Reasons.BLOCKED : Reasons.AS_EXPECTED,
                blocked ? p.problem().toString() : "no problem");
        c.set(
                Conditions.FAILED,
                failed,
                failed ? "Failed" : Reasons.AS_EXPECTED,
                failed
                        ? (p.problem() == null ? p.message() : p.problem().toString())
                                + "; the original table is "
                                + "untouched; fix the spec to retry"
                        : "not failed");
    }

    /**
     * Set while the old table is kept (Swapped, RollingBack); afterwards it stays as it was, the
     * record of what the rollback lost.
     */
    private void rollbackLossless(Progress p, Phase phase, Conditions c) {
        if (phase != Phase.Swapped && phase != Phase.RollingBack) {
            return;
        }
        if (p.rollbackLoss() != null) {
            c.set(Conditions.ROLLBACK_LOSSLESS, false, Reasons.ROWS_NOT_CARRIED, lossText(p));
        } else if (p.oldTable() != null && p.oldTable().startsWith(spec.undoSchema() + ".")) {
            // an old table without reverse sync waits in the undo schema
            c.set(
                    Conditions.ROLLBACK_LOSSLESS,
                    false,
                    Reasons.NOT_REVERSE_SYNCED,
                    "the old table is kept without reverse sync: rollback after the swap is not"
                            + " available");
        } else {
            c.set(
                    Conditions.ROLLBACK_LOSSLESS,
                    true,
                    Reasons.REVERSE_SYNCED,
                    "every row written since the swap is also in the old table");
        }
    }

    /** The loss in words: the first row's key and columns, the count, and how to consent. */
    static String lossText(Progress p) {
        Progress.RollbackLoss loss = p.rollbackLoss();
        return "from "
                + time(loss.firstAt())
                + " rows written after the swap did not fit the old table and were not carried"
                + " back (first: key "
                + loss.firstKey()
                + ", column "
                + loss.firstColumns()
                + "); "
                + loss.described()
                + "; a rollback loses them, so it needs the annotation "
                + AnnotationControls.ROLLBACK_ACCEPT_LOSS
                + ": \"true\" (osc rollback --accept-loss)";
    }

    private void swapScheduled(Progress p, Phase phase, Conditions c) {
        if (!phase.isBefore(Phase.Swapping)) {
            c.set(Conditions.SWAP_SCHEDULED, false, phase.name(), phaseText(phase));
            return;
        }
        boolean approvalMissing =
                spec.swap().approval() == SchemaChangeSpec.Approval.Required
                        && !controls.swapApproved();
        Optional<Instant> nextWindow =
                Optional.ofNullable(p.nextWindowStart()).or(() -> window.nextStart(now));
        if (approvalMissing) {
            c.set(
                    Conditions.SWAP_SCHEDULED,
                    false,
                    Reasons.APPROVAL_REQUIRED,
                    "swap.approval is Required: "
                            + "kubectl annotate schemachange <name> "
                            + AnnotationControls.SWAP_APPROVED
                            + "=true");
        } else if (controls.swapNotBefore() != null && controls.swapNotBefore().isAfter(now)) {
            c.set(
                    Conditions.SWAP_SCHEDULED,
                    true,
                    Reasons.NOT_BEFORE,
                    "swap not before "
                            + time(controls.swapNotBefore())
                            + nextWindow.map(t -> ", window " + window).orElse(""));
        } else if (!window.isAlways() && !window.allows(now, Duration.ZERO)) {
            c.set(
                    Conditions.SWAP_SCHEDULED,
                    true,
                    Reasons.WAITING_FOR_WINDOW,
                    "next window "
                            + window
                            + " starts "
                            + nextWindow.map(ProgressStatus::time).orElse("never"));
        } else {
            c.set(
                    Conditions.SWAP_SCHEDULED,
                    true,
                    Reasons.READY_TO_SWAP,
                    window.isAlways()
                            ? "swaps once the copy is verified"
                            : "window open until "
                                    + window.currentEnd(now).map(ProgressStatus::time).orElse("?"));
        }
    }

    private static String summary(Progress p, Phase phase) {
        return p.waitingFor() != null
                ? phase + ": waiting for " + p.waitingFor().detail()
                : status(p, phase);
    }

    private static String status(Progress p, Phase phase) {
        if (phase == Phase.Backfilling) {
            return String.format(
                    Locale.ROOT,
                    "copying %.1f%% at %d rows/s%s",
                    p.percent(),
                    Math.round(p.rowsPerSecond()),
                    p.eta() == null ? "" : ", ETA " + time(p.eta()));
        }
        return phaseText(phase);
    }

    private static String phaseText(Phase phase) {
        return switch (phase) {
            case Swapped ->
                    "the new table is live; the old one is kept, reverse-synced, until retention ends";
            case Completed -> "done: the new table is live and every helper object is gone";
            case RolledBack -> "rolled back: the original table is as it was";
            case Failed -> "failed";
            default -> phase.name();
        };
    }

    private static String oldTable(Progress p) {
        return p.oldTable() == null ? "" : "; old table " + p.oldTable();
    }

    private static String repaired(Progress p) {
        return p.chunksRepaired() == 0 ? "" : " (" + p.chunksRepaired() + " chunks re-copied)";
    }

    static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The condition reason of a wait, as the conditions and the README name them. */
    static String reason(Reason wait) {
        return switch (wait) {
            case APPROVAL -> Reasons.APPROVAL_REQUIRED;
            case WINDOW -> Reasons.WAITING_FOR_WINDOW;
            case NOT_BEFORE -> Reasons.NOT_BEFORE;
            case PAUSED -> Reasons.PAUSED;
            case THROTTLED -> Reasons.THROTTLED;
            case TABLE_HELD -> Reasons.TABLE_HELD;
            case RETENTION -> Reasons.RETENTION;
            case OTHER -> "Waiting";
        };
    }
}

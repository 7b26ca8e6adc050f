package dev.schemachange.engine.swap;

import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.db.Applier;
import dev.schemachange.engine.db.Retry;
import dev.schemachange.engine.db.SessionVariable;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.plan.Plan;
import dev.schemachange.mysql.Identifiers;
import dev.schemachange.mysql.Inspector;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import java.util.function.IntConsumer;

/**
 * {@code foreignKeys.children: DropSwap}, as pt-online-schema-change defines it: with
 * foreign_key_checks=0 the original table is dropped and the shadow renamed into its place, so the
 * children's constraints, which name the table, bind to the new one without being rebuilt. Not
 * atomic: between the DROP and the RENAME the table does not exist, and application statements in
 * that moment fail (ER 1146; a child insert, ER 1452). No write is lost: writes committed before
 * the DROP reached the shadow through the forward triggers (the DROP waits for their transactions),
 * and a write in the gap fails visibly instead of vanishing. There is no old table afterwards, so
 * no rollback after the swap; the Validator therefore demands {@code keepOldTableFor: "0"}. Each
 * step is recognised on resume: the original missing and the shadow present means "crashed after
 * the DROP".
 */
public final class DropSwap {
    private final Plan plan;
    private final Applier applier;
    private final CrashPoints crash;

    DropSwap(Plan plan, Applier applier, CrashPoints crash) {
        this.crash = crash;
        this.plan = plan;
        this.applier = applier;
    }

    /**
     * Returns the milliseconds the table was missing (DROP start to RENAME end), after up to
     * maxAttempts.
     */
    long swap(Connection c, int maxAttempts, IntConsumer onAttempt, Optional<VersionRow> version)
            throws SQLException {
        String original = Identifiers.quote(plan.schema(), plan.table());
        String shadow = Identifiers.quote(plan.schema(), plan.names().newTable());
        // the version table's copy is made before the DROP, so the gap holds only the DROP and the
        // RENAME
        if (version.isPresent()) {
            version.get().prepare(c, true);
        }
        long start = System.nanoTime();
        SessionVariable.with(
                c,
                "foreign_key_checks",
                "0",
                () -> {
                    if (new Inspector(c).tableExists(plan.schema(), plan.table())) {
                        onAttempt.accept(1);
                        // the forward triggers go with the table; the DROP waits (bounded, retried)
                        // for the application's
                        // open transactions, whose writes the triggers already mirrored to the
                        // shadow
                        applier.ddl(c, "DROP TABLE " + original);
                        crash.reached("swap:after-drop");
                    }
                    // the table is missing now: retry the RENAME for as long as we are allowed, it
                    // only waits for locks
                    applier.setLockWait(c);
                    return Retry.of(Math.max(maxAttempts, 10), Retry.linear(50))
                            .run(
                                    "DropSwap of "
                                            + plan.schema()
                                            + "."
                                            + plan.table()
                                            + ": RENAME into the dropped table's place",
                                    attempt -> {
                                        if (version.isPresent() && attempt > 1) {
                                            version.get().prepare(c, true);
                                        }
                                        Sessions.exec(
                                                c,
                                                "RENAME TABLE "
                                                        + shadow
                                                        + " TO "
                                                        + original
                                                        + version.map(VersionRow::renamePairs)
                                                                .orElse(""));
                                        return null;
                                    });
                });
        return (System.nanoTime() - start) / 1_000_000;
    }
}

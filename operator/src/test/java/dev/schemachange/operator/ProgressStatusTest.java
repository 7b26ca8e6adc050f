package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.api.SchemaChangeStatus;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.engine.swap.SwapWindow;
import dev.schemachange.testing.ProgressBuilder;
import io.fabric8.kubernetes.api.model.Condition;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The status follows the wait's reason; its text is only shown, so rewording a message changes no
 * condition.
 */
class ProgressStatusTest {
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");

    @ParameterizedTest
    @EnumSource(Reason.class)
    void aWaitSetsTheSameConditionsWhateverItsTextSays(Reason reason) throws IOException {
        List<Condition> worded = conditions(reason, "approval (as Migrator words it)");
        List<Condition> reworded =
                conditions(reason, "throttled: table x is being changed by retention");

        assertThat(outcome(worded)).isEqualTo(outcome(reworded));
        // swap-not-before that no annotation backs is the window's next start moved in: reported as
        // the window
        Reason shown = reason == Reason.NOT_BEFORE ? Reason.WINDOW : reason;
        assertThat(Conditions.find(worded, Conditions.PROGRESSING).getReason())
                .isEqualTo(ProgressStatus.reason(shown));
    }

    @Test
    void theDetailIsWhatUsersRead() throws IOException {
        List<Condition> c = conditions(Reason.THROTTLED, "throttled: replica lag 12s > 5s");

        assertThat(Conditions.find(c, Conditions.THROTTLED).getStatus()).isEqualTo("True");
        assertThat(Conditions.find(c, Conditions.THROTTLED).getMessage())
                .isEqualTo("throttled: replica lag 12s > 5s");
        assertThat(Conditions.find(c, Conditions.PROGRESSING).getMessage())
                .isEqualTo("waiting for throttled: replica lag 12s > 5s");
    }

    @Test
    void rollbackLosslessIsTrueWhileEveryRowGoesBackAndFalseFromTheFirstThatDoesNotNamingIt()
            throws IOException {
        ProgressBuilder swapped =
                ProgressBuilder.at(Phase.Swapped)
                        .swapped(1, NOW, 40)
                        .oldTable("app.orders__osc_old")
                        .waiting(Reason.RETENTION, "retention of the old table");
        Condition lossless =
                Conditions.find(conditions(swapped.build()), Conditions.ROLLBACK_LOSSLESS);
        assertThat(lossless.getStatus()).isEqualTo("True");
        assertThat(lossless.getReason()).isEqualTo(Reasons.REVERSE_SYNCED);

        Condition lossy =
                Conditions.find(
                        conditions(
                                swapped.rollbackLoss(
                                                new Progress.RollbackLoss(
                                                        2,
                                                        "3000000000",
                                                        "id",
                                                        NOW,
                                                        "2 rows not carried: key 3000000000 (id,"
                                                                + " insert at "
                                                                + NOW
                                                                + "), key 7 (k, update at "
                                                                + NOW
                                                                + ")"))
                                        .build()),
                        Conditions.ROLLBACK_LOSSLESS);
        assertThat(lossy.getStatus()).isEqualTo("False");
        assertThat(lossy.getReason()).isEqualTo(Reasons.ROWS_NOT_CARRIED);
        assertThat(lossy.getMessage())
                .contains(
                        "first: key 3000000000, column id",
                        "key 7 (k, update",
                        "schemachange.dev/rollback-accept-loss: \"true\"");
    }

    @Test
    void anOldTableKeptWithoutReverseSyncIsNoLosslessRollback() throws IOException {
        Condition c =
                Conditions.find(
                        conditions(
                                ProgressBuilder.at(Phase.Swapped)
                                        .swapped(1, NOW, 40)
                                        .oldTable("_schemachange_undo.orders__20261124100000")
                                        .build()),
                        Conditions.ROLLBACK_LOSSLESS);
        assertThat(c.getStatus()).isEqualTo("False");
        assertThat(c.getReason()).isEqualTo(Reasons.NOT_REVERSE_SYNCED);
    }

    /** Each condition's type, status and reason: all that may not depend on the wording. */
    private static List<String> outcome(List<Condition> conditions) {
        return conditions.stream()
                .map(c -> c.getType() + "=" + c.getStatus() + "/" + c.getReason())
                .toList();
    }

    private static List<Condition> conditions(Reason reason, String detail) throws IOException {
        return conditions(ProgressBuilder.at(Phase.Backfilling).waiting(reason, detail).build());
    }

    private static List<Condition> conditions(Progress p) throws IOException {
        SchemaChangeSpec spec =
                Manifests.parse(
                                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: c, namespace: test}
                spec:
                  database: {host: 127.0.0.1, port: 3306, schema: app, credentialsSecret: unused}
                  table: orders
                  alter: "ADD COLUMN x INT"
                """)
                        .getSpec();
        Conditions conditions = new Conditions(null, 1L, NOW);
        new ProgressStatus(spec, Controls.NONE, SwapWindow.always(), NOW)
                .apply(p, new SchemaChangeStatus(), conditions);
        return conditions.toList();
    }
}

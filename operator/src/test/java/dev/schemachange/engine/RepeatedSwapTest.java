package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/**
 * Swap after swap under four writers: no application statement may fail. This caught ER 1146 on the
 * shadow when the shadow was renamed under LOCK TABLES while triggers already wrote to it (several
 * per 15 swaps).
 */
@MariaDb
class RepeatedSwapTest {

    @Test
    void fifteenChangesInARowUnderFourWritersGiveTheApplicationNoError(TestDatabase db)
            throws Exception {
        db.createWorkloadTable("race", 2_000);
        Workload app = db.startWorkload("race", 2_000, 4, "");
        try (app) {
            for (int i = 0; i < 15; i++) {
                String alter = i % 2 == 0 ? "ADD COLUMN note INT" : "DROP COLUMN note";
                Progress p =
                        Changes.run(
                                Changes.migrator(
                                        db,
                                        Changes.spec(
                                                db,
                                                "race",
                                                alter,
                                                "retention: {keepOldTableFor: \"0\"}\nbackfill: {maxChunkRows: 500}")),
                                Controls.NONE,
                                null);
                assertThat(p.phase()).isEqualTo(Phase.Completed);
                db.exec(
                        "DELETE FROM `_schemachange`.schemachange_state WHERE table_schema = DATABASE()");
            }
        }
        assertThat(app.errors()).isEmpty();
        assertThat(db.rows("SELECT id, k, payload FROM race ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, k, payload FROM race_ref ORDER BY id"));
    }
}

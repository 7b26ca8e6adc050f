package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;

@MariaDb
class CopierTest {

    @Test
    void chunksLargerThanOneStatementAreCopiedPieceByPieceWithoutLosingARowAtTheBoundaries(TestDatabase db) {
        int rows = 7 * Copier.STATEMENT_MIN_ROWS + 250;
        db.exec("CREATE TABLE parcels (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, w INT NOT NULL)",
                "INSERT INTO parcels (id, w) SELECT seq * 3, seq FROM seq_1_to_" + rows);
        SchemaChangeSpec spec = Changes.spec(db, "parcels", "ADD COLUMN note VARCHAR(8) NULL", """
                backfill: {chunkTime: 10s, maxChunkRows: 100000}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.rowsCopied()).isEqualTo(rows);
        assertThat(verified.chunksRepaired()).isZero();
        assertThat(db.rows("SELECT id, w FROM `_schemachange`.parcels ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, w FROM parcels ORDER BY id"));
        assertThat(Changes.run(migrator, new Controls(true, null, false, false), null).phase())
                .isEqualTo(Phase.Completed);
    }
}

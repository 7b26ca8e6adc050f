package dev.schemachange.engine.copy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@MariaDb
class CopierTest {

    /** Lock-free (the key is the only unique one) and share-locked (another unique key) chunks. */
    @ParameterizedTest
    @ValueSource(strings = {"parcels", "crates"})
    void chunksLargerThanOneStatementAreCopiedPieceByPieceWithoutLosingARowAtTheBoundaries(
            String table, TestDatabase db) {
        int rows = 7 * Copier.STATEMENT_MIN_ROWS + 250;
        db.exec(
                "CREATE TABLE "
                        + table
                        + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, w INT NOT NULL"
                        + (table.equals("crates") ? ", UNIQUE KEY uw (w))" : ")"),
                "INSERT INTO " + table + " (id, w) SELECT seq * 3, seq FROM seq_1_to_" + rows);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        table,
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10s, maxChunkRows: 100000}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);

        Progress verified = Changes.run(migrator, Controls.NONE, null);

        assertThat(verified.phase()).isEqualTo(Phase.AwaitingSwap);
        assertThat(verified.rowsCopied()).isEqualTo(rows);
        assertThat(verified.chunksRepaired()).isZero();
        assertThat(db.rows("SELECT id, w FROM `_schemachange`." + table + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, w FROM " + table + " ORDER BY id"));
        assertThat(Changes.run(migrator, new Controls(true, null, false, false), null).phase())
                .isEqualTo(Phase.Completed);
    }
}

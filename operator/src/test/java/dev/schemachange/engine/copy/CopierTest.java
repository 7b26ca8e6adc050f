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
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
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

    /**
     * A backfill call copies a chunk even when its time ran out before the first one (in the settle
     * that starts every call: under writers that journal keys faster than the prune forgets them it
     * took the whole call, and no chunk was ever copied), so the copy moves on whatever the slice.
     */
    @ParameterizedTest(name = "threads: {0}")
    @ValueSource(ints = {1, 2})
    void everyBackfillCallCopiesAChunkEvenWhenItsTimeIsAlreadyUp(int threads, TestDatabase db) {
        String t = "sacks_" + threads;
        db.exec(
                "CREATE TABLE " + t + " (id INT NOT NULL PRIMARY KEY, w INT NOT NULL)",
                "INSERT INTO " + t + " SELECT seq, seq FROM seq_1_to_3000");
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        t,
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10s, maxChunkRows: 500, threads: %d}
                swap: {approval: Required}
                """
                                .formatted(threads));
        Migrator migrator = Changes.migrator(db, spec);
        Progress p = Changes.run(migrator, Controls.NONE, Phase.Backfilling);
        assertThat(p.phase()).isEqualTo(Phase.Backfilling);

        long copied = p.rowsCopied();
        for (int call = 0; call < 3; call++) {
            p = migrator.advance(Controls.NONE, Duration.ZERO, null);
            assertThat(p.rowsCopied()).as("rows copied after call %d", call).isGreaterThan(copied);
            copied = p.rowsCopied();
        }
        assertThat(Changes.run(migrator, Controls.NONE, null).phase())
                .isEqualTo(Phase.AwaitingSwap);
        assertThat(db.rows("SELECT id, w FROM `_schemachange`." + t + " ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, w FROM " + t + " ORDER BY id"));
    }

    /**
     * A locked chunk's statement holds the shadow's AUTO-INC lock; were it to wait for an
     * application's row lock, that application's next insert (mirrored into the shadow, so waiting
     * for the AUTO-INC lock) would close a deadlock. The piece is refused instead, retried after
     * the application committed, and the application's insert goes through meanwhile.
     */
    @Test
    void aLockedChunkNeverWaitsForAnApplicationsRowLockWhileTheApplicationAppends(TestDatabase db)
            throws Exception {
        int rows = 7 * Copier.STATEMENT_MIN_ROWS + 250;
        db.exec(
                "CREATE TABLE boxes (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, w INT NOT NULL,"
                        + " UNIQUE KEY uw (w))",
                "INSERT INTO boxes (id, w) SELECT seq * 3, seq FROM seq_1_to_" + rows);
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "boxes",
                        "ADD COLUMN note VARCHAR(8) NULL",
                        """
                backfill: {chunkTime: 10s, maxChunkRows: 100000}
                swap: {approval: Required}
                retention: {keepOldTableFor: "0"}
                """);
        Migrator migrator = Changes.migrator(db, spec);
        Progress p;
        do {
            p = migrator.advance(Controls.NONE, Duration.ofMillis(50), null);
        } while (p.phase() != Phase.Backfilling);
        assertThat(p.rowsCopied()).as("the last row is still to copy").isLessThan(rows);

        try (Connection app = db.connect();
                Statement s = app.createStatement()) {
            s.execute("SET SESSION innodb_lock_wait_timeout = 1");
            app.setAutoCommit(false);
            // the last row, locked as an ORM's read for update does (a write would be journaled,
            // and the copier would wait in the journal's catch-up, holding nothing)
            s.execute("SELECT w FROM boxes WHERE id = " + 3 * rows + " FOR UPDATE");
            CompletableFuture<Progress> change =
                    CompletableFuture.supplyAsync(() -> Changes.run(migrator, Controls.NONE, null));
            Thread.sleep(1_000); // the copier has reached the held row by now
            assertThat(change).as("the copy waits for the held row").isNotDone();
            s.execute("INSERT INTO boxes (w) VALUES (" + (rows + 1) + ")");
            app.commit();
            Progress verified = change.get(60, TimeUnit.SECONDS);
            assertThat(verified.phase()).as(verified.message()).isEqualTo(Phase.AwaitingSwap);
        }
        assertThat(db.rows("SELECT id, w FROM `_schemachange`.boxes ORDER BY id"))
                .isEqualTo(db.rows("SELECT id, w FROM boxes ORDER BY id"))
                .hasSize(rows + 1);
        assertThat(Changes.run(migrator, new Controls(true, null, false, false), null).phase())
                .isEqualTo(Phase.Completed);
    }
}

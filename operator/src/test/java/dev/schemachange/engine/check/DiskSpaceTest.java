package dev.schemachange.engine.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.CrashPoints;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.engine.Wait;
import dev.schemachange.engine.natively.Choice;
import dev.schemachange.testing.AppWorkload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The space a change needs, and the free space information_schema.DISKS reports. */
@MariaDb
class DiskSpaceTest {
    @Test
    void aCopyNeedsTheShadowAndItsBinaryLogAndIsRefusedWhenThatWithTheMarginDoesNotFit(
            TestDatabase db) throws Exception {
        db.exec(
                "CREATE TABLE sized (id INT PRIMARY KEY, pad VARCHAR(200) NOT NULL, KEY (pad))",
                "INSERT INTO sized SELECT seq, REPEAT('x', 200) FROM seq_1_to_5000",
                "ANALYZE TABLE sized");
        try (Connection c = db.connect()) {
            DiskSpace copy = DiskSpace.measure(c, db.name(), "sized", Choice.copy("test"));
            DiskSpace instant =
                    DiskSpace.measure(
                            c, db.name(), "sized", new Choice(true, "INSTANT", "", null, "", ""));
            DiskSpace inplace =
                    DiskSpace.measure(
                            c, db.name(), "sized", new Choice(true, "INPLACE", "", null, "", ""));
            boolean binlog = "1".equals(db.value("SELECT @@log_bin"));

            assertThat(copy.dataBytes()).isPositive();
            assertThat(copy.neededBytes())
                    .isEqualTo(
                            copy.dataBytes() + copy.indexBytes() + (binlog ? copy.dataBytes() : 0));
            assertThat(instant.neededBytes()).isZero();
            assertThat(inplace.neededBytes()).isEqualTo(copy.dataBytes() + copy.indexBytes());
        }
        DiskSpace tight = new DiskSpace(1, 1, 1, 1_000, OptionalLong.of(1_150));
        DiskSpace roomy = new DiskSpace(1, 1, 1, 1_000, OptionalLong.of(1_250));
        DiskSpace unknown = new DiskSpace(1, 1, 1, 1_000_000, OptionalLong.empty());
        assertThat(tight.exceedsFree()).as("1000 B + 20% > 1150 B").isTrue();
        assertThat(roomy.exceedsFree()).isFalse();
        assertThat(unknown.exceedsFree()).as("not knowable: not refused").isFalse();
    }

    @Test
    void theDisksPluginTellsTheFreeSpaceOfTheDataDisk(TestDatabase db) throws Exception {
        try (Connection c = db.connect()) {
            if (db.rows("SELECT 1 FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'DISKS'")
                    .isEmpty()) {
                db.exec("INSTALL SONAME 'disks'");
            }
            OptionalLong free = DiskSpace.freeBytes(c);
            assertThat(free).isPresent();
            assertThat(free.getAsLong()).isPositive();
        } finally {
            db.exec("UNINSTALL SONAME 'disks'");
        }
        try (Connection c = db.connect()) {
            assertThat(DiskSpace.freeBytes(c)).as("without the plugin").isEmpty();
        }
    }

    /**
     * The backfill reads the data disk's free space through {@link FreeSpace}
     * (information_schema.DISKS in production; here a reading the test sets): under the floor no
     * chunk is copied and the change says why, as a Throttled wait; once space comes back the copy
     * goes on from its cursor, and the table ends equal to the application's record.
     */
    @Test
    void theBackfillPausesWhileTheDataDiskIsUnderTheFloorAndResumesWhenSpaceComesBack(
            TestDatabase db) throws Exception {
        int rows = 20_000;
        AppWorkload.create(db, "spool", null, rows);
        AtomicLong free = new AtomicLong(100L << 30);
        FreeSpace reading = c -> OptionalLong.of(free.get());
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "spool",
                        "ADD COLUMN memo VARCHAR(32) NULL",
                        """
                        strategy: Copy
                        backfill: {chunkTime: 20ms, maxChunkRows: 100}
                        retention: {keepOldTableFor: "0"}
                        """);
        Migrator migrator =
                new Migrator(
                        db::connect,
                        spec,
                        "test/spool",
                        Clock.systemUTC(),
                        CrashPoints.NONE,
                        reading);
        AppWorkload app = AppWorkload.of(db, "spool", null, rows, 3, "REPEATABLE READ");
        Progress copying;
        Progress held;
        Progress stillHeld;
        Progress done;
        try (app) {
            app.start(AppWorkload.Target.TABLE);
            assertThat(
                            migrator.advance(
                                            Controls.NONE,
                                            Duration.ofSeconds(10),
                                            Phase.Backfilling)
                                    .phase())
                    .isEqualTo(Phase.Backfilling);
            copying = migrator.advance(Controls.NONE, Duration.ofMillis(300), null);
            free.set(100L << 20);
            held = migrator.advance(Controls.NONE, Duration.ofMillis(600), null);
            stillHeld = migrator.advance(Controls.NONE, Duration.ofMillis(600), null);
            free.set(50L << 30);
            done = Changes.run(migrator, Controls.NONE, null);
        }

        assertThat(copying.phase()).as(copying.message()).isEqualTo(Phase.Backfilling);
        assertThat(copying.rowsCopied()).as("copying before the disk fills").isPositive();
        assertThat(held.phase()).isEqualTo(Phase.Backfilling);
        assertThat(held.waitingFor().reason()).isEqualTo(Wait.Reason.THROTTLED);
        assertThat(held.waitingFor().detail())
                .isEqualTo("throttled: free disk space 100.0 MiB < floor 1.0 GiB");
        assertThat(held.cursor()).as("no chunk under the floor").isEqualTo(copying.cursor());
        assertThat(held.rowsCopied()).isEqualTo(copying.rowsCopied());
        assertThat(stillHeld.waitingFor().reason()).isEqualTo(Wait.Reason.THROTTLED);
        assertThat(stillHeld.cursor()).isEqualTo(copying.cursor());
        assertThat(done.phase()).as(done.message()).isEqualTo(Phase.Completed);
        assertThat(done.rowsCopied()).isGreaterThan(copying.rowsCopied());
        assertThat(app.errors()).as("application errors").isEmpty();
        assertThat(db.rows(AppWorkload.rows("spool")))
                .as("the table against the application's record")
                .isEqualTo(db.rows(AppWorkload.rows("spool_ref")));
    }
}

package dev.schemachange.engine.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.engine.natively.Choice;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.util.OptionalLong;
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
}

package dev.schemachange.engine.check;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.OptionalLong;

/**
 * Where the backfill reads the free space on the server's data disk: in production {@link #DISKS},
 * MariaDB's information_schema.DISKS; a test passes its own reading to drive the copy under the
 * floor and back.
 */
@FunctionalInterface
public interface FreeSpace {
    FreeSpace DISKS = DiskSpace::freeBytes;

    /** Free bytes on the data disk, or empty where the server cannot say. */
    OptionalLong freeBytes(Connection c) throws SQLException;
}

package dev.schemachange.engine.check;

import dev.schemachange.engine.db.ServerErrors;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.engine.natively.Choice;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;

/**
 * The space a change needs on the server, and what is free there when the server can say: MariaDB's
 * {@code information_schema.DISKS} (plugin {@code disks}) lists the mounts and their free space;
 * without it, free space is not knowable over SQL.
 *
 * @param rows the table's estimated rows
 * @param dataBytes its data, as information_schema.TABLES says
 * @param indexBytes its indexes
 * @param neededBytes what the change adds: for a copy the shadow (data + indexes), the binary log
 *     of the copy (about the data again, when binary logging is on) and the journal (writes during
 *     the copy, small); an in-place rebuild its temporary copy; INSTANT nothing
 * @param freeBytes free space on the datadir's mount, when known
 */
public record DiskSpace(
        long rows, long dataBytes, long indexBytes, long neededBytes, OptionalLong freeBytes) {
    /** Refuse when the need plus this share of it does not fit. */
    public static final double MARGIN = 0.2;

    public static final String UNKNOWABLE =
            "free disk space is not knowable over SQL on this server (MariaDB: INSTALL SONAME 'disks' "
                    + "makes information_schema.DISKS say it)";

    public static DiskSpace measure(Connection c, String schema, String table, Choice choice)
            throws SQLException {
        List<String> t =
                Sessions.firstRow(
                        c,
                        "SELECT TABLE_ROWS, DATA_LENGTH, INDEX_LENGTH, @@log_bin FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
                        List.of(schema, table));
        long rows = t == null ? 0 : number(t.get(0));
        long data = t == null ? 0 : number(t.get(1));
        long index = t == null ? 0 : number(t.get(2));
        boolean binlog = t != null && "1".equals(t.get(3));
        long needed;
        if (choice != null && choice.natively()) {
            needed = "INPLACE".equals(choice.algorithm()) ? data + index : 0;
        } else {
            needed = data + index + (binlog ? data : 0);
        }
        return new DiskSpace(rows, data, index, needed, freeBytes(c));
    }

    /** Whether the need, with the margin, exceeds the known free space. */
    public boolean exceedsFree() {
        return freeBytes.isPresent() && neededBytes * (1 + MARGIN) > freeBytes.getAsLong();
    }

    /** Copying pauses while less than this is free on the data disk (when that is known). */
    public static final long FLOOR_BYTES = 1L << 30;

    /**
     * Free bytes on the mount that holds the datadir (the longest mount path above it), when the
     * server says.
     */
    public static OptionalLong freeBytes(Connection c) throws SQLException {
        try {
            List<String> row =
                    Sessions.firstRow(
                            c,
                            "SELECT Available FROM information_schema.DISKS WHERE @@datadir LIKE CONCAT(Path, '%') "
                                    + "ORDER BY LENGTH(Path) DESC LIMIT 1",
                            List.of());
            return row == null ? OptionalLong.empty() : OptionalLong.of(number(row.get(0)) * 1024);
        } catch (SQLException e) {
            if (ServerErrors.isTransient(e)) {
                throw e;
            }
            return OptionalLong.empty(); // no DISKS table: the plugin is not loaded
        }
    }

    private static long number(String v) {
        return v == null ? 0 : Long.parseLong(v);
    }

    /** Bytes as "1.2 GiB". */
    public static String bytes(long b) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        double v = b;
        int u = 0;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return u == 0 ? b + " B" : String.format(java.util.Locale.ROOT, "%.1f %s", v, units[u]);
    }
}

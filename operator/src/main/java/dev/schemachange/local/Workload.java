package dev.schemachange.local;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An application writing to table {@code t(id PK auto-increment, k, payload)} while a change runs:
 * inserts, updates of non-key columns, updates that change the primary key, deletes. Every write is
 * also applied to a reference table {@code <t>_ref} in the same transaction, so after the change
 * the live table must equal the reference row for row. A write that fails on the live table is
 * rolled back on both and counted as an error.
 */
public final class Workload implements AutoCloseable {
    private final AtomicLong keyOffset = new AtomicLong(10_000_000);
    private final int initialRows;
    private Writers writers;

    private Workload(int initialRows) {
        this.initialRows = initialRows;
    }

    /**
     * Creates {@code table} and its reference with {@code rows} rows (MariaDB: uses the SEQUENCE
     * engine).
     */
    public static void createTable(Connection c, String table, int rows) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String t : List.of(table, table + "_ref")) {
                s.execute(
                        "CREATE TABLE `"
                                + t
                                + "` (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, k INT NOT NULL, "
                                + "payload VARCHAR(64) CHARACTER SET utf8mb4 NULL, KEY (k)) ENGINE=InnoDB");
            }
            s.execute(
                    "INSERT INTO `"
                            + table
                            + "` (k, payload) SELECT seq % 1000, CONCAT('row ', seq, ' \uD83D\uDE00') "
                            + "FROM seq_1_to_"
                            + rows);
            s.execute("INSERT INTO `" + table + "_ref` SELECT * FROM `" + table + "`");
        }
    }

    /**
     * Starts {@code threads} writers; {@code urlSuffix} adds JDBC options, e.g. server-side
     * prepared statements.
     */
    public static Workload start(
            String jdbcUrl,
            String user,
            String password,
            String table,
            int initialRows,
            int threads,
            String urlSuffix) {
        Workload w = new Workload(initialRows);
        w.writers =
                Writers.start(
                        "workload-" + table,
                        threads,
                        () -> DriverManager.getConnection(jdbcUrl + urlSuffix, user, password),
                        c -> {
                            PreparedStatement[] live = statements(c, table);
                            PreparedStatement[] ref = statements(c, table + "_ref");
                            return () -> w.step(live, ref);
                        });
        return w;
    }

    public long writes() {
        return writers.writes();
    }

    /** Errors the application saw, other than deadlocks and lock wait timeouts. */
    public List<String> errors() {
        return writers.errors();
    }

    /** Deadlocks and lock wait timeouts: retried by real applications, measured here. */
    public long lockConflicts() {
        return writers.lockConflicts();
    }

    /** Stops the writers and waits for them. */
    @Override
    public void close() throws InterruptedException {
        writers.close();
    }

    /**
     * insert, update payload, update key, delete — prepared once per session, as applications do.
     */
    private static PreparedStatement[] statements(Connection c, String t) throws SQLException {
        return new PreparedStatement[] {
            c.prepareStatement("INSERT INTO `" + t + "` (id, k, payload) VALUES (?, ?, ?)"),
            c.prepareStatement("UPDATE `" + t + "` SET payload = ?, k = k + 1 WHERE id = ?"),
            c.prepareStatement("UPDATE `" + t + "` SET id = ? WHERE id = ?"),
            c.prepareStatement("DELETE FROM `" + t + "` WHERE id = ?")
        };
    }

    private void step(PreparedStatement[] live, PreparedStatement[] ref) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        int op = r.nextInt(10);
        long id =
                r.nextInt(5) == 0 && keyOffset.get() > 10_000_000
                        ? r.nextLong(10_000_001, keyOffset.get() + 1)
                        : r.nextInt(1, initialRows + 1);
        if (op < 4) {
            // the application picks ids itself here so the reference gets the very same row
            long newId = keyOffset.incrementAndGet();
            int k = r.nextInt(1000);
            String payload = "ins " + newId + " \u00e9\uD83D\uDE80";
            for (PreparedStatement ps : new PreparedStatement[] {live[0], ref[0]}) {
                ps.setLong(1, newId);
                ps.setInt(2, k);
                ps.setString(3, payload);
                ps.executeUpdate();
            }
        } else if (op < 7) {
            String payload = r.nextInt(5) == 0 ? null : "upd " + r.nextInt();
            for (PreparedStatement ps : new PreparedStatement[] {live[1], ref[1]}) {
                ps.setString(1, payload);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
        } else if (op < 9) {
            long newId = keyOffset.incrementAndGet();
            for (PreparedStatement ps : new PreparedStatement[] {live[2], ref[2]}) {
                ps.setLong(1, newId);
                ps.setLong(2, id);
                ps.executeUpdate();
            }
        } else {
            for (PreparedStatement ps : new PreparedStatement[] {live[3], ref[3]}) {
                ps.setLong(1, id);
                ps.executeUpdate();
            }
        }
    }
}

package dev.schemachange.testing;

import dev.schemachange.local.Writers;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A 10-column table (say {@code customers}) with a primary key, a unique key and a foreign key to
 * {@code regions}, and an application that writes it: inserts, updates of columns that land in
 * different parts of a split, key-changing updates and deletes. Every write goes to {@code
 * <table>_ref} in the same transaction, so the reference holds what the original would hold.
 */
public final class WideTable implements AutoCloseable {
    public static final String COLUMNS =
            "id, email, name, region_id, created_at, bio, avatar_url, prefs, score, legacy_flag";
    private final AtomicLong nextId = new AtomicLong(1_000_000);
    private final String table;
    private final int rows;
    private Writers writers;

    private WideTable(String table, int rows) {
        this.table = table;
        this.rows = rows;
    }

    /** Creates regions, {@code table} and {@code <table>_ref} with {@code rows} rows. */
    public static void create(TestDatabase db, String table, int rows) {
        db.exec(
                "CREATE TABLE IF NOT EXISTS regions (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL)",
                "INSERT IGNORE INTO regions SELECT seq, CONCAT('region ', seq) FROM seq_1_to_10");
        for (String t : List.of(table, table + "_ref")) {
            db.exec(
                    "CREATE TABLE "
                            + t
                            + " (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                            + "email VARCHAR(100) NOT NULL, name VARCHAR(100) NOT NULL, region_id INT NOT NULL, "
                            + "created_at DATETIME(6) NOT NULL, bio TEXT NULL, avatar_url VARCHAR(200) NULL, "
                            + "prefs VARCHAR(100) CHARACTER SET utf8mb4 NULL, score INT NOT NULL DEFAULT 0, "
                            + "legacy_flag TINYINT NOT NULL DEFAULT 0, UNIQUE KEY uk_email (email), KEY k_region (region_id)"
                            + (t.equals(table)
                                    ? ", CONSTRAINT fk_"
                                            + table
                                            + "_region FOREIGN KEY (region_id) "
                                            + "REFERENCES regions (id)"
                                    : "")
                            + ") ENGINE=InnoDB");
        }
        db.exec(
                "INSERT INTO "
                        + table
                        + " SELECT seq, CONCAT('user', seq, '@example.com'), CONCAT('name ', seq), "
                        + "1 + seq % 10, '2024-01-01' + INTERVAL seq SECOND, IF(seq % 3 = 0, NULL, REPEAT('bio ', seq % 20)), "
                        + "CONCAT('https://img/', seq), CONCAT('{\"theme\":\"\u00e9', seq % 7, '\"}'), seq % 100, seq % 2 "
                        + "FROM seq_1_to_"
                        + rows,
                "INSERT INTO " + table + "_ref SELECT * FROM " + table);
    }

    /** Starts {@code threads} writers on {@code table} (and its reference). */
    public static WideTable write(TestDatabase db, String table, int rows, int threads) {
        WideTable w = new WideTable(table, rows);
        w.writers = Writers.start("wide-writer", threads, db::connect, c -> () -> w.step(c));
        return w;
    }

    public long writes() {
        return writers.writes();
    }

    /** Errors other than deadlocks and lock wait timeouts (which applications retry). */
    public List<String> errors() {
        return writers.errors();
    }

    @Override
    public void close() throws InterruptedException {
        writers.close();
    }

    private void step(Connection c) throws SQLException {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        long id =
                r.nextInt(4) == 0
                        ? r.nextLong(1_000_000, nextId.get() + 1)
                        : r.nextLong(1, rows + 1);
        int op = r.nextInt(10);
        long newId = nextId.incrementAndGet();
        for (String t : List.of(table, table + "_ref")) {
            if (op < 3) {
                update(
                        c,
                        "INSERT INTO "
                                + t
                                + " ("
                                + COLUMNS
                                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        newId,
                        "new" + newId + "@example.com",
                        "new " + newId,
                        1 + newId % 10,
                        "2025-06-01 10:00:00." + (100_000 + newId % 900_000),
                        "fresh bio " + newId,
                        null,
                        "{\"n\":" + newId + "}",
                        newId % 50,
                        1);
            } else if (op < 5) {
                update(
                        c,
                        "UPDATE "
                                + t
                                + " SET name = CONCAT(name, '+'), score = score + 1 WHERE id = ?",
                        id);
            } else if (op < 7) {
                update(
                        c,
                        "UPDATE "
                                + t
                                + " SET bio = CONCAT(COALESCE(bio, ''), '*'), avatar_url = ? WHERE id = ?",
                        "https://img/v" + op,
                        id);
            } else if (op < 8) {
                update(
                        c,
                        "UPDATE "
                                + t
                                + " SET email = CONCAT('e', id, '@example.org'), prefs = NULL, region_id = ? "
                                + "WHERE id = ?",
                        1 + id % 7,
                        id);
            } else if (op < 9) {
                update(c, "UPDATE " + t + " SET id = ? WHERE id = ?", newId, id);
            } else {
                update(c, "DELETE FROM " + t + " WHERE id = ?", id);
            }
        }
    }

    private static void update(Connection c, String sql, Object... params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            ps.executeUpdate();
        }
    }
}

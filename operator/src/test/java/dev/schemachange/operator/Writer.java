package dev.schemachange.operator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.schemachange.testing.TestDatabase;

/**
 * An application writing to {@code orders(id, total)} while a change runs: inserts and updates in autocommit,
 * one at a time, remembering what every committed write left behind, so the table can be compared with it.
 */
final class Writer implements AutoCloseable {
    final Map<Long, Long> expected = new ConcurrentHashMap<>();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final AtomicLong writes = new AtomicLong();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Writer(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT id, total FROM orders")) {
            while (rs.next()) {
                expected.put(rs.getLong(1), rs.getLong(2));
            }
        }
        thread = new Thread(() -> run(db), "writer");
        thread.setDaemon(true);
        thread.start();
    }

    private void run(TestDatabase db) {
        Random random = new Random(42);
        try (Connection c = db.connect();
             PreparedStatement insert = c.prepareStatement("INSERT INTO orders (total) VALUES (?)",
                     Statement.RETURN_GENERATED_KEYS);
             PreparedStatement update = c.prepareStatement("UPDATE orders SET total = ? WHERE id = ?")) {
            while (running.get()) {
                try {
                    if (random.nextBoolean()) {
                        long total = random.nextInt(1_000_000);
                        insert.setLong(1, total);
                        insert.executeUpdate();
                        try (ResultSet keys = insert.getGeneratedKeys()) {
                            keys.next();
                            expected.put(keys.getLong(1), total);
                        }
                    } else {
                        long id = 1 + random.nextInt(expected.size());
                        long total = random.nextInt(1_000_000);
                        update.setLong(1, total);
                        update.setLong(2, id);
                        if (update.executeUpdate() == 1) {
                            expected.put(id, total);
                        }
                    }
                    writes.incrementAndGet();
                    Thread.sleep(2);
                } catch (SQLException e) {
                    errors.add(e.getErrorCode() + " " + e.getMessage());
                }
            }
        } catch (SQLException | InterruptedException e) {
            errors.add("writer stopped: " + e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        thread.join(10_000);
    }
}

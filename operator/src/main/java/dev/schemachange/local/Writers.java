package dev.schemachange.local;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Application threads, each on its own session, writing one transaction after another until closed,
 * and what they saw: committed writes, errors, and apart from those the deadlocks and lock wait
 * timeouts that applications retry. A failed transaction is rolled back whole, so a writer that
 * mirrors its writes into a reference table in the same transaction keeps the reference exact.
 */
public final class Writers implements AutoCloseable {
    /** Opens an application session. */
    @FunctionalInterface
    public interface Connector {
        Connection connect() throws SQLException;
    }

    /**
     * What one session writes: {@link #write} runs one transaction's statements; the caller
     * commits.
     */
    @FunctionalInterface
    public interface Session {
        void write() throws SQLException;
    }

    /**
     * Prepares a session on its connection (e.g. its prepared statements, once, as applications
     * do).
     */
    @FunctionalInterface
    public interface Opener {
        Session open(Connection c) throws SQLException;
    }

    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong lockConflicts = new AtomicLong();
    private final List<String> errors = Collections.synchronizedList(new ArrayList<>());
    private final List<Thread> threads = new ArrayList<>();

    private Writers() {}

    public static Writers start(String name, int threads, Connector connector, Opener opener) {
        Writers w = new Writers();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> w.loop(connector, opener), name + "-" + i);
            t.setDaemon(true);
            w.threads.add(t);
            t.start();
        }
        return w;
    }

    public long writes() {
        return writes.get();
    }

    /** Errors the application saw, other than deadlocks and lock wait timeouts. */
    public List<String> errors() {
        return List.copyOf(errors);
    }

    /** Deadlocks and lock wait timeouts: retried by real applications, measured here. */
    public long lockConflicts() {
        return lockConflicts.get();
    }

    /** Stops the writers and waits for them. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(30_000);
        }
    }

    private void loop(Connector connector, Opener opener) {
        try (Connection c = connector.connect()) {
            c.setAutoCommit(false);
            Session session = opener.open(c);
            while (running.get()) {
                try {
                    session.write();
                    c.commit();
                    writes.incrementAndGet();
                } catch (SQLException e) {
                    c.rollback();
                    if (e.getErrorCode() == 1213 || e.getErrorCode() == 1205) {
                        lockConflicts.incrementAndGet();
                    } else {
                        errors.add(e.getErrorCode() + " " + e.getMessage());
                    }
                }
                Thread.sleep(ThreadLocalRandom.current().nextInt(3));
            }
        } catch (SQLException e) {
            errors.add("connection: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

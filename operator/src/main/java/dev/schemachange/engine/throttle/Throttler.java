package dev.schemachange.engine.throttle;

import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.check.DiskSpace;
import dev.schemachange.engine.check.FreeSpace;
import dev.schemachange.engine.db.ConnectionFactory;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.mysql.Inspector;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Decides whether the next chunk may run: backs off while the server runs more threads than the
 * spec allows, or Threads_running has risen well above the level measured before copying (what the
 * application feels when its commits queue behind ours), or a listed replica lags behind (or does
 * not replicate at all: its lag is unknown, so it is treated as too large, as
 * pt-online-schema-change and gh-ost do). Replica sessions stay open for one slice of work.
 */
public final class Throttler implements AutoCloseable {
    private static final long REPLICA_CHECK_NANOS = 1_000_000_000L;
    private static final int BASELINE_SAMPLES = 3;
    private final Inspector inspector;
    private final Connection connection;
    private final ConnectionFactory db;
    private final SchemaChangeSpec.Throttle limits;
    private final Map<String, Connection> replicas = new LinkedHashMap<>();
    private long replicasCheckedAt;
    private String reason;

    /** Threads_running with no copier at work, or -1 before {@link #measureBaseline}. */
    private long baseline = -1;

    /** Our sessions that may be running while the Throttler asks (parallel copiers). */
    private int copiers;

    private final FreeSpace freeSpace;

    public Throttler(Connection c, ConnectionFactory db, SchemaChangeSpec.Throttle limits) {
        this(c, db, limits, FreeSpace.DISKS);
    }

    /**
     * @param freeSpace where the free space on the data disk is read (production: {@link
     *     FreeSpace#DISKS})
     */
    public Throttler(
            Connection c,
            ConnectionFactory db,
            SchemaChangeSpec.Throttle limits,
            FreeSpace freeSpace) {
        this.freeSpace = freeSpace;
        this.inspector = new Inspector(c);
        this.connection = c;
        this.db = db;
        this.limits = limits;
        this.replicasCheckedAt = System.nanoTime() - REPLICA_CHECK_NANOS;
    }

    /**
     * Measures what the application runs without us: the lowest of a few samples of
     * Threads_running, taken while no copier works (the asking session counts in it, as it does in
     * every later check). Each backfill step measures afresh, so a load that grows by itself raises
     * the level, while a rise our copy causes (commits queued behind a copy transaction's
     * binary-log write on a {@code sync_binlog=1} server) is measured against it.
     *
     * @param copiersAtWork our own sessions that may run during the later checks
     */
    public void measureBaseline(int copiersAtWork) throws SQLException {
        copiers = copiersAtWork;
        if (limits.maxThreadsRunningRise() <= 0) {
            return;
        }
        long lowest = Long.MAX_VALUE;
        for (int i = 0; i < BASELINE_SAMPLES; i++) {
            if (i > 0) {
                Sessions.sleep(10);
            }
            lowest = Math.min(lowest, inspector.globalStatus("Threads_running"));
        }
        baseline = lowest;
    }

    /**
     * Why Threads_running holds the copy back, or null: above the fixed {@code maxThreadsRunning},
     * or, once a baseline is known, more than {@code maxThreadsRunningRise} above it not counting
     * our own copiers (0 turns that check off).
     */
    static String threadsReason(
            long running, int copiers, long baseline, SchemaChangeSpec.Throttle limits) {
        if (running > limits.maxThreadsRunning()) {
            return "throttled: Threads_running " + running + " > " + limits.maxThreadsRunning();
        }
        long application = running - copiers;
        int rise = limits.maxThreadsRunningRise();
        if (baseline >= 0 && rise > 0 && application > baseline + rise) {
            return "throttled: Threads_running "
                    + application
                    + (copiers > 0 ? " (not counting our " + copiers + " copiers)" : "")
                    + " rose more than "
                    + rise
                    + " above the "
                    + baseline
                    + " measured before copying";
        }
        return null;
    }

    /**
     * Waits while throttled; false when the deadline passed while waiting (see {@link #reason()}).
     */
    public boolean mayProceed(long deadlineNanos) throws SQLException {
        while ((reason = check()) != null) {
            if (System.nanoTime() > deadlineNanos) {
                return false;
            }
            Sessions.sleep(200);
        }
        return true;
    }

    /** Why the last check held the copy back, or null. */
    public String reason() {
        return reason;
    }

    /**
     * Why the copy should wait right now, or null; does not wait. Parallel copiers share one
     * Throttler: their coordinator asks it and holds every copier while it answers a reason.
     */
    public String holdReason() throws SQLException {
        reason = check();
        return reason;
    }

    private String check() throws SQLException {
        String threads =
                threadsReason(inspector.globalStatus("Threads_running"), copiers, baseline, limits);
        if (threads != null) {
            return threads;
        }
        // a replica is asked at most once a second: a lag measured in seconds does not change
        // faster
        if (reason == null && System.nanoTime() - replicasCheckedAt < REPLICA_CHECK_NANOS) {
            return null;
        }
        replicasCheckedAt = System.nanoTime();
        // only where information_schema.DISKS says it: elsewhere free space is not knowable here
        java.util.OptionalLong free = freeSpace.freeBytes(connection);
        if (free.isPresent() && free.getAsLong() < DiskSpace.FLOOR_BYTES) {
            return "throttled: free disk space "
                    + DiskSpace.bytes(free.getAsLong())
                    + " < floor "
                    + DiskSpace.bytes(DiskSpace.FLOOR_BYTES);
        }
        for (String replica : limits.replicas()) {
            String lagging = lag(replica);
            if (lagging != null) {
                return "throttled: replica lag: " + lagging;
            }
        }
        return null;
    }

    /** Null when the replica is within the limit, else why not. */
    private String lag(String replica) {
        try {
            Connection c = replicas.get(replica);
            if (c == null || !c.isValid(2)) {
                c = db.openReplica(replica);
                replicas.put(replica, c);
            }
            Long seconds = secondsBehind(c);
            if (seconds == null) {
                return replica + " is not replicating (no Seconds_Behind_Master)";
            }
            return seconds > limits.maxReplicaLagSeconds()
                    ? replica
                            + " is "
                            + seconds
                            + " s behind (limit "
                            + limits.maxReplicaLagSeconds()
                            + " s)"
                    : null;
        } catch (SQLException e) {
            replicas.remove(replica);
            return replica + " cannot be asked: " + e.getMessage();
        }
    }

    /**
     * Why {@code replica} cannot serve as a lag source — unreachable, not allowed to read
     * replication status, or not a replica at all — or empty when it can (a replica that merely
     * lags or is stopped is fine here).
     */
    public static java.util.Optional<String> unusable(ConnectionFactory db, String replica) {
        try (Connection c = db.openReplica(replica);
                Statement st = c.createStatement();
                ResultSet rs = replicaStatus(st)) {
            return rs.next()
                    ? java.util.Optional.empty()
                    : java.util.Optional.of(replica + " is not a replica");
        } catch (SQLException e) {
            return java.util.Optional.of(replica + " cannot be asked: " + e.getMessage());
        }
    }

    /**
     * MariaDB 10.5+ and MySQL 8.0.22+ know SHOW REPLICA STATUS; older servers only SHOW SLAVE
     * STATUS.
     */
    private static Long secondsBehind(Connection c) throws SQLException {
        try (Statement st = c.createStatement();
                ResultSet rs = replicaStatus(st)) {
            if (!rs.next()) {
                return null;
            }
            for (String column : new String[] {"Seconds_Behind_Master", "Seconds_Behind_Source"}) {
                try {
                    long v = rs.getLong(column);
                    return rs.wasNull() ? null : v;
                } catch (SQLException noSuchColumn) {
                    // the other server flavour's name
                }
            }
            return null;
        }
    }

    private static ResultSet replicaStatus(Statement st) throws SQLException {
        try {
            return st.executeQuery("SHOW REPLICA STATUS");
        } catch (SQLException syntax) {
            return st.executeQuery("SHOW SLAVE STATUS");
        }
    }

    @Override
    public void close() {
        replicas.values()
                .forEach(
                        c -> {
                            try {
                                c.close();
                            } catch (SQLException ignored) {
                                // a replica session that cannot close cleanly holds nothing we need
                            }
                        });
        replicas.clear();
    }
}

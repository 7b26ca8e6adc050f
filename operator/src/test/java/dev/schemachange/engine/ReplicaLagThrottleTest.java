package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.Wait.Reason;
import dev.schemachange.engine.db.JdbcConnections;
import dev.schemachange.local.MariaDbServer;
import dev.schemachange.local.Workload;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The backfill waits while a listed replica does not keep up, says so, and goes on once it does.
 */
class ReplicaLagThrottleTest {

    /**
     * A primary and its replica of their own: the replica repeats everything the primary does from
     * the start.
     */
    @Test
    @Timeout(180) // a replica that never catches up would hold the copy back for ever
    void theCopyWaitsWhileAReplicaIsNotReplicatingAndResumesWhenItIs() throws Exception {
        try (MariaDbServer primary = MariaDbServer.start(1);
                MariaDbServer replica = MariaDbServer.start(2)) {
            String[] fileAndPos = query(primary, "SHOW MASTER STATUS").split("\\|");
            exec(
                    replica,
                    "CHANGE MASTER TO MASTER_HOST = '127.0.0.1', MASTER_PORT = "
                            + primary.port()
                            + ", MASTER_USER = 'root', MASTER_PASSWORD = '', MASTER_LOG_FILE = '"
                            + fileAndPos[0]
                            + "', MASTER_LOG_POS = "
                            + fileAndPos[1],
                    "START SLAVE");
            exec(primary, "CREATE DATABASE shop");
            TestDatabase db = new TestDatabase(primary, "shop");
            db.createWorkloadTable("events", 3_000);
            exec(replica, "STOP SLAVE SQL_THREAD");
            SchemaChangeSpec spec =
                    Changes.spec(
                            db,
                            "events",
                            "ADD COLUMN note VARCHAR(20) NULL",
                            """
                    backfill:
                      chunkTime: 20ms
                      maxChunkRows: 500
                      throttle: {maxReplicaLagSeconds: 5, replicas: ["127.0.0.1:%d"]}
                    retention: {keepOldTableFor: "0"}
                    """
                                    .formatted(replica.port()));
            Migrator migrator =
                    new Migrator(
                            JdbcConnections.of(db.jdbcUrl(), "root", ""),
                            spec,
                            "test/events",
                            java.time.Clock.systemUTC());

            Workload app = db.startWorkload("events", 3_000, 2, "");
            Progress held = null;
            for (int i = 0; i < 5 && (held == null || held.phase() != Phase.Backfilling); i++) {
                held = migrator.advance(Controls.NONE, Duration.ofSeconds(2), null);
            }

            assertThat(held.phase()).isEqualTo(Phase.Backfilling);
            assertThat(held.throttled()).isTrue();
            assertThat(held.waitingFor())
                    .isEqualTo(
                            Wait.of(
                                    Reason.THROTTLED,
                                    "throttled: replica lag: 127.0.0.1:"
                                            + replica.port()
                                            + " is not replicating (no Seconds_Behind_Master)"));
            assertThat(held.rowsCopied()).isZero();

            exec(replica, "START SLAVE SQL_THREAD");
            Progress end = Changes.run(migrator, Controls.NONE, null);
            app.close();

            assertThat(app.errors()).as("errors the application saw").isEmpty();
            assertThat(app.writes()).isPositive();
            assertThat(end.phase()).isEqualTo(Phase.Completed);
            assertThat(db.rows("SELECT id, k, payload FROM events ORDER BY id"))
                    .isEqualTo(db.rows("SELECT id, k, payload FROM events_ref ORDER BY id"));
        }
    }

    private static String query(MariaDbServer server, String sql) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection(
                                server.jdbcUrl(""), server.user(), server.password());
                Statement st = c.createStatement();
                java.sql.ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1) + "|" + rs.getString(2);
        }
    }

    private static void exec(MariaDbServer server, String... sql) throws SQLException {
        try (Connection c =
                        DriverManager.getConnection(
                                server.jdbcUrl(""), server.user(), server.password());
                Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }
}

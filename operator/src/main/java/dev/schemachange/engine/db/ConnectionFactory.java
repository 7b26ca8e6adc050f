package dev.schemachange.engine.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Opens a new session to the server holding the table; the engine owns and closes what it opens.
 */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;

    /**
     * A session to a replica of that server ({@code host:port}, same credentials), to throttle on
     * its lag. A factory that cannot reach replicas says so, and the change waits with that reason
     * in its status.
     */
    default Connection openReplica(String hostPort) throws SQLException {
        throw new SQLException("this connection cannot reach replicas");
    }
}

package dev.schemachange.engine;

import java.sql.Connection;
import java.sql.SQLException;

/** Opens a new session to the server holding the table; the engine owns and closes what it opens. */
@FunctionalInterface
public interface ConnectionFactory {
    Connection open() throws SQLException;
}

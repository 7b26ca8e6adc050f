package dev.schemachange.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class MariaDbServerTest {

    @Test
    void startsAPrivateServerThatStoresRowsAndLeavesNothingBehind() throws Exception {
        Path dir;
        try (MariaDbServer server = MariaDbServer.start()) {
            dir = server.directory();
            assertThat(dir.resolve("data")).isDirectory();
            try (Connection c = server.connect("");
                    Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE shop");
                s.execute("CREATE TABLE shop.orders (id INT PRIMARY KEY, note VARCHAR(20))");
                s.execute("INSERT INTO shop.orders VALUES (1, 'first')");
                try (ResultSet rs =
                        s.executeQuery(
                                "SELECT note, @@log_bin, @@binlog_format, @@character_set_server "
                                        + "FROM shop.orders WHERE id = 1")) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("first");
                    assertThat(rs.getInt(2)).isEqualTo(1);
                    assertThat(rs.getString(3)).isEqualTo("ROW");
                    assertThat(rs.getString(4)).isEqualTo("utf8mb4");
                }
            }
        }
        assertThat(Files.exists(dir)).as("datadir deleted on close").isFalse();
    }
}

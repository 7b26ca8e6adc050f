package dev.schemachange.engine.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

@MariaDb
class ApplierTest {
    /**
     * The transaction read the table, so it holds a shared metadata lock; a RENAME waiting for its
     * exclusive lock would make the transaction's next write wait behind it, and the server would
     * fail that write with ER 1213. Tried without waiting, the RENAME is never queued: the write
     * goes on, and the RENAME lands once the transaction has committed.
     */
    @Test
    void aDdlThatCannotLandAtOnceIsNotQueuedAheadOfATransactionThatReadTheTable(TestDatabase db)
            throws Exception {
        db.exec(
                "CREATE TABLE accounts (id INT PRIMARY KEY, v INT)",
                "CREATE TABLE accounts_next (id INT PRIMARY KEY, v INT)",
                "INSERT INTO accounts VALUES (1, 1)");
        Applier applier = new Applier(Duration.ofSeconds(5), 1);
        try (Connection app = db.connect();
                Connection engine = db.connect();
                Statement s = app.createStatement()) {
            app.setAutoCommit(false);
            s.executeQuery("SELECT v FROM accounts WHERE id = 1").close();

            CompletableFuture<Void> rename =
                    CompletableFuture.runAsync(
                            () -> {
                                try {
                                    applier.setLockWait(engine);
                                    applier.run(
                                            engine,
                                            "RENAME TABLE accounts TO accounts_old,"
                                                    + " accounts_next TO accounts");
                                } catch (java.sql.SQLException e) {
                                    throw new IllegalStateException(e);
                                }
                            });
            Thread.sleep(300); // the RENAME is trying now

            assertThatCode(() -> s.executeUpdate("UPDATE accounts SET v = 2 WHERE id = 1"))
                    .as("the transaction's write while the RENAME tries to land")
                    .doesNotThrowAnyException();
            app.commit();
            rename.get(10, TimeUnit.SECONDS);
        }
        assertThat(db.rows("SELECT id, v FROM accounts_old")).containsExactly("1|2");
        assertThat(db.rows("SELECT id FROM accounts")).isEmpty();
    }
}

package dev.schemachange.engine;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.schemachange.api.Manifests;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChangeSpec;
import dev.schemachange.engine.db.Sessions;
import dev.schemachange.testing.Changes;
import dev.schemachange.testing.MariaDb;
import dev.schemachange.testing.TestDatabase;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The statements {@code osc plan} shows are the ones {@code osc run} executes: every statement of
 * the plan is among those the engine logs at debug level while it runs the same change.
 */
@MariaDb
class PlanMatchesRunTest {
    private static final String ORDERS =
            "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                    + "k INT NOT NULL, payload VARCHAR(64) NULL, KEY (k))";

    @Test
    void theCopyExamplesPlannedStatementsAreTheOnesRunExecutes(TestDatabase db) throws Exception {
        db.exec(
                "DROP TABLE IF EXISTS orders, schema_migrations",
                "DROP DATABASE IF EXISTS `_schemachange`",
                ORDERS,
                "INSERT INTO orders (k, payload) SELECT seq % 100, CONCAT('row ', seq) FROM seq_1_to_2000");
        assertPlannedStatementsRun(db, "orders-bigint.yaml", Phase.Swapped);
    }

    @Test
    void theNativeExamplesPlannedStatementsAreTheOnesRunExecutes(TestDatabase db) throws Exception {
        db.exec(
                "DROP TABLE IF EXISTS orders, schema_migrations",
                "DROP DATABASE IF EXISTS `_schemachange`",
                ORDERS,
                "INSERT INTO orders (k, payload) SELECT seq % 100, CONCAT('row ', seq) FROM seq_1_to_2000",
                "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)");
        assertPlannedStatementsRun(db, "native-add-column.yaml", Phase.Swapped);
    }

    private static void assertPlannedStatementsRun(TestDatabase db, String example, Phase end)
            throws Exception {
        SchemaChangeSpec spec = example(db, example);
        ChangePlan plan = Changes.migrator(db, spec).plan();
        assertThat(plan.problem()).isNull();
        List<String> planned =
                plan.steps().stream()
                        .filter(s -> !s.title().equals("rollback") && !s.title().equals("cleanup"))
                        .flatMap(s -> s.sql().stream())
                        .toList();
        assertThat(planned).isNotEmpty();

        Logger sessions = (Logger) LoggerFactory.getLogger(Sessions.class);
        ListAppender<ILoggingEvent> executed = new ListAppender<>();
        executed.start();
        Level level = sessions.getLevel();
        sessions.setLevel(Level.DEBUG);
        sessions.addAppender(executed);
        Progress done;
        try {
            done =
                    Changes.run(
                            Changes.migrator(db, spec),
                            new Controls(true, null, false, false),
                            null);
        } finally {
            sessions.detachAppender(executed);
            sessions.setLevel(level);
        }
        assertThat(done.phase()).as(done.message()).isEqualTo(end);
        List<String> ran =
                executed.list.stream()
                        .map(ILoggingEvent::getFormattedMessage)
                        .map(m -> m.substring("sql: ".length()))
                        .toList();
        assertThat(ran).containsAll(planned);
    }

    /** The shipped example against the test database, as --jdbc-url would point it there. */
    private static SchemaChangeSpec example(TestDatabase db, String file) throws Exception {
        SchemaChangeSpec spec =
                Manifests.parse(java.nio.file.Files.readString(Path.of("..", "examples", file)))
                        .getSpec();
        return spec.withDatabase(
                new SchemaChangeSpec.Database(
                        "127.0.0.1",
                        db.server().port(),
                        db.name(),
                        spec.database().credentialsSecret()));
    }
}

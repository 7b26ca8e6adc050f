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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The statements {@code osc plan} shows are the ones {@code osc run} executes: for every shipped
 * example, every statement the plan gives for the steps up to the swap and the reverse sync is
 * among those the engine logs at debug level while it runs the same change, and the statements of
 * its rollback are among those logged by the rollback that follows. Statements with placeholders
 * compare by their text, as the log shows them.
 */
@MariaDb
class PlanMatchesRunTest {
    /**
     * Enough rows for chunks with both bounds: the copy's and the verify's chunks start at 1000
     * rows and grow at most 2.5 times per chunk, so the verify's second chunk ends before 3500.
     */
    private static final int ROWS = 6_000;

    private static final String ORDERS =
            "CREATE TABLE orders (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, "
                    + "k INT NOT NULL, payload VARCHAR(64) NULL, KEY (k))";
    private static final String FILL_ORDERS =
            "INSERT INTO orders (k, payload) SELECT seq % 100, CONCAT('row ', seq) FROM seq_1_to_"
                    + ROWS;
    private static final String VERSIONS =
            "CREATE TABLE schema_migrations (version VARCHAR(255) NOT NULL PRIMARY KEY)";
    private static final String CUSTOMERS =
            "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, "
                    + "email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100) NULL, "
                    + "created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP)";
    private static final String FILL_CUSTOMERS =
            "INSERT INTO customers (email, name) SELECT CONCAT('c', seq, '@example.com'), "
                    + "CONCAT('customer ', seq) FROM seq_1_to_"
                    + ROWS;

    /** An example and the tables it expects, as the "Expects:" comment at its top shows them. */
    record Example(String file, List<String> setup) {
        @Override
        public String toString() {
            return file;
        }
    }

    static Stream<Example> examples() {
        return Stream.of(
                new Example("orders-bigint.yaml", List.of(ORDERS, FILL_ORDERS)),
                new Example("add-index-approval.yaml", List.of(ORDERS, FILL_ORDERS)),
                new Example("rails-migration-version.yaml", List.of(ORDERS, FILL_ORDERS, VERSIONS)),
                new Example("native-add-column.yaml", List.of(ORDERS, FILL_ORDERS, VERSIONS)),
                new Example("add-column.yaml", List.of(CUSTOMERS, FILL_CUSTOMERS)),
                new Example(
                        "fk-children.yaml",
                        List.of(
                                CUSTOMERS,
                                FILL_CUSTOMERS,
                                "CREATE TABLE addresses (id INT AUTO_INCREMENT PRIMARY KEY, "
                                        + "customer_id INT NOT NULL, city VARCHAR(64) NOT NULL, "
                                        + "CONSTRAINT addresses_customer FOREIGN KEY (customer_id) "
                                        + "REFERENCES customers (id) ON DELETE CASCADE)",
                                "INSERT INTO addresses (customer_id, city) SELECT seq, 'Berlin' "
                                        + "FROM seq_1_to_"
                                        + ROWS)),
                new Example(
                        "customers-split.yaml",
                        List.of(
                                "CREATE TABLE customers (id INT AUTO_INCREMENT PRIMARY KEY, "
                                        + "email VARCHAR(255) NOT NULL UNIQUE, name VARCHAR(100) NULL, "
                                        + "created_at DATETIME NOT NULL, bio TEXT NULL, "
                                        + "avatar_url VARCHAR(255) NULL, preferences JSON NULL, "
                                        + "legacy_flag TINYINT NULL)",
                                "INSERT INTO customers (email, name, created_at, bio, preferences) "
                                        + "SELECT CONCAT('c', seq, '@example.com'), "
                                        + "CONCAT('customer ', seq), NOW(), 'bio', '{}' "
                                        + "FROM seq_1_to_"
                                        + ROWS)),
                new Example(
                        "rollback.yaml",
                        List.of(
                                "CREATE TABLE payments (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
                                        + "amount DECIMAL(12,2) NOT NULL, paid_at DATETIME NULL)",
                                "INSERT INTO payments (amount, paid_at) SELECT seq / 100, NOW() "
                                        + "FROM seq_1_to_"
                                        + ROWS)));
    }

    @Test
    void everyExampleFileIsChecked() throws IOException {
        List<String> checked = examples().map(Example::file).toList();
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".yaml")))
                    .allMatch(checked::contains);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("examples")
    void theStatementsPlannedAreTheOnesRunAndRollbackExecute(Example example, TestDatabase db)
            throws Exception {
        arrange(db, example);
        assertPlannedStatementsRun(db, example(db, example.file()));
    }

    /**
     * A table with foreign keys to parents: the old table's constraints move aside at the swap and
     * come back at the rollback, the new table's take their names back; as planned.
     */
    @Test
    void theForeignKeysToParentsAreRenamedAsPlanned(TestDatabase db) throws Exception {
        arrange(
                db,
                new Example(
                        "shipments",
                        List.of(
                                "CREATE TABLE customers (id INT PRIMARY KEY)",
                                "CREATE TABLE warehouses (id INT PRIMARY KEY)",
                                "INSERT INTO customers SELECT seq FROM seq_1_to_200",
                                "INSERT INTO warehouses SELECT seq FROM seq_1_to_10",
                                "CREATE TABLE shipments (id INT AUTO_INCREMENT PRIMARY KEY, "
                                        + "customer_id INT NOT NULL, warehouse_id INT NULL, qty INT, "
                                        + "CONSTRAINT shipments_customer FOREIGN KEY (customer_id) "
                                        + "REFERENCES customers (id) ON DELETE CASCADE, "
                                        + "CONSTRAINT fk_shipments_warehouse FOREIGN KEY (warehouse_id) "
                                        + "REFERENCES warehouses (id))",
                                "INSERT INTO shipments (customer_id, warehouse_id, qty) "
                                        + "SELECT 1 + seq % 200, 1 + seq % 10, seq FROM seq_1_to_"
                                        + ROWS)));
        SchemaChangeSpec spec =
                Changes.spec(
                        db,
                        "shipments",
                        "ADD COLUMN note VARCHAR(20)",
                        "retention: {keepOldTableFor: 72h}\n");
        ChangePlan plan = migrator(db, spec).plan();
        assertThat(plan.steps().stream().flatMap(s -> s.sql().stream()))
                .anyMatch(
                        q ->
                                q.startsWith(
                                        "ALTER TABLE `"
                                                + db.name()
                                                + "`.`shipments__osc_old` DROP FOREIGN KEY"));

        assertPlannedStatementsRun(db, spec);
    }

    private static void assertPlannedStatementsRun(TestDatabase db, SchemaChangeSpec spec)
            throws Exception {
        ChangePlan plan = migrator(db, spec).plan();
        assertThat(plan.problem()).isNull();
        List<ChangePlan.Step> untilReverseSync =
                plan.steps().stream()
                        .filter(s -> !s.title().startsWith("rollback"))
                        .filter(s -> !s.title().equals("cleanup"))
                        .toList();
        assertThat(untilReverseSync.stream().flatMap(s -> s.sql().stream())).isNotEmpty();

        Progress[] done = new Progress[1];
        List<String> ran =
                logged(
                        () ->
                                done[0] =
                                        Changes.run(
                                                migrator(db, spec),
                                                new Controls(true, null, false, false),
                                                null));
        assertThat(done[0].phase()).as(done[0].message()).isEqualTo(Phase.Swapped);
        assertAmongRun(untilReverseSync, ran);

        ChangePlan.Step rollback =
                plan.steps().stream()
                        .filter(
                                s ->
                                        s.title().equals("rollback")
                                                || s.title().equals("rollback after the swap"))
                        .findFirst()
                        .orElseThrow();
        if (rollback.sql().isEmpty()) {
            assertThat(rollback.comment()).startsWith("none");
            return;
        }
        List<String> rolledBack =
                logged(() -> done[0] = migrator(db, spec).rollback(Duration.ofMinutes(5)));
        assertThat(done[0].phase()).as(done[0].message()).isEqualTo(Phase.RolledBack);
        assertAmongRun(List.of(rollback), rolledBack);
    }

    @Test
    void theRollbackBeforeTheSwapIsTheOnePlanned(TestDatabase db) throws Exception {
        Example example = examples().findFirst().orElseThrow();
        arrange(db, example);
        SchemaChangeSpec spec = example(db, example.file());
        ChangePlan.Step abort =
                migrator(db, spec).plan().steps().stream()
                        .filter(s -> s.title().equals("rollback before the swap"))
                        .findFirst()
                        .orElseThrow();
        Progress waiting = Changes.run(migrator(db, spec), Controls.NONE, Phase.AwaitingSwap);
        assertThat(waiting.phase()).isEqualTo(Phase.AwaitingSwap);

        Progress[] done = new Progress[1];
        List<String> ran =
                logged(() -> done[0] = migrator(db, spec).rollback(Duration.ofMinutes(5)));

        assertThat(done[0].phase()).isEqualTo(Phase.RolledBack);
        assertThat(abort.sql()).isNotEmpty();
        assertAmongRun(List.of(abort), ran);
    }

    private static void assertAmongRun(List<ChangePlan.Step> steps, List<String> ran) {
        for (ChangePlan.Step step : steps) {
            for (String statement : step.sql()) {
                assertThat(ran).as("step %s", step.title()).contains(statement);
            }
        }
    }

    /**
     * Only the example's tables: whatever an earlier example left (a failed one stops before its
     * rollback, with triggers that name its old table) would change what this one runs.
     */
    private static void arrange(TestDatabase db, Example example) {
        List<String> drop = new java.util.ArrayList<>(List.of("SET FOREIGN_KEY_CHECKS = 0"));
        db.rows(
                        "SELECT CONCAT(IF(TABLE_TYPE = 'VIEW', 'DROP VIEW `', 'DROP TABLE `'), "
                                + "TABLE_NAME, '`') FROM information_schema.TABLES "
                                + "WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_TYPE = 'VIEW' DESC")
                .forEach(drop::add);
        drop.add("DROP DATABASE IF EXISTS `_schemachange`");
        drop.add("DROP DATABASE IF EXISTS `_schemachange_undo`");
        db.exec(drop.toArray(String[]::new));
        db.exec(example.setup().toArray(String[]::new));
    }

    /**
     * The migrator as the CLI makes it; add-index-approval swaps only in its Saturday-night window,
     * so the clock runs from inside the next one.
     */
    private static Migrator migrator(TestDatabase db, SchemaChangeSpec spec) {
        Clock clock = Clock.systemUTC();
        if (spec.swap().window() != null) {
            ZonedDateTime now = ZonedDateTime.now(ZoneId.of("Europe/Berlin"));
            ZonedDateTime inside =
                    now.with(TemporalAdjusters.next(DayOfWeek.SATURDAY)).with(LocalTime.of(2, 30));
            clock = Clock.offset(clock, Duration.between(Instant.now(), inside.toInstant()));
        }
        return new Migrator(db::connect, spec, "test/" + spec.table(), clock);
    }

    /** The statements the engine logged while {@code work} ran, as the log shows them. */
    private static List<String> logged(Callable<?> work) throws Exception {
        Logger sessions = (Logger) LoggerFactory.getLogger(Sessions.class);
        ListAppender<ILoggingEvent> executed = new ListAppender<>();
        executed.start();
        Level level = sessions.getLevel();
        sessions.setLevel(Level.DEBUG);
        sessions.addAppender(executed);
        try {
            work.call();
        } finally {
            sessions.detachAppender(executed);
            sessions.setLevel(level);
        }
        return executed.list.stream()
                .map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.startsWith("sql: "))
                .map(m -> m.substring("sql: ".length()))
                .toList();
    }

    /** The shipped example against the test database, as --jdbc-url would point it there. */
    private static SchemaChangeSpec example(TestDatabase db, String file) throws Exception {
        SchemaChangeSpec spec =
                Manifests.parse(Files.readString(Path.of("..", "examples", file))).getSpec();
        return spec.withDatabase(
                new SchemaChangeSpec.Database(
                        "127.0.0.1",
                        db.server().port(),
                        db.name(),
                        spec.database().credentialsSecret()));
    }
}

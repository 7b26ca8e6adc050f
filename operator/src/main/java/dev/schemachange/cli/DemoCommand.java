package dev.schemachange.cli;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.Controls;
import dev.schemachange.engine.Migrator;
import dev.schemachange.engine.Progress;
import dev.schemachange.local.MariaDbServer;
import dev.schemachange.local.Workload;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Quick start: a throwaway MariaDB, a live writer and a real change, end to end.")
final class DemoCommand implements Callable<Integer> {
    static final String EXAMPLE = "examples/orders-bigint.yaml";

    @Option(
            names = "--rows",
            defaultValue = "200000",
            description = "rows in shop.orders (default: ${DEFAULT-VALUE})")
    int rows;

    @Override
    public Integer call() throws Exception {
        SchemaChange change = example();
        System.out.println("starting a throwaway MariaDB ...");
        try (MariaDbServer server = MariaDbServer.start()) {
            try (Connection c = server.connect("")) {
                c.createStatement().execute("CREATE DATABASE shop");
            }
            try (Connection c = server.connect("shop")) {
                Workload.createTable(c, "orders", rows);
            }
            System.out.printf(
                    "shop.orders has %,d rows; an application now writes to it (inserts, updates, "
                            + "key changes, deletes)%n",
                    rows);
            System.out.println("running " + EXAMPLE + ": " + change.getSpec().alter());
            String url = server.jdbcUrl("shop");
            Migrator migrator =
                    new Migrator(
                            () -> server.connect("shop"),
                            change.getSpec(),
                            Target.owner(change),
                            Clock.systemUTC());
            ProgressPrinter printer = new ProgressPrinter(System.out);
            long started = System.nanoTime();
            Progress p;
            Workload app =
                    Workload.start(url, server.user(), server.password(), "orders", rows, 2, "");
            try (app) {
                do {
                    p =
                            migrator.advance(
                                    new Controls(true, null, false, false),
                                    Duration.ofSeconds(1),
                                    null);
                    printer.print(p);
                } while (!p.phase().isSwapped() && !p.phase().isTerminal() && p.problem() == null);
                Thread.sleep(500); // the application keeps writing to the new table
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            long differences = differences(server);
            System.out.println();
            System.out.printf(
                    "phase %s in %.1f s: backfill %,.0f rows/s, swap stall %d ms, %,d application writes "
                            + "during the change, %d application errors, %d lock conflicts retried%n",
                    p.phase(),
                    seconds,
                    p.rowsPerSecond(),
                    p.lockMillis(),
                    app.writes(),
                    app.errors().size(),
                    app.lockConflicts());
            System.out.println(
                    "differences between shop.orders and the application's own record: "
                            + differences);
            app.errors().stream().limit(5).forEach(e -> System.out.println("  error: " + e));
            boolean ok = p.phase().isSwapped() && differences == 0 && app.errors().isEmpty();
            System.out.println(ok ? "demo OK" : "demo FAILED");
            System.out.println("phase=" + p.phase());
            return ok ? 0 : 1;
        }
    }

    private static SchemaChange example() throws Exception {
        try (InputStream in = DemoCommand.class.getClassLoader().getResourceAsStream(EXAMPLE)) {
            if (in == null) {
                throw new IllegalStateException(EXAMPLE + " is missing from the jar");
            }
            return Manifests.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /**
     * Rows that differ between the live table and the reference the application kept, both ways.
     */
    private static long differences(MariaDbServer server) throws SQLException {
        try (Connection c = server.connect("shop");
                var s = c.createStatement();
                var rs =
                        s.executeQuery(
                                "SELECT (SELECT COUNT(*) FROM orders o LEFT JOIN orders_ref r ON r.id = o.id "
                                        + "WHERE r.id IS NULL OR NOT (o.k <=> r.k AND o.payload <=> r.payload)) + "
                                        + "(SELECT COUNT(*) FROM orders_ref r LEFT JOIN orders o ON o.id = r.id WHERE o.id IS NULL)")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

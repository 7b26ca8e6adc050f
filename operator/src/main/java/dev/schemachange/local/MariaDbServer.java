package dev.schemachange.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A private, throwaway MariaDB server: fresh datadir in a temp folder, a free loopback port, binlog
 * on. Used by {@code osc demo} and by the tests, so both exercise the same real server setup.
 * {@link #close()} stops the server and deletes its files; a shutdown hook does the same if the JVM
 * exits first.
 */
public final class MariaDbServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MariaDbServer.class);

    /** Optional: another server binary (e.g. a MySQL 8 mysqld) to run the same suite against. */
    public static final String BINARY_ENV = "OSC_TEST_MYSQLD";

    static final String INSTALL_HINT =
            "mariadbd not found on PATH: install it with 'apt-get install -y mariadb-server mariadb-client' "
                    + "(or set "
                    + BINARY_ENV
                    + " to a server binary)";

    private final Path dir;
    private final int port;
    private final Process process;
    private final Thread shutdownHook;
    private boolean closed;

    private MariaDbServer(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
        this.shutdownHook = new Thread(this::stopQuietly, "mariadb-shutdown-" + port);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a fresh server and waits until it accepts connections. */
    public static MariaDbServer start() {
        return start(1);
    }

    /** A server with its own {@code server_id}, e.g. 2 for a replica of the first. */
    public static MariaDbServer start(int serverId) {
        Path binary = findServerBinary();
        Path dir;
        try {
            dir = Files.createTempDirectory("osc-mariadb-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path data = dir.resolve("data");
        try {
            installDatadir(binary, data, dir);
            int port = freePort();
            List<String> args =
                    new ArrayList<>(
                            List.of(
                                    binary.toString(),
                                    "--no-defaults",
                                    "--datadir=" + data,
                                    "--bind-address=127.0.0.1",
                                    "--port=" + port,
                                    "--socket=" + dir.resolve("mysqld.sock"),
                                    "--pid-file=" + dir.resolve("mysqld.pid"),
                                    "--log-error=" + dir.resolve("error.log"),
                                    "--log-bin=" + data.resolve("binlog"),
                                    // its own tmpdir, like its datadir: nothing shared with other
                                    // servers or whatever cleans /tmp
                                    // (a footprint run on a shared machine once failed a slice with
                                    // "Error on delete of
                                    // '/tmp/#sql-temptable-...' (Errcode: 2)"; cause not proven,
                                    // isolation is cheap)
                                    "--tmpdir=" + dir,
                                    "--binlog-format=ROW",
                                    "--server-id=" + serverId,
                                    "--skip-name-resolve",
                                    "--character-set-server=utf8mb4",
                                    "--collation-server=utf8mb4_general_ci",
                                    "--event-scheduler=ON",
                                    "--innodb-buffer-pool-size=256M",
                                    "--max-connections=500",
                                    "--innodb-flush-log-at-trx-commit=2",
                                    "--sync-binlog=0"));
            if (isRoot()) {
                args.add("--user=root");
            }
            Process process =
                    new ProcessBuilder(args)
                            .redirectErrorStream(true)
                            .redirectOutput(dir.resolve("stdout.log").toFile())
                            .start();
            MariaDbServer server = new MariaDbServer(dir, port, process);
            server.awaitReady(Duration.ofSeconds(60));
            log.info("throwaway MariaDB started on 127.0.0.1:{} (datadir {})", port, data);
            return server;
        } catch (IOException e) {
            deleteTree(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            deleteTree(dir);
            throw e;
        }
    }

    public int port() {
        return port;
    }

    public Path directory() {
        return dir;
    }

    /** JDBC URL for the given database (may be empty for none). */
    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:"
                + port
                + "/"
                + database
                + "?useSSL=false&allowPublicKeyRetrieval=true&serverTimezone=UTC";
    }

    public String user() {
        return "root";
    }

    public String password() {
        return "";
    }

    public Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), user(), password());
    }

    @Override
    public synchronized void close() {
        stopQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to unregister
        }
    }

    private synchronized void stopQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        process.destroy(); // SIGTERM: mariadbd shuts down cleanly
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteTree(dir);
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        SQLException last = null;
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(
                        "mariadbd exited with "
                                + process.exitValue()
                                + " during startup: "
                                + tail(dir.resolve("error.log")));
            }
            try (Connection ignored = connect("")) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            sleep(100);
        }
        stopQuietly();
        throw new IllegalStateException(
                "mariadbd did not accept connections within "
                        + timeout
                        + ": "
                        + (last == null ? "" : last.getMessage()));
    }

    private static void installDatadir(Path binary, Path data, Path dir) throws IOException {
        Path installer = binary.resolveSibling("mariadb-install-db");
        String installCmd =
                Files.isExecutable(installer) ? installer.toString() : "mariadb-install-db";
        List<String> cmd;
        if (binary.getFileName().toString().startsWith("mysqld")
                && !Files.isExecutable(installer)) {
            // MySQL: the server initialises its own datadir
            cmd =
                    new ArrayList<>(
                            List.of(
                                    binary.toString(),
                                    "--no-defaults",
                                    "--initialize-insecure",
                                    "--datadir=" + data));
        } else {
            cmd =
                    new ArrayList<>(
                            List.of(
                                    installCmd,
                                    "--no-defaults",
                                    "--datadir=" + data,
                                    "--auth-root-authentication-method=normal",
                                    "--skip-test-db"));
        }
        if (isRoot()) {
            cmd.add("--user=root");
        }
        Process p =
                new ProcessBuilder(cmd)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("install.log").toFile())
                        .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(
                        "could not initialise a datadir: " + tail(dir.resolve("install.log")));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while initialising the datadir", e);
        }
    }

    static Path findServerBinary() {
        String override = System.getenv(BINARY_ENV);
        if (override != null && !override.isBlank()) {
            Path p = Path.of(override);
            if (!Files.isExecutable(p)) {
                throw new IllegalStateException(
                        BINARY_ENV + "=" + override + " is not an executable file");
            }
            return p;
        }
        List<String> path =
                new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        path.add("/usr/sbin"); // Debian puts mariadbd here, often outside a non-root PATH
        for (String d : path) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, "mariadbd");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException(INSTALL_HINT);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(no " + file.getFileName() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            log.warn("could not delete {}: {}", root, e.getMessage());
        }
    }
}

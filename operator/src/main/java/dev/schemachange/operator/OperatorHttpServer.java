package dev.schemachange.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's only HTTP port (the JDK's own server, no framework): {@code GET /metrics} in
 * Prometheus text format, {@code GET /healthz} for liveness and {@code GET /readyz} for readiness.
 * 200 means yes, 503 no; any other path is 404, any other method 405.
 *
 * <p>Readiness is "JOSDK's operator has started", also on a replica that is not the leader: it is
 * alive and waits for the Lease, and nothing routes traffic to an operator pod, so holding it
 * unready would only make rollouts (maxUnavailable) and {@code kubectl wait} stall on the stand-by
 * replica.
 */
public final class OperatorHttpServer implements AutoCloseable {
    public static final String PORT_ENV = "OSC_HTTP_PORT";
    public static final int DEFAULT_PORT = 8080;
    private static final Logger log = LoggerFactory.getLogger(OperatorHttpServer.class);

    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * Binds {@code port} on every interface (0: any free port, see {@link #port()}) and starts
     * serving.
     *
     * @param metrics the text for /metrics
     * @param live /healthz
     * @param ready /readyz
     * @param detail a line added to the readiness answer (unhealthy event sources), may be empty
     */
    public OperatorHttpServer(
            int port,
            Supplier<String> metrics,
            BooleanSupplier live,
            BooleanSupplier ready,
            Supplier<String> detail)
            throws IOException {
        server = HttpServer.create(new InetSocketAddress(port), 16);
        // two threads: a scrape and a probe never wait for each other; daemon so they never hold
        // the JVM up
        executor =
                Executors.newFixedThreadPool(
                        2,
                        r -> {
                            Thread t = new Thread(r, "osc-http");
                            t.setDaemon(true);
                            return t;
                        });
        server.setExecutor(executor);
        server.createContext(
                "/metrics",
                ex -> answer(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.get()));
        server.createContext(
                "/healthz", ex -> health(ex, live.getAsBoolean(), "alive", "stopped", ""));
        server.createContext(
                "/readyz",
                ex -> health(ex, ready.getAsBoolean(), "ready", "not started", detail.get()));
        server.createContext(
                "/",
                ex ->
                        answer(
                                ex,
                                404,
                                "text/plain; charset=utf-8",
                                "not found: /metrics, /healthz, /readyz\n"));
        server.start();
        log.info("serving /metrics, /healthz and /readyz on port {}", port());
    }

    /**
     * The metrics and health of {@code operator} on {@code port} (for {@code osc operator}: {@link
     * #port(Map)}).
     */
    public static OperatorHttpServer serve(int port, SchemaChangeOperator operator)
            throws IOException {
        OperatorMetrics metrics = operator.metrics();
        return new OperatorHttpServer(
                port,
                metrics == null ? () -> "" : metrics::scrape,
                operator::live,
                operator::ready,
                operator::unhealthyEventSources);
    }

    /** {@value #PORT_ENV}, default {@value #DEFAULT_PORT}. */
    public static int port(Map<String, String> env) {
        String value = env.getOrDefault(PORT_ENV, "").trim();
        if (value.isEmpty()) {
            return DEFAULT_PORT;
        }
        try {
            int port = Integer.parseInt(value);
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    PORT_ENV + "=" + value + ": not a port number (0-65535)");
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void health(HttpExchange ex, boolean ok, String yes, String no, String detail)
            throws IOException {
        String body =
                (ok ? yes : no)
                        + (detail == null || detail.isEmpty()
                                ? ""
                                : "; unhealthy event sources: " + detail)
                        + "\n";
        answer(ex, ok ? 200 : 503, "text/plain; charset=utf-8", body);
    }

    private static void answer(HttpExchange ex, int status, String type, String body)
            throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            boolean head = "HEAD".equals(method);
            if (!head && !"GET".equals(method)) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            ex.getResponseHeaders().set("Cache-Control", "no-store");
            ex.sendResponseHeaders(status, head ? -1 : bytes.length == 0 ? -1 : bytes.length);
            if (!head && bytes.length > 0) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(bytes);
                }
            }
        } catch (RuntimeException e) {
            log.warn("{} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
            throw e;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}

package dev.schemachange.testing;

import dev.schemachange.local.MariaDbServer;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * One throwaway MariaDB per test run (kept in the root context's store, closed when the run ends)
 * and a fresh database per test class, dropped after the class. Tests receive a {@link
 * TestDatabase} parameter.
 */
public final class MariaDbExtension
        implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
    private static final ExtensionContext.Namespace NS =
            ExtensionContext.Namespace.create(MariaDbExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        SharedServer shared =
                context.getRoot()
                        .getStore(NS)
                        .getOrComputeIfAbsent(
                                SharedServer.class,
                                k -> new SharedServer(MariaDbServer.start()),
                                SharedServer.class);
        String name =
                "t"
                        + shared.nextId()
                        + "_"
                        + context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        name = name.length() > 48 ? name.substring(0, 48) : name;
        try (Connection c = shared.server().connect("");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE `" + name + "`");
        }
        context.getStore(NS).put(TestDatabase.class, new TestDatabase(shared.server(), name));
    }

    @Override
    public void afterAll(ExtensionContext context) throws SQLException {
        TestDatabase db = context.getStore(NS).remove(TestDatabase.class, TestDatabase.class);
        if (db != null) {
            try (Connection c = db.server().connect("");
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS `" + db.name() + "`");
            }
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
        return p.getParameter().getType() == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext p, ExtensionContext e) {
        return e.getStore(NS).get(TestDatabase.class, TestDatabase.class);
    }

    /** Closed by JUnit when the root context closes, i.e. once at the end of the run. */
    private record SharedServer(MariaDbServer server, AtomicInteger ids)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        SharedServer(MariaDbServer server) {
            this(server, new AtomicInteger());
        }

        int nextId() {
            return ids.incrementAndGet();
        }

        @Override
        public void close() {
            server.close();
        }
    }
}

package dev.schemachange.operator;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.testing.MovableClock;
import dev.schemachange.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;

/** Manifests and settings the operator tests share. */
final class OperatorTestSupport {
    static final String NAMESPACE = "shop";
    static final String SECRET = "shop-db-osc";

    private OperatorTestSupport() {}

    /**
     * A SchemaChange against {@code db}'s schema; {@code extra} is more spec YAML, indented by two.
     */
    static SchemaChange change(String name, TestDatabase db, String table, String extra) {
        String yaml =
                """
                apiVersion: schemachange.dev/v1alpha1
                kind: SchemaChange
                metadata: {name: %s, namespace: %s}
                spec:
                  database: {host: 127.0.0.1, port: %d, schema: %s, credentialsSecret: %s}
                  table: %s
                %s"""
                        .formatted(
                                name,
                                NAMESPACE,
                                db.server().port(),
                                db.name(),
                                SECRET,
                                table,
                                dev.schemachange.testing.Changes.copyUnlessSaid(extra).indent(2));
        try {
            return Manifests.parse(yaml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Quick retries and long waits: a test sees a reconcile only when it expects one (an event, a
     * backoff).
     */
    static OperatorSettings settings(MovableClock clock) {
        return new OperatorSettings(
                clock,
                Duration.ofSeconds(5),
                Duration.ofMillis(200),
                Duration.ofHours(1),
                Duration.ofMillis(200),
                Duration.ofSeconds(1));
    }

    /** A mock API server in CRUD mode, with the test namespace. */
    static MockCluster cluster() {
        MockCluster cluster = new MockCluster();
        cluster.namespace(NAMESPACE);
        return cluster;
    }

    /** The Secret every test change names, holding {@code db}'s credentials. */
    static void secret(MockCluster cluster, TestDatabase db) {
        cluster.secret(
                NAMESPACE,
                SECRET,
                Map.of("username", db.server().user(), "password", db.server().password()));
    }

    /** The real operator, started against {@code cluster}; close it before the cluster. */
    static SchemaChangeOperator started(
            MockCluster cluster, Engine.Factory engines, OperatorSettings settings) {
        SchemaChangeOperator operator =
                new SchemaChangeOperator(cluster.client, engines, settings, options());
        operator.start();
        return operator;
    }

    static OperatorOptions options() {
        return new OperatorOptions(java.util.Set.of(), null, false);
    }
}

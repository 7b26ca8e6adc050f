package dev.schemachange.operator;

import dev.schemachange.api.SchemaChange;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;

/**
 * A fabric8 mock API server in CRUD mode with the generated SchemaChange CRD installed, so the
 * status subresource behaves as in a cluster (status patches do not touch spec, spec updates do not
 * touch status). Public for bench/footprint (dev.schemachange.bench.Footprint), which runs the
 * operator jar against it.
 */
public final class MockCluster implements AutoCloseable {
    static final Path CRD = Path.of("..", "crds", "schemachanges.schemachange.dev-v1.yml");

    final KubernetesMockServer server;
    public final KubernetesClient client;

    /**
     * Held so the level sticks (JUL keeps loggers weakly): one INFO line per request drowns the
     * test output.
     */
    private final java.util.logging.Logger requestLog =
            java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public MockCluster() {
        requestLog.setLevel(java.util.logging.Level.WARNING);
        // what @EnableKubernetesMockClient(crud = true) builds: expectations first, then CRUD
        Map<ServerRequest, Queue<ServerResponse>> expectations = new HashMap<>();
        server =
                new KubernetesMockServer(
                        new Context(Serialization.jsonMapper()),
                        new MockWebServer(),
                        expectations,
                        new KubernetesMixedDispatcher(expectations),
                        false);
        server.init();
        client = server.createClient();
        try (InputStream crd = Files.newInputStream(CRD)) {
            client.apiextensions().v1().customResourceDefinitions().load(crd).create();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + CRD, e);
        }
    }

    public void namespace(String name) {
        client.namespaces()
                .resource(
                        new NamespaceBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .endMetadata()
                                .build())
                .create();
    }

    public void secret(String namespace, String name, Map<String, String> values) {
        client.secrets()
                .inNamespace(namespace)
                .resource(
                        new SecretBuilder()
                                .withNewMetadata()
                                .withName(name)
                                .withNamespace(namespace)
                                .endMetadata()
                                .withStringData(values)
                                .build())
                .createOr(r -> r.update());
    }

    SchemaChange apply(SchemaChange change) {
        return client.resource(change).create();
    }

    Resource<SchemaChange> change(String namespace, String name) {
        return client.resources(SchemaChange.class).inNamespace(namespace).withName(name);
    }

    List<Event> events(String namespace, String name) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    @Override
    public void close() {
        client.close();
        server.destroy();
    }
}

package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.check.SpecValidation;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What users copy from examples/ must pass the operator's own validation and apply as it is: every
 * file holds its SchemaChange and the Secret it names, and all of them go into one mock API server
 * together (so their names do not collide, and {@code kubectl apply -f examples/} works).
 * ExamplesRunTest runs them on a database.
 */
class ExamplesTest {
    private static MockCluster cluster;

    @BeforeAll
    static void start() {
        cluster = new MockCluster();
        cluster.namespace("shop");
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    static Stream<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(yaml).isNotEmpty();
            return yaml.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleIsValidForTheOperator(Path example) throws IOException {
        SchemaChange change = Manifests.read(example);

        assertThat(SpecValidation.checkForCluster(change.getSpec()))
                .as(example.toString())
                .isEmpty();
        assertThat(change.getMetadata().getNamespace())
                .as("namespaced, as the Secret must be")
                .isNotBlank();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void everyExampleAppliesWithTheSecretItNames(Path example) throws IOException {
        SchemaChange expected = Manifests.read(example);
        List<HasMetadata> objects;
        try (InputStream in = Files.newInputStream(example)) {
            objects = cluster.client.load(in).items();
        }
        for (HasMetadata object : objects) {
            if (object instanceof Secret) {
                cluster.client
                        .resource(object)
                        .createOr(existing -> existing.update()); // all share shop-db-osc
            } else {
                cluster.client.resource(object).create(); // a name another example took fails here
            }
        }

        String namespace = expected.getMetadata().getNamespace();
        Secret secret =
                cluster.client
                        .secrets()
                        .inNamespace(namespace)
                        .withName(expected.getSpec().database().credentialsSecret())
                        .get();
        assertThat(secret)
                .as("the Secret named by spec.database.credentialsSecret, in the same file")
                .isNotNull();
        assertThat(objects).filteredOn(o -> o instanceof Secret).isNotEmpty();
        assertThat(secret.getStringData().keySet())
                .containsExactlyInAnyOrder("username", "password");
        SchemaChange stored = cluster.change(namespace, expected.getMetadata().getName()).get();
        assertThat(stored.getSpec()).as("what the API server holds").isEqualTo(expected.getSpec());
    }
}

package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import dev.schemachange.api.Manifests;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.engine.SpecValidation;

/** What users copy from examples/ must pass the operator's own validation. */
class ExamplesTest {
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

        assertThat(SpecValidation.checkForCluster(change.getSpec())).as(example.toString()).isEmpty();
        assertThat(change.getMetadata().getNamespace()).as("namespaced, as the Secret must be").isNotBlank();
    }
}

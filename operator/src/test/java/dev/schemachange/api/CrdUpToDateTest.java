package dev.schemachange.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The CRD in crds/ is what users install; the build generates the real one from the api classes.
 * They must be equal, so a change to the api that is not reflected in crds/ fails here. To refresh
 * crds/, run the build with {@code -Dcrds.update=true} once.
 */
class CrdUpToDateTest {
    static final String FILE = "schemachanges.schemachange.dev-v1.yml";

    /**
     * Surefire runs in the module directory; crds/ sits next to it at the top of the repository.
     */
    static final Path CHECKED_IN = Path.of("..", "crds", FILE);

    static String generated() throws IOException {
        try (InputStream in =
                CrdUpToDateTest.class.getResourceAsStream("/META-INF/fabric8/" + FILE)) {
            assertThat(in).as("the build generates %s at process-classes", FILE).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void checkedInCrdIsTheGeneratedOne() throws IOException {
        String generated = generated();
        if (Boolean.getBoolean("crds.update")) {
            Files.writeString(CHECKED_IN, generated);
        }
        assertThat(Files.readString(CHECKED_IN))
                .as(
                        "crds/%s is stale: run ./mvnw -B -o verify -Dcrds.update=true and commit it",
                        FILE)
                .isEqualTo(generated);
    }

    @Test
    void crdHasTheContractsNamesStatusAndColumns() throws IOException {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generated(), CustomResourceDefinition.class);
        CustomResourceDefinitionVersion v1alpha1 = crd.getSpec().getVersions().get(0);

        assertThat(crd.getSpec().getNames().getShortNames()).containsExactly("schg");
        assertThat(crd.getSpec().getScope()).isEqualTo("Namespaced");
        assertThat(v1alpha1.getName()).isEqualTo("v1alpha1");
        assertThat(v1alpha1.getSubresources().getStatus()).isNotNull();
        assertThat(v1alpha1.getAdditionalPrinterColumns())
                .extracting(c -> c.getName())
                .containsExactlyInAnyOrder("Phase", "Progress", "ETA", "Next window", "Age");
    }

    @Test
    void crdValidatesWhatTheReconcilerAlsoChecks() throws IOException {
        CustomResourceDefinition crd =
                Serialization.unmarshal(generated(), CustomResourceDefinition.class);
        JSONSchemaProps spec =
                crd.getSpec()
                        .getVersions()
                        .get(0)
                        .getSchema()
                        .getOpenAPIV3Schema()
                        .getProperties()
                        .get("spec");
        Map<String, JSONSchemaProps> fields = spec.getProperties();

        assertThat(spec.getRequired()).containsExactlyInAnyOrder("database", "table");
        assertThat(fields.get("table").getPattern()).isEqualTo(Identifiers.PATTERN);
        assertThat(fields.get("swap").getProperties().get("lockWaitTimeout").getPattern())
                .isEqualTo(Durations.PATTERN);
        assertThat(fields.get("strategy").getEnum()).hasSize(3);
        List<String> rules =
                spec.getXKubernetesValidations().stream().map(r -> r.getRule()).toList();
        assertThat(rules)
                .contains("has(self.alter) != has(self.split)", "self.table == oldSelf.table");
        assertThat(rules).anySatisfy(rule -> assertThat(rule).contains("oldSelf.database.host"));
    }
}

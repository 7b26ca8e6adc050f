package dev.schemachange.kubectl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import dev.schemachange.operator.AnnotationControls;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A write is taken on the version of the change that was read: when the operator wrote its status
 * in between, the API server refuses it, and the plugin decides again on the current version.
 */
class ChangesTest {
    private final PluginCluster k8s = new PluginCluster("shop");

    @AfterEach
    void stop() {
        k8s.close();
    }

    @Test
    void anAnnotationDecidedOnAnOlderVersionIsRefusedByTheServer() {
        k8s.create("shop", "c", "orders", "");
        Changes changes = new Changes(k8s.cluster.client);
        SchemaChange read = changes.get("shop", "c");
        k8s.status("shop", "c", Phase.Swapped);

        assertThatThrownBy(() -> changes.annotate(read, AnnotationControls.SWAP_APPROVED, "true"))
                .isInstanceOf(Changes.Conflict.class);
        assertThat(k8s.annotations("shop", "c")).isEmpty();
    }
}

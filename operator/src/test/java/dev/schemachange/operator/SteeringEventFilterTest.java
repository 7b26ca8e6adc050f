package dev.schemachange.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.api.SchemaChangeStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class SteeringEventFilterTest {
    private final SteeringEventFilter filter = new SteeringEventFilter();

    private static SchemaChange change(Consumer<SchemaChange> edit) {
        SchemaChange c = new SchemaChange();
        c.getMetadata().setName("c");
        c.getMetadata().setGeneration(1L);
        c.getMetadata()
                .setAnnotations(Map.of("kubectl.kubernetes.io/last-applied-configuration", "{}"));
        edit.accept(c);
        return c;
    }

    private boolean wakes(Consumer<SchemaChange> edit) {
        return filter.accept(change(edit), change(c -> {}));
    }

    @Test
    void aSpecChangeWakesTheReconciler() {
        assertThat(wakes(c -> c.getMetadata().setGeneration(2L))).isTrue();
    }

    @Test
    void aSteeringAnnotationWakesItAlthoughTheGenerationStays() {
        assertThat(
                        wakes(
                                c ->
                                        c.getMetadata()
                                                .setAnnotations(
                                                        Map.of(AnnotationControls.PAUSED, "true"))))
                .isTrue();
    }

    @Test
    void deletionAndFinalizersWakeIt() {
        assertThat(wakes(c -> c.getMetadata().setDeletionTimestamp("2026-11-24T10:00:00Z")))
                .isTrue();
        assertThat(
                        wakes(
                                c ->
                                        c.getMetadata()
                                                .setFinalizers(
                                                        List.of(
                                                                "schemachanges.schemachange.dev/finalizer"))))
                .isTrue();
    }

    @Test
    void ourOwnStatusPatchesAndForeignAnnotationsDoNot() {
        assertThat(
                        wakes(
                                c -> {
                                    c.setStatus(new SchemaChangeStatus());
                                    c.getStatus().setPhase("Backfilling");
                                    c.getMetadata().setResourceVersion("42");
                                }))
                .isFalse();
        assertThat(
                        wakes(
                                c ->
                                        c.getMetadata()
                                                .setAnnotations(
                                                        Map.of(
                                                                "argocd.argoproj.io/sync-wave",
                                                                "1"))))
                .isFalse();
    }
}

package dev.schemachange.operator;

import dev.schemachange.api.SchemaChange;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Which updates of a SchemaChange wake the reconciler: a new generation (spec change), a change of
 * one of the {@code schemachange.dev/} annotations (they do not bump the generation, so JOSDK's
 * generation-aware filtering would swallow them), deletion, and finalizer changes. Our own status
 * patches are ignored: the reconciler reschedules itself instead, so a status write cannot start a
 * busy loop.
 */
public final class SteeringEventFilter implements OnUpdateFilter<SchemaChange> {
    @Override
    public boolean accept(SchemaChange updated, SchemaChange old) {
        return !Objects.equals(
                        updated.getMetadata().getGeneration(), old.getMetadata().getGeneration())
                || !steering(updated).equals(steering(old))
                || updated.isMarkedForDeletion() != old.isMarkedForDeletion()
                || !Objects.equals(
                        updated.getMetadata().getFinalizers(), old.getMetadata().getFinalizers());
    }

    private static Map<String, String> steering(SchemaChange change) {
        Map<String, String> all = change.getMetadata().getAnnotations();
        if (all == null) {
            return Map.of();
        }
        return all.entrySet().stream()
                .filter(e -> e.getKey().startsWith(AnnotationControls.PREFIX))
                .collect(Collectors.toMap(Map.Entry::getKey, e -> String.valueOf(e.getValue())));
    }
}

package dev.schemachange.kubectl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.schemachange.api.Phase;
import dev.schemachange.api.SchemaChange;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.net.HttpURLConnection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/** The SchemaChanges of one cluster, as the plugin reads and annotates them. */
final class Changes {
    private final KubernetesClient client;

    Changes(KubernetesClient client) {
        this.client = client;
    }

    SchemaChange get(String namespace, String name) {
        SchemaChange c = resource(namespace, name).get();
        if (c == null) {
            throw new Refusal(
                    "schemachange "
                            + namespace
                            + "/"
                            + name
                            + " not found (kubectl get schg -n "
                            + namespace
                            + " lists them)");
        }
        return c;
    }

    /** Sorted by namespace, then name; {@code namespace} null means every namespace. */
    List<SchemaChange> list(String namespace) {
        List<SchemaChange> items =
                namespace == null
                        ? client.resources(SchemaChange.class).inAnyNamespace().list().getItems()
                        : client.resources(SchemaChange.class)
                                .inNamespace(namespace)
                                .list()
                                .getItems();
        return items.stream()
                .sorted(
                        Comparator.comparing((SchemaChange c) -> c.getMetadata().getNamespace())
                                .thenComparing(c -> c.getMetadata().getName()))
                .toList();
    }

    /** The change's Events, oldest first. */
    List<Event> events(SchemaChange c) {
        return client
                .v1()
                .events()
                .inNamespace(c.getMetadata().getNamespace())
                .list()
                .getItems()
                .stream()
                .filter(e -> e.getInvolvedObject() != null)
                .filter(e -> c.getMetadata().getName().equals(e.getInvolvedObject().getName()))
                .filter(e -> "SchemaChange".equals(e.getInvolvedObject().getKind()))
                .sorted(Comparator.comparing(Changes::when))
                .toList();
    }

    private static String when(Event e) {
        String t =
                e.getLastTimestamp() != null
                        ? e.getLastTimestamp()
                        : e.getEventTime() == null
                                ? e.getMetadata().getCreationTimestamp()
                                : e.getEventTime().getTime();
        return t == null ? "" : t;
    }

    /**
     * Sets ({@code value} non-null) or removes ({@code null}) one annotation with a JSON merge
     * patch, as {@code kubectl annotate} sends, so nothing else of the object is written. The patch
     * carries the resourceVersion that was read: the decision to write was taken on that version's
     * phase, and the API server answers 409 when the change moved on meanwhile (see {@link
     * Conflict}).
     */
    SchemaChange annotate(SchemaChange seen, String key, String value) {
        ObjectNode patch = Serialization.jsonMapper().createObjectNode();
        ObjectNode metadata = patch.putObject("metadata");
        metadata.put("resourceVersion", seen.getMetadata().getResourceVersion());
        ObjectNode annotations = metadata.putObject("annotations");
        if (value == null) {
            annotations.putNull(key);
        } else {
            annotations.put(key, value);
        }
        try {
            return resource(seen.getMetadata().getNamespace(), seen.getMetadata().getName())
                    .patch(PatchContext.of(PatchType.JSON_MERGE), patch.toString());
        } catch (KubernetesClientException e) {
            if (e.getCode() == HttpURLConnection.HTTP_CONFLICT) {
                throw new Conflict(e);
            }
            throw e;
        }
    }

    private Resource<SchemaChange> resource(String namespace, String name) {
        return client.resources(SchemaChange.class).inNamespace(namespace).withName(name);
    }

    static Phase phase(SchemaChange c) {
        String name = c.getStatus() == null ? null : c.getStatus().getPhase();
        if (name == null) {
            return Phase.Pending;
        }
        try {
            return Phase.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new Refusal(
                    "status.phase '"
                            + name
                            + "' is not a phase this plugin knows: use the plugin of the"
                            + " operator's version");
        }
    }

    static Map<String, String> annotations(SchemaChange c) {
        Map<String, String> a = c.getMetadata().getAnnotations();
        return a == null ? Map.of() : a;
    }

    static String id(SchemaChange c) {
        return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
    }

    /** The change was written by someone else (the operator's status) after it was read. */
    static final class Conflict extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Conflict(Throwable cause) {
            super(cause);
        }
    }
}

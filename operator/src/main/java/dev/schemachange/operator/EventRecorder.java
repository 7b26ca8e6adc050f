package dev.schemachange.operator;

import dev.schemachange.api.SchemaChange;
import dev.schemachange.logging.ChangeMdc;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes core/v1 Events on a SchemaChange so that {@code kubectl describe schg} tells its story,
 * and logs each as one line naming the change, so log search tells the same story after Kubernetes
 * expired the Events (1 h).
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    static final String COMPONENT = "schemachange-operator";

    private final KubernetesClient client;
    private final Clock clock;

    public EventRecorder(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    public void normal(SchemaChange change, String reason, String message) {
        record(change, "Normal", reason, message);
    }

    public void warning(SchemaChange change, String reason, String message) {
        record(change, "Warning", reason, message);
    }

    private void record(SchemaChange change, String type, String reason, String message) {
        String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        String namespace = change.getMetadata().getNamespace();
        try (ChangeMdc ignored = ChangeMdc.of(namespace, change.getMetadata().getName())) {
            if ("Warning".equals(type)) {
                log.warn("event {}: {}", reason, message);
            } else {
                log.info("event {}: {}", reason, message);
            }
        }
        try {
            client.v1()
                    .events()
                    .inNamespace(namespace)
                    .resource(
                            new EventBuilder()
                                    .withNewMetadata()
                                    .withGenerateName(change.getMetadata().getName() + ".")
                                    .withNamespace(namespace)
                                    .endMetadata()
                                    .withNewInvolvedObject()
                                    .withApiVersion(change.getApiVersion())
                                    .withKind(change.getKind())
                                    .withName(change.getMetadata().getName())
                                    .withNamespace(namespace)
                                    .withUid(change.getMetadata().getUid())
                                    .withResourceVersion(change.getMetadata().getResourceVersion())
                                    .endInvolvedObject()
                                    .withType(type)
                                    .withReason(reason)
                                    .withMessage(truncate(message))
                                    .withFirstTimestamp(now)
                                    .withLastTimestamp(now)
                                    .withCount(1)
                                    .withNewSource()
                                    .withComponent(COMPONENT)
                                    .endSource()
                                    .build())
                    .create();
        } catch (KubernetesClientException e) {
            // an Event is a courtesy: losing one must not fail the reconcile that did the real work
            log.warn(
                    "could not record event {} on {}/{}: {}",
                    reason,
                    namespace,
                    change.getMetadata().getName(),
                    e.getMessage());
        }
    }

    private static String truncate(String message) {
        return message == null
                ? ""
                : message.length() > 1000 ? message.substring(0, 1000) + "…" : message;
    }
}

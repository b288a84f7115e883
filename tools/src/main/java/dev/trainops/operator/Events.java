package dev.trainops.operator;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** core/v1 Events about a trainops object, as {@code kubectl describe} shows them; one that cannot be written is logged. */
final class Events {
    private static final Logger log = LoggerFactory.getLogger(Events.class);
    static final String COMPONENT = "trainops-controller";

    private final KubernetesClient client;
    private final Clock clock;

    Events(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    void normal(HasMetadata about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    void warning(HasMetadata about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    private void record(HasMetadata about, String type, String reason, String message) {
        String now = clock.instant().toString();
        var meta = about.getMetadata();
        try {
            client.v1().events().inNamespace(meta.getNamespace()).resource(new EventBuilder().withNewMetadata()
                    .withName(meta.getName() + "." + UUID.randomUUID().toString().substring(0, 8)).withNamespace(meta.getNamespace())
                    .endMetadata().withNewInvolvedObject().withApiVersion(about.getApiVersion()).withKind(about.getKind())
                    .withName(meta.getName()).withNamespace(meta.getNamespace()).withUid(meta.getUid())
                    .withResourceVersion(meta.getResourceVersion()).endInvolvedObject().withType(type).withReason(reason)
                    .withMessage(message.length() > 1024 ? message.substring(0, 1021) + "..." : message).withCount(1)
                    .withFirstTimestamp(now).withLastTimestamp(now).withNewSource().withComponent(COMPONENT).endSource().build()).create();
        } catch (KubernetesClientException e) {
            log.warn("cannot record the {} event {} on {}/{}: {}", type, reason, meta.getNamespace(), meta.getName(), e.getMessage());
        }
    }
}

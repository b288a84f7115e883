package dev.trainops.kueue;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Kueue's v1beta2 objects as fabric8 {@link GenericKubernetesResource}s (trainops carries no Kueue
 * model classes), and the few reads of their maps the budget check needs. Field names are
 * Kueue's (apis/kueue/v1beta2/workload_types.go, admissioncheck_types.go).
 */
final class KueueObjects {
    static final ResourceDefinitionContext WORKLOADS = context("workloads", "Workload", true);
    static final ResourceDefinitionContext ADMISSION_CHECKS = context("admissionchecks", "AdmissionCheck", false);
    static final ResourceDefinitionContext RESOURCE_FLAVORS = context("resourceflavors", "ResourceFlavor", false);

    /** Workload condition: quota is reserved in a ClusterQueue; the checks run from then on. */
    static final String QUOTA_RESERVED = "QuotaReserved";
    /** AdmissionCheck condition: its controller is there to evaluate the checks. */
    static final String ACTIVE = "Active";

    /** AdmissionCheckState.state values. */
    static final String PENDING = "Pending";
    static final String READY = "Ready";
    static final String RETRY = "Retry";
    static final String REJECTED = "Rejected";

    private KueueObjects() {
    }

    private static ResourceDefinitionContext context(String plural, String kind, boolean namespaced) {
        return new ResourceDefinitionContext.Builder().withGroup(KubeNames.KUEUE_GROUP).withVersion(KubeNames.KUEUE_VERSION)
                .withPlural(plural).withKind(kind).withNamespaced(namespaced).build();
    }

    /** The object's top-level field ({@code spec}, {@code status}) as a map; empty when absent. */
    static Map<String, Object> field(GenericKubernetesResource r, String name) {
        return map(r.getAdditionalProperties().get(name));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o instanceof List<?> l ? (List<Object>) l : List.of();
    }

    static String string(Object o) {
        return o == null ? null : String.valueOf(o);
    }

    /** A whole number written as a number or a string; empty when absent or not one. */
    static Optional<Long> number(Object o) {
        if (o instanceof Number n) {
            return Optional.of(n.longValue());
        }
        try {
            return o == null ? Optional.empty() : Optional.of(Long.parseLong(String.valueOf(o).trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The condition of {@code type} in a {@code status.conditions} list, if any. */
    static Optional<Map<String, Object>> condition(Map<String, Object> status, String type) {
        return list(status.get("conditions")).stream().map(KueueObjects::map).filter(c -> type.equals(c.get("type"))).findFirst();
    }

    /** {@code namespace/name}, for messages and logs. */
    static String key(GenericKubernetesResource r) {
        String ns = r.getMetadata().getNamespace();
        return ns == null ? r.getMetadata().getName() : ns + "/" + r.getMetadata().getName();
    }
}

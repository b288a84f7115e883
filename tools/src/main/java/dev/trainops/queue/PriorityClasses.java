package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Creates the PriorityClasses of config/priorities.yaml, or checks the ones already there. */
final class PriorityClasses {
    private PriorityClasses() {
    }

    /** Returns what it did or found, one line per class: created, in place, or different (left alone, with the difference). */
    public static List<String> ensure(KubernetesClient client, PriorityConfig config) {
        return ensure(client, config, true);
    }

    /**
     * For --read-only: what it found, one line per class, creating nothing; a missing class's line
     * starts with {@link #MISSING}.
     */
    static List<String> check(KubernetesClient client, PriorityConfig config) {
        return ensure(client, config, false);
    }

    static final String MISSING = "missing PriorityClass ";

    private static List<String> ensure(KubernetesClient client, PriorityConfig config, boolean create) {
        List<String> out = new ArrayList<>();
        for (Priority p : Priority.values()) {
            PriorityConfig.ClassSpec spec = config.spec(p);
            PriorityClass existing = client.scheduling().v1().priorityClasses().withName(spec.name()).get();
            if (existing == null && !create) {
                out.add(MISSING + spec.name() + " (" + spec.value() + ", " + spec.preemptionPolicy() + "): not created (--read-only); "
                        + "jobs that name it would not be scheduled until an operator creates it");
            } else if (existing == null) {
                try {
                    client.resource(new PriorityClassBuilder().withNewMetadata().withName(spec.name())
                            .addToLabels("app.kubernetes.io/managed-by", "trainops").endMetadata()
                            .withValue(spec.value()).withPreemptionPolicy(spec.preemptionPolicy()).withGlobalDefault(false)
                            .withDescription("trainops " + p + " training").build()).create();
                    out.add("created PriorityClass " + spec.name() + " (" + spec.value() + ", " + spec.preemptionPolicy() + ")");
                } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                    if (e.getCode() != 409) {
                        throw e;
                    }
                    // another replica starting at the same time created it first: it is in place
                    out.add("PriorityClass " + spec.name() + " in place (created by another replica meanwhile)");
                }
            } else if (existing.getValue() != spec.value() || !Objects.equals(existing.getPreemptionPolicy(), spec.preemptionPolicy())) {
                // a PriorityClass's value cannot be changed in place; an operator decides
                out.add("PriorityClass " + spec.name() + " differs from priorities.yaml: value " + existing.getValue() + " vs "
                        + spec.value() + ", preemptionPolicy " + existing.getPreemptionPolicy() + " vs " + spec.preemptionPolicy()
                        + " (left as it is)");
            } else {
                out.add("PriorityClass " + spec.name() + " in place");
            }
        }
        return out;
    }
}

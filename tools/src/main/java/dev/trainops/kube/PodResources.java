package dev.trainops.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What a pod holds of the extended GPU resources, by the scheduler's rules. */
public final class PodResources {
    private PodResources() {
    }

    /** True when the pod's GPUs count against its node: bound and not yet ended. */
    public static boolean holdsResources(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() == null) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return !KubeNames.PHASE_SUCCEEDED.equals(phase) && !KubeNames.PHASE_FAILED.equals(phase);
    }

    /** True when the pod waits for a node. */
    public static boolean pending(Pod pod) {
        if (pod.getSpec() == null || pod.getSpec().getNodeName() != null) {
            return false;
        }
        String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
        return phase == null || KubeNames.PHASE_PENDING.equals(phase);
    }

    /**
     * GPU resources by name ({@code nvidia.com/gpu}, {@code nvidia.com/mig-1g.10gb}, ...). For
     * extended resources the limit is the request; the effective amount is the larger of the sum
     * over containers and the largest init container, as the scheduler computes it.
     */
    public static Map<String, Long> gpuRequests(Pod pod) {
        if (pod.getSpec() == null) {
            return Map.of();
        }
        Map<String, Long> sum = new HashMap<>();
        for (Container c : nonNull(pod.getSpec().getContainers())) {
            amounts(c.getResources()).forEach((k, v) -> sum.merge(k, v, Long::sum));
        }
        for (Container c : nonNull(pod.getSpec().getInitContainers())) {
            amounts(c.getResources()).forEach((k, v) -> sum.merge(k, v, Math::max));
        }
        return sum;
    }

    private static Map<String, Long> amounts(ResourceRequirements resources) {
        if (resources == null) {
            return Map.of();
        }
        Map<String, Long> out = new HashMap<>();
        Map<String, Quantity> limits = resources.getLimits() == null ? Map.of() : resources.getLimits();
        Map<String, Quantity> requests = resources.getRequests() == null ? Map.of() : resources.getRequests();
        for (Map<String, Quantity> source : List.of(requests, limits)) {
            for (var e : source.entrySet()) {
                if (isGpuResource(e.getKey())) {
                    out.put(e.getKey(), count(e.getValue()));
                }
            }
        }
        return out;
    }

    public static boolean isGpuResource(String name) {
        return name.equals(KubeNames.GPU_RESOURCE) || name.equals(KubeNames.GPU_SHARED_RESOURCE)
                || name.startsWith(KubeNames.MIG_RESOURCE_PREFIX);
    }

    /** A whole-number count from a quantity; extended resources are integers. */
    public static long count(Quantity q) {
        if (q == null) {
            return 0;
        }
        return Quantity.getAmountInBytes(q).longValue();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? List.of() : list;
    }
}

package dev.trainops.gpu;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import io.fabric8.kubernetes.api.model.Node;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Map;

/**
 * How much of a physical GPU a pod's GPU resources amount to: a whole GPU is 1, a MIG slice
 * {@code <g>g.<mem>gb} is g/7 of its GPU, a time-sliced replica is 1/replicas. This is the one
 * copy of that rule: billing (cost rule 5) and the sandbox's speed model both call
 * {@link #equivalents(Map, Node)} with the node the pod runs on.
 */
public final class GpuShares {
    /** Compute slices of an A100/H100 under MIG. */
    public static final int MIG_SLICES = 7;

    private GpuShares() {
    }

    /** Physical GPUs that {@code gpuRequests} amount to on {@code node}, read from its GPU Feature Discovery labels. */
    public static BigDecimal equivalents(Map<String, Long> gpuRequests, Node node) {
        Map<String, String> labels = Nodes.labels(node);
        int replicas = (int) Math.max(1, Nodes.longLabel(labels, KubeNames.LABEL_GPU_REPLICAS));
        return equivalents(gpuRequests, replicas, "time-slicing".equals(labels.get(KubeNames.LABEL_GPU_SHARING_STRATEGY)));
    }

    /** The rule itself, for a node with {@code replicas} per GPU, time-sliced or not. */
    public static BigDecimal equivalents(Map<String, Long> gpuRequests, int replicas, boolean timeSlicedNode) {
        BigDecimal gpus = BigDecimal.ZERO;
        for (var e : gpuRequests.entrySet()) {
            BigDecimal count = BigDecimal.valueOf(e.getValue());
            if (e.getKey().startsWith(KubeNames.MIG_RESOURCE_PREFIX)) {
                String profile = e.getKey().substring(KubeNames.MIG_RESOURCE_PREFIX.length());
                int slices = Integer.parseInt(profile.substring(0, profile.indexOf('g')));
                gpus = gpus.add(count.multiply(BigDecimal.valueOf(slices)).divide(BigDecimal.valueOf(MIG_SLICES), 12, RoundingMode.HALF_EVEN));
            } else if (e.getKey().equals(KubeNames.GPU_SHARED_RESOURCE) || timeSlicedNode) {
                gpus = gpus.add(count.divide(BigDecimal.valueOf(Math.max(1, replicas)), 12, RoundingMode.HALF_EVEN));
            } else {
                gpus = gpus.add(count);
            }
        }
        return gpus;
    }
}

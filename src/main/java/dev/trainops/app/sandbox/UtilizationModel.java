package dev.trainops.app.sandbox;

import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The sandbox's stand-in for DCGM: a node's GPU utilisation is the mean, over its GPU units, of
 * what the past runs of the models running there used (50% for an unknown model, 0 for an idle
 * unit). Each update publishes a new immutable map, so a reader sees one pass, never half of two.
 */
final class UtilizationModel implements GpuUtilization {
    private static final double UNKNOWN_MODEL_PERCENT = 50;

    private volatile Map<String, Double> byNode = Map.of();

    /** Publishes the utilisation of {@code nodes} with {@code pods} running as {@code history} says such runs did. */
    void update(List<Node> nodes, List<Pod> pods, RunHistory history) {
        Map<String, Double> weighted = new HashMap<>();
        for (Pod pod : pods) {
            if (!KubeNames.PHASE_RUNNING.equals(SandboxPods.phase(pod))) {
                continue;
            }
            String model = SandboxPods.label(pod, KubeNames.LABEL_MODEL);
            double util = model == null ? UNKNOWN_MODEL_PERCENT : history.closest(model, SandboxPods.batchSize(pod))
                    .map(RunHistory.PastRun::meanUtilization).orElse(UNKNOWN_MODEL_PERCENT);
            long units = PodResources.gpuRequests(pod).values().stream().mapToLong(Long::longValue).sum();
            weighted.merge(pod.getSpec().getNodeName(), util * units, Double::sum);
        }
        Map<String, Double> next = new HashMap<>(byNode); // a node that lost its GPUs keeps its last figure, as before
        for (Node node : nodes) {
            long units = 0;
            Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
            if (allocatable != null) {
                for (var e : allocatable.entrySet()) {
                    if (PodResources.isGpuResource(e.getKey())) {
                        units += PodResources.count(e.getValue());
                    }
                }
            }
            if (units > 0) {
                next.put(node.getMetadata().getName(), Math.min(100.0, weighted.getOrDefault(node.getMetadata().getName(), 0.0) / units));
            }
        }
        byNode = Map.copyOf(next);
    }

    @Override
    public OptionalDouble nodePercent(String node) {
        Double u = byNode.get(node);
        return u == null ? OptionalDouble.empty() : OptionalDouble.of(u);
    }

    @Override
    public String source() {
        return "sandbox";
    }
}

package dev.trainops.cost;

import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the cluster's GPU pods use, as priced usage: each pod that started, from its start to its
 * end (or now), on its node's GPU type, with whole GPUs, MIG slices (g/7 of a GPU) or time-sliced
 * replicas (1/replicas of a GPU) as GPU equivalents, plus its CPU and memory requests.
 */
public final class ClusterUsage {
    private final ClusterIndex index;

    public ClusterUsage(ClusterIndex index) {
        this.index = index;
    }

    /**
     * A pod's usage and where it is booked. {@code expectedEnd} is null when the pod does not say;
     * {@code queued} marks pods of trainops queue jobs, whose remaining cost the queue commits.
     */
    public record PodUsage(String team, String experiment, String runName, UsageSegment usage, Instant expectedEnd, boolean running,
                           boolean queued) {
    }

    /** Usage of every GPU pod that has started, up to {@code now} for running ones. */
    public List<PodUsage> usage(Instant now) {
        Map<String, Node> nodes = new HashMap<>();
        for (Node n : index.nodes()) {
            nodes.put(n.getMetadata().getName(), n);
        }
        List<PodUsage> out = new ArrayList<>();
        for (Pod pod : index.gpuPods()) { // the informer's index: pods without GPUs are never looked at
            Map<String, Long> gpuRequests = PodResources.gpuRequests(pod);
            if (gpuRequests.isEmpty() || pod.getStatus() == null || pod.getStatus().getStartTime() == null || pod.getSpec().getNodeName() == null) {
                continue;
            }
            Node node = nodes.get(pod.getSpec().getNodeName());
            if (node == null) {
                continue;
            }
            Instant start = parse(pod.getStatus().getStartTime());
            boolean running = PodResources.holdsResources(pod);
            Instant end = running ? now : finishedAt(pod).orElse(null);
            if (start == null || end == null || end.isBefore(start)) {
                continue;
            }
            Map<String, String> labels = Nodes.labels(node);
            String gpuType = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
            BigDecimal gpus = GpuShares.equivalents(gpuRequests, node);
            Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
            String team = podLabels.getOrDefault(KubeNames.LABEL_TEAM, pod.getMetadata().getNamespace());
            String experiment = podLabels.getOrDefault(KubeNames.LABEL_EXPERIMENT, "default");
            boolean spot = "true".equals(podLabels.get(KubeNames.LABEL_SPOT));
            String jobId = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
            UsageSegment usage = new UsageSegment(jobId, start, end, gpuType, gpus, requests(pod, "cpu", false),
                    requests(pod, "memory", true), spot);
            String expected = pod.getMetadata().getAnnotations() == null ? null
                    : pod.getMetadata().getAnnotations().get(KubeNames.ANNOTATION_EXPECTED_END);
            out.add(new PodUsage(team, experiment, podLabels.get(KubeNames.LABEL_RUN_NAME), usage, expected == null ? null : parse(expected), running,
                    podLabels.containsKey(KubeNames.LABEL_JOB_ID)));
        }
        return out;
    }

    private static Optional<Instant> finishedAt(Pod pod) {
        Instant latest = null;
        if (pod.getStatus().getContainerStatuses() != null) {
            for (ContainerStatus cs : pod.getStatus().getContainerStatuses()) {
                if (cs.getState() != null && cs.getState().getTerminated() != null && cs.getState().getTerminated().getFinishedAt() != null) {
                    Instant f = parse(cs.getState().getTerminated().getFinishedAt());
                    if (f != null && (latest == null || f.isAfter(latest))) {
                        latest = f;
                    }
                }
            }
        }
        return Optional.ofNullable(latest);
    }

    private static BigDecimal requests(Pod pod, String resource, boolean toGib) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container c : pod.getSpec().getContainers()) {
            Map<String, Quantity> req = c.getResources() == null || c.getResources().getRequests() == null ? Map.of() : c.getResources().getRequests();
            Quantity q = req.get(resource);
            if (q != null) {
                BigDecimal v = Quantity.getAmountInBytes(q);
                sum = sum.add(toGib ? v.divide(BigDecimal.valueOf(1L << 30), 6, RoundingMode.HALF_EVEN) : v);
            }
        }
        return sum;
    }

    private static Instant parse(String s) {
        try {
            return s == null ? null : Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}

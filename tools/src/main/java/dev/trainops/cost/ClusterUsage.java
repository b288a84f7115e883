package dev.trainops.cost;

import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import dev.trainops.kube.SpotNodes;
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
 * end (or now), on its node's GPU type, its GPU resources as shares of physical GPUs by
 * {@link GpuShares} (cost rule 5), plus its CPU and memory requests; spot exactly when its node is
 * spot capacity ({@link SpotNodes}), whatever the job asked (cost rule 4).
 */
public final class ClusterUsage {
    private final ClusterIndex index;
    private final SpotNodes spotNodes;

    public ClusterUsage(ClusterIndex index) {
        this(index, SpotNodes.DEFAULTS);
    }

    public ClusterUsage(ClusterIndex index, SpotNodes spotNodes) {
        this.index = index;
        this.spotNodes = spotNodes;
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
            Node node = pod.getSpec() == null || pod.getSpec().getNodeName() == null ? null : nodes.get(pod.getSpec().getNodeName());
            of(pod, node, now).ifPresent(out::add);
        }
        return out;
    }

    /** One pod's usage on {@code node} up to {@code now} (its end when it ended); empty when it has not started or the node is unknown. */
    public Optional<PodUsage> of(Pod pod, Node node, Instant now) {
        Map<String, Long> gpuRequests = PodResources.gpuRequests(pod);
        if (node == null || gpuRequests.isEmpty() || pod.getStatus() == null || pod.getStatus().getStartTime() == null) {
            return Optional.empty();
        }
        Instant start = parse(pod.getStatus().getStartTime());
        boolean running = PodResources.holdsResources(pod);
        Instant end = running ? now : finishedAt(pod).orElse(null);
        if (start == null || end == null || end.isBefore(start)) {
            return Optional.empty();
        }
        Map<String, String> labels = Nodes.labels(node);
        String gpuType = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
        BigDecimal gpus = GpuShares.equivalents(gpuRequests, labels);
        Map<String, String> podLabels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        String team = podLabels.getOrDefault(KubeNames.LABEL_TEAM, pod.getMetadata().getNamespace());
        String experiment = podLabels.getOrDefault(KubeNames.LABEL_EXPERIMENT, "default");
        String jobId = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
        UsageSegment usage = new UsageSegment(jobId, start, end, gpuType, gpus, requests(pod, "cpu", false),
                requests(pod, "memory", true), spotNodes.isSpot(labels));
        String expected = pod.getMetadata().getAnnotations() == null ? null
                : pod.getMetadata().getAnnotations().get(KubeNames.ANNOTATION_EXPECTED_END);
        return Optional.of(new PodUsage(team, experiment, podLabels.get(KubeNames.LABEL_RUN_NAME), usage,
                expected == null ? null : parse(expected), running, podLabels.containsKey(KubeNames.LABEL_JOB_ID)));
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

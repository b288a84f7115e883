package dev.trainops.gpu;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The GPU facts of one node, read from its status and GPU Feature Discovery labels; shares by {@link GpuShares}. */
record NodeGpus(
        String name,
        boolean ready,
        boolean schedulable,
        String product,
        String gpuType,
        long gpuMemoryMib,
        int gpuCount,
        String family,
        String computeCapability,
        String migStrategy,
        String sharingStrategy,
        int replicas,
        boolean spot,
        List<Pool> pools) {

    /** One GPU resource the node advertises. */
    record Pool(String resourceName, Sharing sharing, String migProfile, long memoryMibPerUnit, long capacity, long allocatable) {
    }

    static NodeGpus of(Node node, SpotNodes spotNodes) {
        Map<String, String> labels = node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
        String product = labels.getOrDefault(KubeNames.LABEL_GPU_PRODUCT, "");
        long memoryMib = Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB);
        String migStrategy = labels.getOrDefault(KubeNames.LABEL_MIG_STRATEGY, "none");
        String sharingStrategy = labels.getOrDefault(KubeNames.LABEL_GPU_SHARING_STRATEGY, "none");
        int replicas = (int) Math.max(1, Nodes.longLabel(labels, KubeNames.LABEL_GPU_REPLICAS));
        String major = labels.get(KubeNames.LABEL_GPU_COMPUTE_MAJOR);
        String minor = labels.get(KubeNames.LABEL_GPU_COMPUTE_MINOR);
        Map<String, Quantity> capacity = node.getStatus() == null || node.getStatus().getCapacity() == null
                ? Map.of() : node.getStatus().getCapacity();
        Map<String, Quantity> allocatable = node.getStatus() == null || node.getStatus().getAllocatable() == null
                ? capacity : node.getStatus().getAllocatable();

        List<Pool> pools = new ArrayList<>();
        for (String resource : new TreeMap<>(allocatable.isEmpty() ? capacity : allocatable).keySet()) {
            if (!PodResources.isGpuResource(resource)) {
                continue;
            }
            long cap = PodResources.count(capacity.getOrDefault(resource, allocatable.get(resource)));
            long alloc = PodResources.count(allocatable.getOrDefault(resource, capacity.get(resource)));
            if (cap == 0 && alloc == 0) {
                continue;
            }
            Sharing sharing = GpuShares.sharing(resource, labels);
            String profile = GpuShares.migProfile(resource, labels);
            long unitMemory = profile == null ? memoryMib : GpuTypes.migMemoryMib(profile);
            pools.add(new Pool(resource, sharing, profile, unitMemory, cap, alloc));
        }
        return new NodeGpus(
                node.getMetadata().getName(),
                Nodes.ready(node),
                node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable()),
                product,
                GpuTypes.canonical(product, memoryMib),
                memoryMib,
                (int) Nodes.longLabel(labels, KubeNames.LABEL_GPU_COUNT),
                labels.get(KubeNames.LABEL_GPU_FAMILY),
                major == null ? null : major + "." + (minor == null ? "0" : minor),
                migStrategy,
                sharingStrategy,
                replicas,
                spotNodes.isSpot(labels),
                List.copyOf(pools));
    }
}

package dev.trainops.gpu;

import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The per-node view behind {@link GpuInventory}: what every GPU node offers and what running pods
 * hold there, with the pending GPU pods, built from the informer's index of GPU pods once per index
 * generation, so a call only filters and sums it.
 *
 * @param maxUnitMemoryMib the most memory one unit of any pool offers (for the min_memory_gib note)
 */
record GpuView(long generation, List<GpuView.NodeState> nodes, List<GpuView.PendingDemand> pending, long maxUnitMemoryMib) {

    static GpuView build(long generation, ClusterIndex index, SpotNodes spotNodes) {
        Map<String, NodeState> byName = new HashMap<>();
        long maxUnit = 0;
        for (Node node : index.nodes()) {
            NodeGpus gpus = NodeGpus.of(node, spotNodes);
            if (gpus.pools().isEmpty()) {
                continue;
            }
            byName.put(gpus.name(), new NodeState(gpus));
            for (NodeGpus.Pool p : gpus.pools()) {
                maxUnit = Math.max(maxUnit, p.memoryMibPerUnit());
            }
        }
        List<PendingDemand> pending = new ArrayList<>();
        // only the pods that ask for GPUs, from the informer's index: on a large cluster most pods do not
        for (Pod pod : index.gpuPods()) {
            Map<String, Long> requests = PodResources.gpuRequests(pod);
            if (requests.isEmpty()) {
                continue;
            }
            if (PodResources.pending(pod)) {
                Map<String, String> selector = pod.getSpec().getNodeSelector();
                String product = selector == null ? null : selector.get(KubeNames.LABEL_GPU_PRODUCT);
                pending.add(new PendingDemand(pod.getMetadata().getNamespace(), requests,
                        product == null ? null : GpuTypes.canonical(product, 0)));
                continue;
            }
            if (!PodResources.holdsResources(pod)) {
                continue;
            }
            NodeState node = byName.get(pod.getSpec().getNodeName());
            if (node == null) {
                continue;
            }
            Instant expectedEnd = expectedEnd(pod);
            String ns = pod.getMetadata().getNamespace();
            for (var e : requests.entrySet()) {
                node.allocated.merge(e.getKey(), e.getValue(), Long::sum);
                node.allocatedByNamespace.computeIfAbsent(ns, k -> new HashMap<>()).merge(e.getKey(), e.getValue(), Long::sum);
                if (expectedEnd != null) {
                    Release r = node.nextRelease.get(e.getKey());
                    if (r == null || expectedEnd.isBefore(r.at)) {
                        node.nextRelease.put(e.getKey(), new Release(expectedEnd, e.getValue(), node.gpus.name(),
                                ns + "/" + pod.getMetadata().getName(), ns));
                    }
                }
            }
        }
        List<NodeState> nodes = new ArrayList<>(byName.values());
        for (NodeState node : nodes) {
            node.seal();
        }
        nodes.sort(Comparator.comparing(n -> n.gpus.name()));
        return new GpuView(generation, List.copyOf(nodes), List.copyOf(pending), maxUnit);
    }

    private static Instant expectedEnd(Pod pod) {
        Map<String, String> annotations = pod.getMetadata().getAnnotations();
        String value = annotations == null ? null : annotations.get(KubeNames.ANNOTATION_EXPECTED_END);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            return null;
        }
    }


    static final class NodeState {
        final NodeGpus gpus;
        final Map<String, Long> allocated = new HashMap<>();
        final Map<String, Map<String, Long>> allocatedByNamespace = new HashMap<>();
        final Map<String, Release> nextRelease = new HashMap<>();

        /** Per pool, in {@code gpus.pools()} order: what a call reads, computed once per view. */
        Slot[] slots = new Slot[0];

        NodeState(NodeGpus gpus) {
            this.gpus = gpus;
        }

        void seal() {
            List<NodeGpus.Pool> pools = gpus.pools();
            slots = new Slot[pools.size()];
            for (int i = 0; i < slots.length; i++) {
                NodeGpus.Pool p = pools.get(i);
                long allocatedHere = allocated.getOrDefault(p.resourceName(), 0L);
                slots[i] = new Slot(p, gpus.gpuType() + "|" + p.resourceName() + "|" + p.sharing() + "|" + p.migProfile() + "|" + gpus.spot(),
                        allocatedHere, Math.max(0, p.allocatable() - allocatedHere), nextRelease.get(p.resourceName()));
            }
        }
    }

    /** One pool of one node: its pool key across nodes, what running pods hold, what is free if the node takes pods. */
    record Slot(NodeGpus.Pool pool, String poolKey, long allocated, long freeIfUsable, Release nextRelease) { }

    record Release(Instant at, long count, String node, String pod, String namespace) { }
    record PendingDemand(String namespace, Map<String, Long> requests, String gpuType) { }
}

package dev.trainops.gpu;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.List;

/** The answer of get_gpu_availability. Counts are GPUs, MIG slices or time-sliced replicas of the resource. */
public record GpuAvailability(
        @JsonPropertyDescription("When this view was last known to match the cluster.") @Nullable Instant asOf,
        @JsonPropertyDescription("True when the Kubernetes API could not be reached and the view may be out of date.") boolean stale,
        @Nullable String staleReason,
        @JsonPropertyDescription("One entry per GPU type, resource (whole GPU, MIG profile, shared replicas) and capacity type "
                + "(spot or on-demand).") List<Pool> pools,
        @JsonPropertyDescription("How many GPU nodes match the filters.") int nodesTotal,
        @JsonPropertyDescription("GPU nodes with their resources, most free first when there are more than max_nodes.") List<NodeView> nodes,
        @JsonPropertyDescription("Pods waiting for a node that ask for GPUs.") long queuedPods,
        @JsonPropertyDescription("GPUs (or slices) those waiting pods ask for.") long queuedGpuDemand,
        @JsonPropertyDescription("Jobs waiting in trainops's queue (not yet admitted), and the GPUs they ask for.") long queuedJobs,
        long queuedJobGpus,
        @JsonPropertyDescription("Where utilisation comes from (dcgm, sandbox), or none when unknown.") String utilizationSource,
        List<String> notes) {

    public GpuAvailability {
        pools = List.copyOf(pools);
        nodes = List.copyOf(nodes);
        notes = List.copyOf(notes);
    }

    /** One GPU resource pool across the cluster. */
    public record Pool(
            String gpuType,
            String resourceName,
            Sharing sharing,
            @Nullable @JsonPropertyDescription("MIG profile such as 1g.10gb, for MIG resources.") String migProfile,
            @JsonPropertyDescription("True for spot capacity (nodes labelled spot: billed at the spot rate, may be interrupted; "
                    + "only spot jobs run there), false for on-demand. Each GPU type lists the two apart.") boolean spot,
            @JsonPropertyDescription("Memory of one unit (GPU, slice or replica's GPU) in MiB.") long memoryMibPerUnit,
            int nodes,
            long capacity,
            long allocatable,
            long allocated,
            @JsonPropertyDescription("Allocatable minus allocated on ready, schedulable nodes.") long free,
            @Nullable @JsonPropertyDescription("The most units free on one node: what a multi-GPU job can get.") Block largestFreeBlock,
            @Nullable @JsonPropertyDescription("When the next unit frees up, from running pods' expected ends.") NextFree nextFree,
            long queuedPods,
            long queuedDemand,
            @JsonPropertyDescription("Jobs of this GPU type waiting in trainops's queue, and the GPUs they ask for.") long queuedJobs,
            long queuedJobGpus,
            @JsonPropertyDescription("In words: what is free now, or when the next unit frees up (\"1 GPU available in about 2 min\").") String availability,
            @Nullable Double utilizationPercent,
            @Nullable @JsonPropertyDescription("Units held by the requested namespace, when one was given.") Long allocatedInNamespace) {
    }

    /** Free units on one node. */
    public record Block(String node, long count) {
    }

    /** The earliest expected release of units of a pool. */
    public record NextFree(Instant at, long inSeconds, long count, String node, String pod) {
    }

    /** One GPU node. */
    public record NodeView(
            String name,
            boolean ready,
            boolean schedulable,
            String gpuType,
            String product,
            long gpuMemoryMib,
            int gpuCount,
            @Nullable String family,
            @Nullable String computeCapability,
            String migStrategy,
            String sharingStrategy,
            int replicas,
            @JsonPropertyDescription("True for a spot node.") boolean spot,
            List<Resource> resources,
            @Nullable Double utilizationPercent) {
        public NodeView {
            resources = List.copyOf(resources);
        }
    }

    /** One GPU resource on one node. */
    public record Resource(String resourceName, Sharing sharing, @Nullable String migProfile,
                           long memoryMibPerUnit, long capacity, long allocatable, long allocated, long free) {
    }
}

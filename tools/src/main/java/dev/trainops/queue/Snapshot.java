package dev.trainops.queue;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything one admission pass decides on, read at one moment inside the admission transaction:
 * the GPU room of every node, the queued and the active jobs, quotas and budgets.
 *
 * @param quotaLimit       a team's GPU quota (absent: no cap)
 * @param quotaUsedOutside GPUs a team holds through pods that are not active trainops jobs
 * @param budgets          a team's budget room this period (absent: no budget)
 * @param batches          every item of the batches the queued jobs belong to, in order
 */
record Snapshot(Instant now, List<NodeRoom> nodes, List<QueuedJob> queued, List<QueuedJob> active,
                       Map<String, Integer> quotaLimit, Map<String, Integer> quotaUsedOutside, Map<String, BudgetRoom> budgets,
                       Map<String, List<QueuedJob>> batches, BigDecimal utilizationThreshold, Duration starvationAfter) {

    public Snapshot {
        nodes = List.copyOf(nodes);
        queued = List.copyOf(queued);
        active = List.copyOf(active);
        quotaLimit = Map.copyOf(quotaLimit);
        quotaUsedOutside = Map.copyOf(quotaUsedOutside);
        budgets = Map.copyOf(budgets);
        batches = Map.copyOf(batches);
    }

    /**
     * One GPU pool of a node: its GPU type, the resource jobs request there ({@code nvidia.com/gpu};
     * time-sliced, {@code nvidia.com/gpu.shared}; a MIG slice, {@code nvidia.com/mig-<profile>}, or
     * {@code nvidia.com/gpu} under MIG strategy single), how much is allocatable, how much pods that
     * are not active trainops jobs hold, its GPU utilisation when known (percent), whether it is
     * spot capacity (only spot jobs go there, and only there: docs/queue.md, "Spot and on-demand"),
     * and the MIG profile each unit is (null: whole or shared GPUs). A node under MIG strategy
     * {@code mixed} has one pool per profile (docs/queue.md, "MIG slices"). {@code zone} and {@code rack}
     * are the node's topology labels (null when it has none), which multi-node jobs prefer to share
     * (queue rule 13, {@link MultiNode}).
     */
    public record NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                           Double utilizationPercent, boolean spot, String migProfile, String zone, String rack) {
        /** A pool of a node without topology labels. */
        public NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                        Double utilizationPercent, boolean spot, String migProfile) {
            this(node, gpuType, resource, shared, allocatable, usedOutside, utilizationPercent, spot, migProfile, null, null);
        }

        /** Whole or shared GPUs. */
        public NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                        Double utilizationPercent, boolean spot) {
            this(node, gpuType, resource, shared, allocatable, usedOutside, utilizationPercent, spot, null);
        }

        /** An on-demand node's whole or shared GPUs. */
        public NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                        Double utilizationPercent) {
            this(node, gpuType, resource, shared, allocatable, usedOutside, utilizationPercent, false, null);
        }

        /** This pool's key among all pools: the node's name, with {@code /<profile>} for a MIG pool. */
        public String key() {
            return key(node, migProfile);
        }

        /** The same pool with {@code used} units held by pods outside the queue. */
        NodeRoom withUsedOutside(long used) {
            return new NodeRoom(node, gpuType, resource, shared, allocatable, used, utilizationPercent, spot, migProfile, zone, rack);
        }

        /** The same pool on a node labelled with {@code zone} and {@code rack} (either null: not labelled). */
        public NodeRoom inTopology(String zone, String rack) {
            return new NodeRoom(node, gpuType, resource, shared, allocatable, usedOutside, utilizationPercent, spot, migProfile, zone, rack);
        }

        /** The key of the pool a job of {@code migProfile} (null: whole or shared GPUs) holds on {@code node}. */
        public static String key(String node, String migProfile) {
            return migProfile == null ? node : node + "/" + migProfile;
        }
    }

    /** A team budget this period, in micro-units: the limit and spent + committed so far. */
    public record BudgetRoom(long limitMicros, long usedMicros, String period) {
    }
}

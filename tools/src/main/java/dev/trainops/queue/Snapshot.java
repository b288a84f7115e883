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
     * One node's whole-GPU pool: its GPU type, the resource jobs request there ({@code nvidia.com/gpu}
     * or, time-sliced, {@code nvidia.com/gpu.shared}), how much is allocatable, how much pods that
     * are not active trainops jobs hold, its GPU utilisation when known (percent), and whether it is
     * spot capacity (only spot jobs go there, and only there: docs/queue.md, "Spot and on-demand").
     */
    public record NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                           Double utilizationPercent, boolean spot) {
        /** An on-demand node. */
        public NodeRoom(String node, String gpuType, String resource, boolean shared, long allocatable, long usedOutside,
                        Double utilizationPercent) {
            this(node, gpuType, resource, shared, allocatable, usedOutside, utilizationPercent, false);
        }
    }

    /** A team budget this period, in micro-units: the limit and spent + committed so far. */
    public record BudgetRoom(long limitMicros, long usedMicros, String period) {
    }
}

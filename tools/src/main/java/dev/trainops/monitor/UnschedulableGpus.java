package dev.trainops.monitor;

import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.Reason;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code trainops_queue_unschedulable_gpus{gpu_type}} (docs/kubernetes.md, "Scale-up"): the GPUs
 * that waiting jobs ask for and that no node has room for (reason NO_CAPACITY), by GPU type, after
 * each admission pass; what Karpenter or KEDA can scale GPU nodes on. A type seen once keeps its
 * series at 0 when nothing waits for it, so a scaler reads 0, not "no data"; the family starts with
 * a {@code none} series at 0, like the other families whose labels come and go. Leader only
 * ({@link LeaderOnly}): the admission pass runs there.
 */
final class UnschedulableGpus {
    static final String NAME = "trainops.queue.unschedulable.gpus";
    static final String DESCRIPTION = "GPUs requested by waiting jobs that no node has room for (reason NO_CAPACITY), by GPU type; "
            + "what a node autoscaler can scale on.";

    private final Gauges gauges;
    private final Set<String> seen = ConcurrentHashMap.newKeySet();

    UnschedulableGpus(Gauges gauges) {
        this.gauges = gauges;
        gauges.register(NAME, Tags.of("gpu_type", "none"), 0, DESCRIPTION);
    }

    /** Per GPU type, the GPUs (a MIG job: its slices) that {@code waiting} jobs held back by NO_CAPACITY ask for. */
    static Map<String, Integer> byType(List<QueuedJob> waiting) {
        Map<String, Integer> out = new TreeMap<>();
        for (QueuedJob j : waiting) {
            if (j.reason() == Reason.NO_CAPACITY) {
                out.merge(j.gpuType(), j.gpuCount(), Integer::sum);
            }
        }
        return out;
    }

    /** This pass's figures: the types named get their count, every other type seen before goes to 0. */
    void set(Map<String, Integer> gpusByType) {
        for (Map.Entry<String, Integer> e : gpusByType.entrySet()) {
            Tags tags = Tags.of("gpu_type", e.getKey());
            if (seen.add(e.getKey())) {
                gauges.register(NAME, tags, 0, DESCRIPTION);
            }
            gauges.set(NAME, tags, e.getValue());
        }
        for (String type : seen) {
            if (!gpusByType.containsKey(type)) {
                gauges.set(NAME, Tags.of("gpu_type", type), 0);
            }
        }
    }
}

package dev.trainops.simulate;

import dev.trainops.cost.RateClass;
import dev.trainops.queue.Priority;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/**
 * What one policy's replay produced: every job's fate, the cluster over time, and the totals the
 * summary is computed from. Times are seconds on the trace's own axis (t=0: start of collection).
 *
 * @param admittedWithoutRoom admissions that found fewer free GPUs on their node than they took (must be 0)
 * @param backgroundAsRun     what the completed BACKGROUND jobs were billed, as they ran
 * @param backgroundAtSubmit  what the same jobs would have cost started at their submission (no deferral)
 * @param waitingBusy         allocated GPU-seconds while some job waited for room (not for its own start time)
 * @param waitingCapacity     capacity GPU-seconds over the same stretches
 */
public record Run(String policy, List<JobResult> jobs, List<Sample> timeline, Map<RateClass, BigDecimal> cost, long admittedWithoutRoom,
                  int preemptions, BigDecimal backgroundAsRun, BigDecimal backgroundAtSubmit, long waitingBusy, long waitingCapacity,
                  long busy, long capacity) {

    /**
     * One job: started is its first start, ended its end (null if it never ended), rejected the
     * reason it never ran (null if it did).
     */
    public record JobResult(String id, String team, Priority priority, int gpus, long submitted, Long started, Long ended,
                            int preemptions, String rejected) {
    }

    /** The cluster after the events of second {@code t}: GPUs allocated, jobs waiting for room, jobs deferred to their start time. */
    public record Sample(long t, int allocated, int waiting, int deferred) {
    }

    public Run {
        jobs = List.copyOf(jobs);
        timeline = List.copyOf(timeline);
        cost = Map.copyOf(cost);
    }
}

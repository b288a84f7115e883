package dev.trainops.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The production {@link AdmissionPlanner} for a trace replay ({@code trainops simulate}), without a
 * store or an API server: the caller holds the jobs (as {@link QueuedJob}s moved through their own
 * state machine) and an in-memory cluster of whole-GPU, on-demand nodes; this builds the same
 * {@link Snapshot} the queue's {@link SnapshotReader} builds (no quotas, no pods outside the queue,
 * no batches, the scheduler's default utilisation gate) and returns the planner's answer. The
 * decisions are the planner's own: nothing here admits, orders or preempts.
 */
public final class ReplayPlanner {

    /** A node of the model: {@code gpus} whole GPUs of {@code gpuType}. */
    public record Node(String name, String gpuType, int gpus) {
    }

    /** A team's budget room this period, in micro-units: its limit and what it has spent and committed. */
    public record Budget(long limitMicros, long usedMicros, String period) {
    }

    public record Admit(String jobId, String node) {
    }

    public record Preempt(String victimId, String byId, String detail) {
    }

    /** The planner's answer: admissions, preemptions, and the reason each job left waiting gets. */
    public record Decisions(List<Admit> admits, List<Preempt> preemptions, Map<String, Reason> waits) {
        public Decisions {
            admits = List.copyOf(admits);
            preemptions = List.copyOf(preemptions);
            waits = Map.copyOf(waits);
        }
    }

    private ReplayPlanner() {
    }

    /**
     * One admission pass at {@code now} over {@code queued} (QUEUED jobs) and {@code active}
     * (SCHEDULED, RUNNING or PREEMPTED jobs holding GPUs on the named nodes).
     */
    public static Decisions plan(Instant now, List<Node> nodes, List<QueuedJob> queued, List<QueuedJob> active,
                                 Map<String, Budget> budgets, Duration starvationAfter) {
        List<Snapshot.NodeRoom> rooms = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            rooms.add(new Snapshot.NodeRoom(n.name(), n.gpuType(), "nvidia.com/gpu", false, n.gpus(), 0, null));
        }
        Map<String, Snapshot.BudgetRoom> budgetRooms = new HashMap<>();
        budgets.forEach((team, b) -> budgetRooms.put(team, new Snapshot.BudgetRoom(b.limitMicros(), b.usedMicros(), b.period())));
        Snapshot snapshot = new Snapshot(now, rooms, queued, active, Map.of(), Map.of(), budgetRooms, Map.of(),
                Scheduler.Settings.defaults().utilizationThreshold(), starvationAfter);
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(snapshot);
        List<Admit> admits = new ArrayList<>();
        plan.admits().forEach(a -> admits.add(new Admit(a.job().jobId(), a.node())));
        List<Preempt> preemptions = new ArrayList<>();
        plan.preemptions().forEach(p -> preemptions.add(new Preempt(p.victim().jobId(), p.by().jobId(), p.detail())));
        Map<String, Reason> waits = new LinkedHashMap<>();
        plan.waits().forEach((id, w) -> waits.put(id, w.reason()));
        return new Decisions(admits, preemptions, waits);
    }

    /** The queue's default starvation limit (queue rule 8): a job waiting longer reserves its GPU type. */
    public static Duration defaultStarvationAfter() {
        return Scheduler.Settings.defaults().starvationAfter();
    }
}

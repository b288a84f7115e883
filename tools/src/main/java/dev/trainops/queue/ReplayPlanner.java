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

    /**
     * The planner's answer: admissions, preemptions, and the reason each job left waiting gets; once
     * no node has room for the smallest queued job, the jobs after that which are not URGENT get none
     * (they can neither start nor preempt; {@link #reasons} gives every job's).
     */
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
        return decide(now, nodes, queued, active, budgets, starvationAfter, true);
    }

    private static Decisions decide(Instant now, List<Node> nodes, List<QueuedJob> queued, List<QueuedJob> active,
                                    Map<String, Budget> budgets, Duration starvationAfter, boolean decisionsOnly) {
        List<Snapshot.NodeRoom> rooms = new ArrayList<>(nodes.size());
        for (Node n : nodes) {
            rooms.add(new Snapshot.NodeRoom(n.name(), n.gpuType(), "nvidia.com/gpu", false, n.gpus(), 0, null));
        }
        Map<String, Snapshot.BudgetRoom> budgetRooms = new HashMap<>();
        budgets.forEach((team, b) -> budgetRooms.put(team, new Snapshot.BudgetRoom(b.limitMicros(), b.usedMicros(), b.period())));
        Snapshot snapshot = new Snapshot(now, rooms, queued, active, Map.of(), Map.of(), budgetRooms, Map.of(),
                Scheduler.Settings.defaults().utilizationThreshold(), starvationAfter);
        AdmissionPlanner.Plan plan = AdmissionPlanner.plan(snapshot, decisionsOnly);
        List<Admit> admits = new ArrayList<>();
        plan.admits().forEach(a -> admits.add(new Admit(a.job().jobId(), a.node())));
        List<Preempt> preemptions = new ArrayList<>();
        plan.preemptions().forEach(p -> preemptions.add(new Preempt(p.victim().jobId(), p.by().jobId(), p.detail())));
        Map<String, Reason> waits = new LinkedHashMap<>();
        plan.waits().forEach((id, w) -> waits.put(id, w.reason()));
        return new Decisions(admits, preemptions, waits);
    }

    /** One pass's reasons for every job left waiting (the replay's end: why a job was never admitted). */
    public static Decisions reasons(Instant now, List<Node> nodes, List<QueuedJob> queued, List<QueuedJob> active,
                                    Map<String, Budget> budgets, Duration starvationAfter) {
        return decide(now, nodes, queued, active, budgets, starvationAfter, false);
    }

    /**
     * The same pass planning only what changed ({@code trainops simulate}, docs/simulate.md
     * "Planning only what changed"): for a pass after which only {@code arrivals} joined the queue,
     * when the previous pass ended with nothing admissible left ({@code waiting} were all left
     * waiting by it, its admissions applied, no preemption pending), no GPUs were freed, no deferred
     * start and no starvation limit passed, and no budget or quota can bind. Then none of the
     * jobs already waiting can start or preempt (they found no room, and room only shrank or moved
     * from free GPUs to BACKGROUND jobs, which a preemption counts alike); the only way one of them
     * still acts on the arrivals is rule 8's reservation, and the first starving job in admission
     * order that is not deferred makes it. So the planner is handed the arrivals and that one job,
     * and its answer for them is the whole pass's answer (one such job per pool).
     */
    public static Decisions planArrivals(Instant now, List<Node> nodes, List<QueuedJob> arrivals, java.util.Collection<QueuedJob> waiting,
                                         List<QueuedJob> active, Map<String, Budget> budgets, Duration starvationAfter) {
        Map<String, QueuedJob> reserving = new HashMap<>(); // per pool: the first starving job, not deferred, in admission order
        for (QueuedJob w : waiting) {
            boolean deferred = w.notBefore() != null && w.notBefore().isAfter(now);
            if (!deferred && w.submitted().plus(starvationAfter).isBefore(now)) {
                reserving.merge(AdmissionPlanner.pool(w), w, (a, b) -> AdmissionOrder.ORDER.compare(a, b) <= 0 ? a : b);
            }
        }
        List<QueuedJob> candidates = new ArrayList<>(arrivals);
        candidates.addAll(reserving.values());
        return plan(now, nodes, candidates, active, budgets, starvationAfter);
    }

    /**
     * Queue rules 5 and 13 at submission, as queue_training_job answers: empty when {@code gpus}
     * whole GPUs of {@code gpuType} fit one node or whole nodes of the model, else the refusal's
     * message (and what to ask for instead).
     */
    public static java.util.Optional<String> refusal(List<Node> nodes, String gpuType, int gpus) {
        List<Snapshot.NodeRoom> pools = new ArrayList<>();
        String where = null;
        long largest = 0;
        for (Node n : nodes) {
            if (n.gpuType().equals(gpuType)) {
                pools.add(new Snapshot.NodeRoom(n.name(), n.gpuType(), "nvidia.com/gpu", false, n.gpus(), 0, null));
                if (n.gpus() > largest) {
                    largest = n.gpus();
                    where = n.name();
                }
            }
        }
        if (gpus <= largest) {
            return java.util.Optional.empty();
        }
        try {
            MultiNode.checkAtSubmit(gpuType, null, gpus, false, pools, largest, where);
            return java.util.Optional.empty();
        } catch (dev.trainops.catalog.ToolException e) {
            return java.util.Optional.of(e.getMessage() + " " + e.hint());
        }
    }

    /** The queue's default starvation limit (queue rule 8): a job waiting longer reserves its GPU type. */
    public static Duration defaultStarvationAfter() {
        return Scheduler.Settings.defaults().starvationAfter();
    }
}

package dev.trainops.queue;

import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.UsageSegment;
import dev.trainops.gpu.GpuTypes;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission loop: one pass at a time (a PostgreSQL advisory lock across replicas; SQLite's
 * write lock in one process), each pass one store transaction that (1) follows admitted jobs
 * through the cluster (running, succeeded, failed, preempted pods gone, max_cost reached),
 * (2) plans admission on a snapshot of the cluster, the queue, quotas and budgets, and (3)
 * commits admissions, preemptions and reasons together. Jobs are created and deleted in the
 * cluster after the commit; a crash in between is repaired by the next pass (a SCHEDULED job not
 * yet launched is launched again under the same name).
 */
public final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);
    /** How long a launched Job may be missing from the informer before it counts as deleted. */
    static final Duration INFORMER_GRACE = Duration.ofSeconds(60);

    /** Tunables with their defaults. */
    public record Settings(BigDecimal utilizationThreshold, Duration starvationAfter) {
        public static Settings defaults() {
            return new Settings(new BigDecimal("50"), Duration.ofMinutes(30));
        }
    }

    /** What one pass did. */
    public record PassResult(List<String> admitted, List<String> preempted, List<String> transitions, AdmissionPlanner.Plan plan) {
    }

    private final QueueStore queue;
    private final ClusterIndex index;
    private final JobRunner launcher;
    private final QuotaConfig quotas;
    private final Function<String, Optional<Snapshot.BudgetRoom>> budgets;
    private final GpuUtilization utilization;
    private final PriceBook prices;
    private final Clock clock;
    private final Settings settings;
    private final QueueEvents events;
    private volatile AdmissionPlanner.Plan lastPlan = new AdmissionPlanner.Plan(List.of(), List.of(), Map.of());

    public Scheduler(QueueStore queue, ClusterIndex index, JobRunner launcher, QuotaConfig quotas,
                     Function<String, Optional<Snapshot.BudgetRoom>> budgets, GpuUtilization utilization, PriceBook prices, Clock clock,
                     Settings settings) {
        this(queue, index, launcher, quotas, budgets, utilization, prices, clock, settings, QueueEvents.NONE);
    }

    public Scheduler(QueueStore queue, ClusterIndex index, JobRunner launcher, QuotaConfig quotas,
                     Function<String, Optional<Snapshot.BudgetRoom>> budgets, GpuUtilization utilization, PriceBook prices, Clock clock,
                     Settings settings, QueueEvents events) {
        this.events = events;
        this.queue = queue;
        this.index = index;
        this.launcher = launcher;
        this.quotas = quotas;
        this.budgets = budgets;
        this.utilization = utilization;
        this.prices = prices;
        this.clock = clock;
        this.settings = settings;
    }

    /** The plan of the latest pass: positions, reasons and ETAs of waiting jobs. */
    public AdmissionPlanner.Plan lastPlan() {
        return lastPlan;
    }

    /** One reconcile-and-admit pass. */
    public synchronized PassResult pass() {
        Instant now = clock.instant();
        List<QueuedJob> toLaunch = new ArrayList<>();
        List<QueuedJob> toDelete = new ArrayList<>();
        List<String> transitions = new ArrayList<>();
        List<QueuedJob> ended = new ArrayList<>();
        List<QueuedJob> waiting = new ArrayList<>();
        int[] active = new int[1];
        AdmissionPlanner.Plan plan = queue.store().inTransaction(QueueStore.ADMISSION_LOCK, c -> {
            ended.clear();
            waiting.clear();
            reconcile(c, now, toDelete, transitions, ended);
            Snapshot snapshot = snapshot(c, now);
            active[0] = snapshot.active().size();
            AdmissionPlanner.Plan p = AdmissionPlanner.plan(snapshot);
            for (AdmissionPlanner.Admit a : p.admits()) {
                QueuedJob admitted = a.job().admittedTo(a.node(), now);
                queue.update(c, admitted);
                toLaunch.add(admitted);
            }
            for (AdmissionPlanner.Preempt pr : p.preemptions()) {
                QueuedJob victim = pr.victim().preemptedBy(pr.by().jobId(), pr.detail());
                queue.update(c, victim);
                toDelete.add(victim);
            }
            Set<String> admittedIds = new HashSet<>();
            p.admits().forEach(a -> admittedIds.add(a.job().jobId()));
            snapshot.queued().stream().filter(j -> !admittedIds.contains(j.jobId())).forEach(waiting::add);
            Map<String, QueuedJob> queued = new HashMap<>();
            snapshot.queued().forEach(j -> queued.put(j.jobId(), j));
            for (var w : p.waits().entrySet()) {
                QueuedJob j = queued.get(w.getKey());
                if (j.reason() != w.getValue().reason() || !w.getValue().detail().equals(j.reasonDetail())) {
                    queue.update(c, j.waiting(w.getValue().reason(), w.getValue().detail()));
                }
            }
            // a job admitted before a crash whose Job was never created
            for (QueuedJob j : queue.inStates(c, JobState.SCHEDULED)) {
                if (!j.launched() && toLaunch.stream().noneMatch(x -> x.jobId().equals(j.jobId()))) {
                    toLaunch.add(j);
                }
            }
            return p;
        });
        lastPlan = plan;
        try {
            events.afterPass(now, toLaunch.stream().filter(j -> plan.admits().stream().anyMatch(a -> a.job().jobId().equals(j.jobId())))
                    .toList(), plan.preemptions().stream().map(AdmissionPlanner.Preempt::victim).toList(), ended, waiting,
                    active[0] + plan.admits().size());
        } catch (RuntimeException e) {
            log.warn("queue observer failed: {}", e.getMessage());
        }
        Map<String, String> resources = new HashMap<>();
        for (Snapshot.NodeRoom r : rooms()) {
            resources.put(r.node(), r.resource());
        }
        List<String> launched = new ArrayList<>();
        for (QueuedJob j : toLaunch) {
            try {
                launcher.launch(j, resources.getOrDefault(j.node(), KubeNames.GPU_RESOURCE), now);
                launched.add(j.jobId());
            } catch (RuntimeException e) {
                log.warn("cannot create the Job of {} (retried next pass): {}", j.jobId(), e.getMessage());
            }
        }
        if (!launched.isEmpty()) {
            queue.store().inTransaction(0, c -> {
                for (String id : launched) {
                    Optional<QueuedJob> j = queue.find(c, id);
                    if (j.isPresent() && j.get().state() == JobState.SCHEDULED && !j.get().launched()) {
                        queue.update(c, j.get().launchedNow());
                    }
                }
                return null;
            });
        }
        for (QueuedJob j : toDelete) {
            try {
                launcher.delete(j);
            } catch (RuntimeException e) {
                log.warn("cannot delete the Job of {} (retried next pass): {}", j.jobId(), e.getMessage());
            }
        }
        return new PassResult(plan.admits().stream().map(a -> a.job().jobId()).toList(),
                plan.preemptions().stream().map(p -> p.victim().jobId()).toList(), transitions, plan);
    }

    /** Follows active jobs through the cluster. */
    private void reconcile(Connection c, Instant now, List<QueuedJob> toDelete, List<String> transitions, List<QueuedJob> ended)
            throws SQLException {
        Map<String, Job> jobs = new HashMap<>();
        for (Job j : index.jobs()) {
            jobs.put(j.getMetadata().getNamespace() + "/" + j.getMetadata().getName(), j);
        }
        Map<String, List<Pod>> pods = new HashMap<>();
        for (Pod p : index.pods()) {
            String id = label(p, KubeNames.LABEL_JOB_ID);
            if (id != null) {
                pods.computeIfAbsent(id + "/" + label(p, KubeNames.LABEL_ATTEMPT), k -> new ArrayList<>()).add(p);
            }
        }
        for (QueuedJob j : queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED)) {
            Job kube = jobs.get(j.team() + "/" + j.kubeName());
            List<Pod> mine = pods.getOrDefault(j.jobId() + "/" + j.attempt(), List.of());
            boolean holding = mine.stream().anyMatch(PodResources::holdsResources);
            if (j.state() == JobState.PREEMPTED) {
                if (kube != null || holding) {
                    toDelete.add(j); // idempotent: keeps asking until the pods are gone
                    continue;
                }
                queue.update(c, j.requeuedAfterPreemption(j.reasonDetail()));
                transitions.add(j.jobId() + " PREEMPTED -> QUEUED");
                continue;
            }
            String condition = kube == null ? null : finished(kube);
            if ("Complete".equals(condition)) {
                Instant end = completion(kube, now);
                QueuedJob done = j.withState(JobState.SUCCEEDED, null, "Completed at " + end + ".", startOf(j, mine, now), end);
                queue.update(c, done);
                ended.add(done);
                transitions.add(j.jobId() + " " + j.state() + " -> SUCCEEDED");
                continue;
            }
            if ("Failed".equals(condition)) {
                Instant end = completion(kube, now);
                QueuedJob failed = j.withState(JobState.FAILED, Reason.JOB_FAILED, "The Job failed at " + end + ".", startOf(j, mine, now), end);
                queue.update(c, failed);
                ended.add(failed);
                transitions.add(j.jobId() + " " + j.state() + " -> FAILED");
                continue;
            }
            if (kube == null && j.launched() && j.admitted() != null && j.admitted().plus(INFORMER_GRACE).isBefore(now)) {
                QueuedJob deleted = j.withState(JobState.FAILED, Reason.JOB_DELETED, "Job " + j.team() + "/" + j.kubeName()
                        + " was deleted outside trainops.", j.started(), now);
                queue.update(c, deleted);
                ended.add(deleted);
                transitions.add(j.jobId() + " " + j.state() + " -> FAILED (deleted)");
                continue;
            }
            QueuedJob current = j;
            Pod running = mine.stream().filter(p -> KubeNames.PHASE_RUNNING.equals(p.getStatus() == null ? null : p.getStatus().getPhase()))
                    .findFirst().orElse(null);
            if (j.state() == JobState.SCHEDULED && running != null) {
                current = j.withState(JobState.RUNNING, null, "Running on " + j.node() + ".", startOf(j, mine, now), null);
                queue.update(c, current);
                transitions.add(j.jobId() + " SCHEDULED -> RUNNING");
            }
            if (current.state() == JobState.RUNNING && current.maxCostMicros() != null && current.started() != null) {
                Money accrued = accrued(current, now);
                if (accrued.toMicros() >= current.maxCostMicros()) {
                    QueuedJob stopped = current.withState(JobState.FAILED, Reason.MAX_COST_REACHED, "Stopped at " + now + ": it had cost "
                            + accrued.display() + ", its max_cost is " + Money.micros(current.maxCostMicros(), prices.currency()).display()
                            + ".", current.started(), now);
                    queue.update(c, stopped);
                    toDelete.add(stopped);
                    ended.add(stopped);
                    transitions.add(j.jobId() + " RUNNING -> FAILED (MAX_COST_REACHED)");
                }
            }
        }
    }

    /** What a running job has cost so far at its GPUs' prices (time-of-use and spot included). */
    Money accrued(QueuedJob j, Instant now) {
        return prices.cost(new UsageSegment(j.jobId(), j.started(), now.isBefore(j.started()) ? j.started() : now, j.gpuType(),
                BigDecimal.valueOf(j.gpuCount()), BigDecimal.ZERO, BigDecimal.ZERO, j.spot()));
    }

    private static Instant startOf(QueuedJob j, List<Pod> pods, Instant now) {
        if (j.started() != null) {
            return j.started();
        }
        for (Pod p : pods) {
            if (p.getStatus() != null && p.getStatus().getStartTime() != null) {
                try {
                    return Instant.parse(p.getStatus().getStartTime());
                } catch (DateTimeParseException e) {
                    // fall through
                }
            }
        }
        return now;
    }

    private static String finished(Job job) {
        if (job.getStatus() == null || job.getStatus().getConditions() == null) {
            return null;
        }
        for (JobCondition c : job.getStatus().getConditions()) {
            if ("True".equals(c.getStatus()) && ("Complete".equals(c.getType()) || "Failed".equals(c.getType()))) {
                return c.getType();
            }
        }
        return null;
    }

    private static Instant completion(Job job, Instant now) {
        try {
            if (job.getStatus().getCompletionTime() != null) {
                return Instant.parse(job.getStatus().getCompletionTime());
            }
            for (JobCondition c : job.getStatus().getConditions()) {
                if (c.getLastTransitionTime() != null) {
                    return Instant.parse(c.getLastTransitionTime());
                }
            }
        } catch (DateTimeParseException e) {
            // fall through
        }
        return now;
    }

    /** The cluster's whole-GPU pools, per schedulable ready node. */
    public List<Snapshot.NodeRoom> rooms() {
        List<Snapshot.NodeRoom> out = new ArrayList<>();
        for (Node n : index.nodes()) {
            if (!Nodes.ready(n) || !Nodes.schedulable(n) || n.getStatus() == null) {
                continue;
            }
            Map<String, String> labels = Nodes.labels(n);
            Map<String, Quantity> allocatable = n.getStatus().getAllocatable() != null ? n.getStatus().getAllocatable() : n.getStatus().getCapacity();
            if (allocatable == null) {
                continue;
            }
            String type = GpuTypes.canonical(labels.get(KubeNames.LABEL_GPU_PRODUCT), Nodes.longLabel(labels, KubeNames.LABEL_GPU_MEMORY_MIB));
            String sharing = labels.getOrDefault(KubeNames.LABEL_GPU_SHARING_STRATEGY, "none");
            boolean migSingle = "single".equals(labels.get(KubeNames.LABEL_MIG_STRATEGY));
            long replicas = Math.max(1, Nodes.longLabel(labels, KubeNames.LABEL_GPU_REPLICAS));
            Quantity shared = allocatable.get(KubeNames.GPU_SHARED_RESOURCE);
            Quantity whole = allocatable.get(KubeNames.GPU_RESOURCE);
            Double util = utilization.nodePercent(n.getMetadata().getName()).isPresent()
                    ? utilization.nodePercent(n.getMetadata().getName()).getAsDouble() : null;
            if (shared != null && PodResources.count(shared) > 0) {
                out.add(new Snapshot.NodeRoom(n.getMetadata().getName(), type, KubeNames.GPU_SHARED_RESOURCE, true, PodResources.count(shared),
                        0, util));
            } else if (whole != null && PodResources.count(whole) > 0 && !migSingle) {
                boolean isShared = replicas > 1 || "time-slicing".equals(sharing) || "mps".equals(sharing);
                out.add(new Snapshot.NodeRoom(n.getMetadata().getName(), type, KubeNames.GPU_RESOURCE, isShared, PodResources.count(whole), 0, util));
            }
        }
        return out;
    }

    /** Reads the cluster, the queue, quotas and budgets for one pass. */
    Snapshot snapshot(Connection c, Instant now) throws SQLException {
        List<QueuedJob> active = queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED);
        List<Snapshot.NodeRoom> rooms = rooms();
        Map<String, String> resourceOf = new HashMap<>();
        rooms.forEach(r -> resourceOf.put(r.node(), r.resource()));
        Map<String, Long> usedOutside = new HashMap<>();
        Map<String, Integer> teamOutside = new HashMap<>();
        for (Pod p : outsidePods(active)) {
            Map<String, Long> gpus = PodResources.gpuRequests(p);
            String node = p.getSpec().getNodeName();
            if (node != null && resourceOf.containsKey(node)) {
                usedOutside.merge(node, gpus.getOrDefault(resourceOf.get(node), 0L), Long::sum);
            }
            long whole = quotaGpus(p);
            if (whole > 0) {
                teamOutside.merge(p.getMetadata().getNamespace(), (int) whole, Integer::sum);
            }
        }
        List<Snapshot.NodeRoom> withUse = rooms.stream().map(r -> new Snapshot.NodeRoom(r.node(), r.gpuType(), r.resource(), r.shared(),
                r.allocatable(), usedOutside.getOrDefault(r.node(), 0L), r.utilizationPercent())).toList();
        List<QueuedJob> queued = queue.inStates(c, JobState.QUEUED);
        Set<String> teams = new HashSet<>();
        queued.forEach(j -> teams.add(j.team()));
        active.forEach(j -> teams.add(j.team()));
        Map<String, Integer> limits = new HashMap<>();
        Map<String, Snapshot.BudgetRoom> rooms2 = new HashMap<>();
        for (String team : teams) {
            quotaLimit(team).ifPresent(l -> limits.put(team, l));
            budgets.apply(team).ifPresent(b -> rooms2.put(team, b));
        }
        Map<String, List<QueuedJob>> batches = new HashMap<>();
        for (QueuedJob j : queued) {
            if (j.batchId() != null && !batches.containsKey(j.batchId())) {
                batches.put(j.batchId(), queue.batchItems(c, j.batchId()));
            }
        }
        return new Snapshot(now, withUse, queued, active, limits, teamOutside, rooms2, batches, settings.utilizationThreshold(),
                settings.starvationAfter());
    }

    /** A snapshot read now, outside any admission transaction (for benchmarks and what-ifs). */
    public Snapshot snapshotNow() {
        return queue.read(c -> snapshot(c, clock.instant()));
    }

    /** Deletes a job's Job and pods in the cluster now (cancel); a failure is retried by later passes. */
    public void deleteJob(QueuedJob job) {
        try {
            launcher.delete(job);
        } catch (RuntimeException e) {
            log.warn("cannot delete the Job of {}: {}", job.jobId(), e.getMessage());
        }
    }

    /** GPUs a team holds now: its active queue jobs plus its other pods that hold GPUs. */
    public int gpusInUse(String team) {
        List<QueuedJob> active = queue.read(c -> queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED));
        int used = 0;
        for (QueuedJob a : active) {
            if (a.team().equals(team)) {
                used += a.gpuCount();
            }
        }
        for (Pod p : outsidePods(active)) {
            if (team.equals(p.getMetadata().getNamespace())) {
                used += (int) quotaGpus(p);
            }
        }
        return used;
    }

    /** Pods that hold resources and are not the current attempt of an active queue job (those count through the queue). */
    private List<Pod> outsidePods(List<QueuedJob> active) {
        Set<String> attempts = new HashSet<>();
        active.forEach(a -> attempts.add(a.jobId() + "/" + a.attempt()));
        List<Pod> out = new ArrayList<>();
        for (Pod p : index.pods()) {
            String id = label(p, KubeNames.LABEL_JOB_ID);
            if (PodResources.holdsResources(p) && p.getSpec() != null
                    && (id == null || !attempts.contains(id + "/" + label(p, KubeNames.LABEL_ATTEMPT)))) {
                out.add(p);
            }
        }
        return out;
    }

    /** What a ResourceQuota on requests.nvidia.com/gpu counts of a pod: whole GPUs (not shared replicas or MIG slices). */
    private static long quotaGpus(Pod p) {
        return PodResources.gpuRequests(p).getOrDefault(KubeNames.GPU_RESOURCE, 0L);
    }

    /** Namespaces with a GPU ResourceQuota. */
    public Set<String> quotaTeams() {
        Set<String> teams = new HashSet<>();
        for (ResourceQuota rq : index.resourceQuotas()) {
            teams.add(rq.getMetadata().getNamespace());
        }
        return teams;
    }

    /** A team's GPU quota: its namespace's ResourceQuota when it has one, else config/quotas.yaml. */
    public Optional<Integer> quotaLimit(String team) {
        Integer best = null;
        for (ResourceQuota rq : index.resourceQuotas()) {
            if (!team.equals(rq.getMetadata().getNamespace()) || rq.getSpec() == null || rq.getSpec().getHard() == null) {
                continue;
            }
            for (String key : List.of("requests.nvidia.com/gpu", "limits.nvidia.com/gpu", "nvidia.com/gpu")) {
                Quantity q = rq.getSpec().getHard().get(key);
                if (q != null) {
                    int v = (int) PodResources.count(q);
                    best = best == null ? v : Math.min(best, v);
                }
            }
        }
        if (best != null) {
            return Optional.of(best);
        }
        QuotaConfig.TeamQuota configured = quotas.teams().get(team);
        return configured == null ? Optional.empty() : Optional.of(configured.gpus());
    }

    private static String label(Pod p, String key) {
        return p.getMetadata() == null || p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(key);
    }
}

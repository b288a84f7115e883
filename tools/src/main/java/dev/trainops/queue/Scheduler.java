package dev.trainops.queue;

import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admission loop: one pass at a time (a PostgreSQL advisory lock across replicas; SQLite's
 * write lock in one process), each pass one store transaction ({@link AdmissionPass}) that follows
 * admitted jobs through the cluster ({@link Reconciler}), plans admission on a {@link Snapshot}
 * ({@link SnapshotReader}, {@link AdmissionPlanner}) and commits admissions, preemptions and reasons
 * together. After the commit this class tells observers and creates and deletes Jobs in the
 * cluster; a crash in between is repaired by the next pass (a SCHEDULED job not yet launched is
 * launched again under the same name).
 */
final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    /** Tunables with their defaults. */
    /** {@code rackLabel}: the node label naming a node's rack, which multi-node jobs prefer to share (queue rule 13). */
    public record Settings(BigDecimal utilizationThreshold, Duration starvationAfter, String rackLabel) {
        public Settings(BigDecimal utilizationThreshold, Duration starvationAfter) {
            this(utilizationThreshold, starvationAfter, MultiNode.DEFAULT_RACK_LABEL);
        }

        public static Settings defaults() {
            return new Settings(new BigDecimal("50"), Duration.ofMinutes(30));
        }

        /** The defaults with {@code label} as the rack label. */
        public Settings withRackLabel(String label) {
            return new Settings(utilizationThreshold, starvationAfter, label);
        }
    }

    /** What one pass did. */
    public record PassResult(List<String> admitted, List<String> preempted, List<String> transitions, AdmissionPlanner.Plan plan) {
    }

    private final QueueStore queue;
    private final JobRunner launcher;
    private final Clock clock;
    private final QueueEvents events;
    private final SnapshotReader snapshots;
    private final Reconciler reconciler;
    private final AdmissionPass admission;
    private final java.util.function.BooleanSupplier admitsHere;
    private volatile AdmissionPlanner.Plan lastPlan = new AdmissionPlanner.Plan(List.of(), List.of(), Map.of());

    public Scheduler(QueueStore queue, ClusterIndex index, JobRunner launcher, QuotaConfig quotas,
                     Function<String, Optional<Snapshot.BudgetRoom>> budgets, GpuUtilization utilization, PriceBook prices, Clock clock,
                     Settings settings) {
        this(queue, index, launcher, quotas, budgets, utilization, prices, clock, settings, QueueEvents.NONE);
    }

    public Scheduler(QueueStore queue, ClusterIndex index, JobRunner launcher, QuotaConfig quotas,
                     Function<String, Optional<Snapshot.BudgetRoom>> budgets, GpuUtilization utilization, PriceBook prices, Clock clock,
                     Settings settings, QueueEvents events) {
        this(queue, index, launcher, quotas, budgets, utilization, prices, clock, settings, events, () -> true);
    }

    /**
     * @param admitsHere whether this process runs admission now (it leads; docs/architecture.md,
     *                   "Roles of a process"): a submission on another replica gets no pass of its own
     */
    public Scheduler(QueueStore queue, ClusterIndex index, JobRunner launcher, QuotaConfig quotas,
                     Function<String, Optional<Snapshot.BudgetRoom>> budgets, GpuUtilization utilization, PriceBook prices, Clock clock,
                     Settings settings, QueueEvents events, java.util.function.BooleanSupplier admitsHere) {
        this.admitsHere = admitsHere;
        this.queue = queue;
        this.launcher = launcher;
        this.clock = clock;
        this.events = events;
        this.snapshots = new SnapshotReader(queue, index, quotas, budgets, utilization, settings, prices.spotNodes());
        this.reconciler = new Reconciler(queue, index, prices);
        this.admission = new AdmissionPass(queue, reconciler, snapshots);
    }

    /** The plan of the latest pass: positions, reasons and ETAs of waiting jobs. */
    public AdmissionPlanner.Plan lastPlan() {
        return lastPlan;
    }

    /**
     * The pass right after a submission, where admission runs (the leader, or a local store);
     * elsewhere the leader's next pass admits the job.
     */
    void passAfterSubmission() {
        if (admitsHere.getAsBoolean()) {
            pass();
        }
    }

    /**
     * On a replica that does not lead: the plan a pass would make on a snapshot read now, kept for
     * get_job_queue_status (positions and ETAs) without admitting, preempting or writing anything.
     */
    public void replan() {
        lastPlan = AdmissionPlanner.plan(snapshotNow());
    }

    /** One reconcile-and-admit pass. */
    public synchronized PassResult pass() {
        Instant now = clock.instant();
        AdmissionPass.Decisions d = queue.store().inTransaction(QueueStore.ADMISSION_LOCK, c -> {
            AdmissionPass.Decisions decided = admission.run(c, now);
            record(c, decided.events(now));
            return decided;
        });
        lastPlan = d.plan();
        try {
            events.afterPass(now, d.admitted(), d.preempted(), d.reconciled().ended(), d.waiting(), d.active());
        } catch (RuntimeException e) {
            log.warn("queue observer failed: {}", e.getMessage());
        }
        d.events(now).forEach(this::publish);
        launch(d.toLaunch(), now);
        for (QueuedJob j : d.toDelete()) {
            try {
                launcher.delete(j);
            } catch (RuntimeException e) {
                log.warn("cannot delete the Job of {} (retried next pass): {}", j.jobId(), e.getMessage());
            }
        }
        return new PassResult(d.admitted().stream().map(QueuedJob::jobId).toList(), d.preempted().stream().map(QueuedJob::jobId).toList(),
                d.reconciled().transitions(), d.plan());
    }

    /** Creates the Jobs of admitted jobs, then marks those created as launched (a failure is retried by the next pass). */
    private void launch(List<QueuedJob> toLaunch, Instant now) {
        Map<String, String> resources = new HashMap<>();
        for (Snapshot.NodeRoom r : snapshots.rooms()) {
            resources.put(r.key(), r.resource());
        }
        List<String> launched = new ArrayList<>();
        Map<String, String> refused = new HashMap<>();
        for (QueuedJob j : toLaunch) {
            try {
                // a MIG job's pool is its profile's on the node (nvidia.com/mig-<profile>, or nvidia.com/gpu under strategy single)
                String fallback = j.migProfile() == null ? KubeNames.GPU_RESOURCE : KubeNames.MIG_RESOURCE_PREFIX + j.migProfile();
                launcher.launch(j, resources.getOrDefault(j.roomKey(), fallback), now);
                launched.add(j.jobId());
            } catch (JobLauncher.Refused e) {
                refused.put(j.jobId(), e.getMessage());
            } catch (RuntimeException e) {
                log.warn("cannot create the Job of {} (retried next pass): {}", j.jobId(), e.getMessage());
            }
        }
        if (!refused.isEmpty()) {
            failRefused(refused, now);
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
    }

    /** Rule 9: a job whose Job the cluster refused to create as its submitter fails, saying why, and frees what it was admitted to. */
    private void failRefused(Map<String, String> refused, Instant now) {
        List<QueuedJob> failed = queue.store().inTransaction(0, c -> {
            List<QueuedJob> out = new ArrayList<>();
            for (var e : refused.entrySet()) {
                Optional<QueuedJob> j = queue.find(c, e.getKey());
                if (j.isPresent() && j.get().state() == JobState.SCHEDULED && !j.get().launched()) {
                    QueuedJob f = j.get().ended(JobState.FAILED, Reason.JOB_FAILED, e.getValue(), null, now);
                    queue.update(c, f);
                    record(c, List.of(failedEvent(f, now)));
                    out.add(f);
                }
            }
            return out;
        });
        for (QueuedJob f : failed) {
            log.warn("job {}: {}", f.jobId(), f.reasonDetail());
            publish(failedEvent(f, now));
        }
    }

    private static JobEvent failedEvent(QueuedJob f, Instant now) {
        return new JobEvent(JobEvent.Kind.FAILED, f.jobId(), f.team(), f.runName(), f.reasonDetail(), now);
    }

    /** Writes job events in {@code c}, the transaction of the changes they report (the event log; {@link QueueEvents#inTransaction}). */
    void record(java.sql.Connection c, List<JobEvent> changes) throws java.sql.SQLException {
        for (JobEvent e : changes) {
            events.inTransaction(c, e);
        }
    }

    /** Tells observers about one job event, after the change it reports was committed; an observer's failure is only logged. */
    void publish(JobEvent event) {
        try {
            events.onJobEvent(event);
        } catch (RuntimeException e) {
            log.warn("queue observer failed on {} of {}: {}", event.kind(), event.jobId(), e.getMessage());
        }
    }

    /** What a running job has cost so far at its GPUs' prices (time-of-use and spot included). */
    Money accrued(QueuedJob j, Instant now) {
        return reconciler.accrued(j, now);
    }

    /** The cluster's GPU pools (whole or shared GPUs, and each MIG profile), per schedulable ready node. */
    public List<Snapshot.NodeRoom> rooms() {
        return snapshots.rooms();
    }

    /** A snapshot read now, outside any admission transaction (for benchmarks and what-ifs). */
    public Snapshot snapshotNow() {
        return queue.read(c -> snapshots.snapshot(c, clock.instant()));
    }

    /** Deletes a job's Job and pods in the cluster now, at {@code canceller}'s request (cancel); a failure is retried by later passes. */
    public void deleteJob(QueuedJob job, dev.trainops.access.Principal canceller) {
        try {
            launcher.delete(job, canceller);
        } catch (RuntimeException e) {
            log.warn("cannot delete the Job of {}: {}", job.jobId(), e.getMessage());
        }
    }

    /** GPUs a team holds now: its active queue jobs plus its other pods that hold GPUs. */
    public int gpusInUse(String team) {
        return snapshots.gpusInUse(team);
    }

    /** Namespaces with a GPU ResourceQuota. */
    public Set<String> quotaTeams() {
        return snapshots.quotaTeams();
    }

    /** A team's GPU quota: its namespace's ResourceQuota when it has one, else config/quotas.yaml. */
    public Optional<Integer> quotaLimit(String team) {
        return snapshots.quotaLimit(team);
    }
}

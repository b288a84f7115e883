package dev.trainops.queue;

import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.Tool;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The job queue's one entry point (docs/architecture.md, "Modules"): built from its dependencies,
 * it holds the admission loop's pass, the services behind the queue's nine tools, and the few reads
 * other capabilities need. Everything else in the package is package-private; what stays public
 * besides this class is what callers must name: the tools' request and answer records (Jackson and
 * the schema generator read them), the stored job ({@link QueuedJob}, {@link JobSpec},
 * {@link JobStatus}, {@link JobState}) and its {@link QueueStore}, the Kubernetes object a job is owned by ({@link Owner}), the observer API
 * ({@link QueueEvents}, {@link JobEvent}), configuration ({@link PriorityConfig}, {@link QuotaConfig},
 * {@link JobTemplates}, {@link QuotaApplier}), and the two seams others implement ({@link Estimator}, {@link JobRunner}).
 */
public final class JobQueue {
    private final QueueStore store;
    private final Scheduler scheduler;
    private final QueueService service;
    private final PlanningService planning;
    private final BatchService batches;
    private final QuotaConfig quotas;
    private final DryRun dryRun;

    /**
     * @param runner   creates and deletes the cluster Jobs of admitted jobs ({@link #kubernetes} in production)
     * @param budgets  a team's budget this period, spent and committed (absent: no budget)
     * @param events   told after each pass and each job event, once committed
     */
    public JobQueue(QueueStore store, ClusterIndex index, JobRunner runner, PriorityConfig priorities, QuotaConfig quotas,
                    JobTemplates templates, Function<String, Optional<BudgetStatus>> budgets, GpuUtilization utilization, PriceBook prices,
                    Clock clock, Estimator estimator, QueueEvents events) {
        this(store, index, runner, priorities, quotas, templates, budgets, utilization, prices, clock, estimator, events, () -> true);
    }

    /**
     * @param admitsHere whether this process runs admission now (docs/architecture.md, "Roles of a
     *                   process"): a submission on a replica that does not lead waits for the leader's pass
     */
    public JobQueue(QueueStore store, ClusterIndex index, JobRunner runner, PriorityConfig priorities, QuotaConfig quotas,
                    JobTemplates templates, Function<String, Optional<BudgetStatus>> budgets, GpuUtilization utilization, PriceBook prices,
                    Clock clock, Estimator estimator, QueueEvents events, java.util.function.BooleanSupplier admitsHere) {
        this.store = store;
        this.quotas = quotas;
        this.scheduler = new Scheduler(store, index, runner, quotas, team -> budgets.apply(team).map(JobQueue::room), utilization, prices,
                clock, Scheduler.Settings.defaults().withRackLabel(templates.rackLabel()), events, admitsHere);
        this.dryRun = new DryRun(new JobManifest(priorities, templates, prices.spotNodes()), scheduler, clock);
        this.service = new QueueService(store, scheduler, priorities, quotas, estimator, budgets, prices, clock, dryRun);
        this.planning = new PlanningService(priorities, quotas, store, scheduler, index, budgets, prices, clock, estimator,
                new JobFootprints(templates, JobFootprints.onCluster(index)), dryRun);
        this.batches = new BatchService(store, service, scheduler, prices, clock);
    }

    /** A budget's room for admission: its limit and what is spent and committed, in micro-units. */
    private static Snapshot.BudgetRoom room(BudgetStatus b) {
        return new Snapshot.BudgetRoom(b.limit().movePointRight(Money.SCALE).longValueExact(),
                b.spent().add(b.committed()).movePointRight(Money.SCALE).longValueExact(), b.period().name());
    }

    /**
     * The runner that creates the batch/v1 Jobs of admitted jobs in the cluster, from their models'
     * templates, with the tolerations spot jobs get for spot nodes' taints; every call the server's own.
     */
    public static JobRunner kubernetes(KubernetesClient client, PriorityConfig priorities, JobTemplates templates, SpotNodes spotNodes) {
        return kubernetes(client, priorities, templates, spotNodes, false);
    }

    /**
     * The same; with {@code impersonate} ({@code serve --kube-impersonate}, DESIGN.md rule 9) it
     * creates a job's Job as its submitter and deletes it on cancel as the canceller.
     */
    public static JobRunner kubernetes(KubernetesClient client, PriorityConfig priorities, JobTemplates templates, SpotNodes spotNodes,
                                       boolean impersonate) {
        return new JobLauncher(client, priorities, templates, spotNodes, impersonate);
    }

    /** Creates or checks the trainops PriorityClasses; one line per class, for the log. */
    public static List<String> ensurePriorityClasses(KubernetesClient client, PriorityConfig priorities) {
        return PriorityClasses.ensure(client, priorities);
    }

    /** Checks the trainops PriorityClasses and creates none (--read-only); a missing one's line starts with "missing". */
    public static List<String> checkPriorityClasses(KubernetesClient client, PriorityConfig priorities) {
        return PriorityClasses.check(client, priorities);
    }

    /**
     * The queue's tools, in catalog order: queue_training_job, get_job_queue_status,
     * cancel_training_job, submit_batch_training, get_batch_status, validate_job_resources,
     * decide_job_priority, check_training_quota, calculate_quota. The queue is looked up on each
     * call, so the tools can be listed before it has opened.
     */
    public static List<Tool<?, ?>> tools(Supplier<JobQueue> queue) {
        return List.of(
                QueueTools.queueTrainingJob(() -> queue.get().service),
                QueueTools.getJobQueueStatus(() -> queue.get().service),
                QueueTools.cancelTrainingJob(() -> queue.get().service),
                QueueTools.submitBatchTraining(() -> queue.get().batches),
                QueueTools.getBatchStatus(() -> queue.get().batches),
                PlanningTools.validateJobResources(() -> queue.get().planning),
                PlanningTools.decideJobPriority(() -> queue.get().planning),
                PlanningTools.checkTrainingQuota(() -> queue.get().planning),
                PlanningTools.calculateQuota(() -> queue.get().planning));
    }

    /**
     * Budget committed by admitted work not yet billed (docs/architecture.md, "Money model"): a
     * SCHEDULED job's whole estimate, a RUNNING job's share still ahead of it.
     */
    public static long committedMicros(List<QueuedJob> active, Predicate<QueuedJob> scope, Instant now) {
        return Commitments.committedMicros(active, scope, now);
    }

    /**
     * queue_training_job for a Kubernetes object (the TrainingJob controller): the same checks, prices, quota and budget
     * rules, and audit as the tool; the job's Jobs are owned by {@code owner} (null: none). Refusals throw the tool's
     * {@link dev.trainops.catalog.ToolException}, with its message.
     */
    public QueueAnswer submit(QueueRequest r, dev.trainops.catalog.CallContext call, Owner owner) {
        return service.submit(r, call, owner);
    }

    /** submit_batch_training for a Kubernetes object (the TrainingBatch controller); each item's Jobs owned by {@code owner}. */
    public BatchStatus submitBatch(BatchRequest r, dev.trainops.catalog.CallContext call, Owner owner) {
        return batches.submit(r, call, owner);
    }

    /** get_job_queue_status as {@code principal} sees it. */
    public QueueStatus status(QueueStatusRequest r, dev.trainops.access.Principal principal) {
        return service.status(r, principal);
    }

    /** get_batch_status as {@code principal} sees it. */
    public BatchStatus batchStatus(BatchStatusRequest r, dev.trainops.access.Principal principal) {
        return batches.status(r, principal);
    }

    /** cancel_training_job for {@code call}'s principal, audited as the tool is. */
    public CancelAnswer cancel(CancelRequest r, dev.trainops.catalog.CallContext call) {
        return service.cancel(r, call);
    }

    /** What one admission pass did. */
    public record Pass(List<String> admitted, List<String> preempted, int waiting) {
    }

    /** One reconcile-and-admit pass (the admission loop calls this every few seconds). */
    public Pass pass() {
        Scheduler.PassResult r = scheduler.pass();
        return new Pass(r.admitted(), r.preempted(), r.plan().waits().size());
    }

    /**
     * On a replica that does not lead (docs/architecture.md, "Roles of a process"): refreshes the plan
     * get_job_queue_status reads its positions and ETAs from, writing nothing.
     */
    public void replan() {
        scheduler.replan();
    }

    /** Plans on a snapshot read now and writes nothing (benchmarks): how many jobs a pass would admit. */
    public int planOnly() {
        return AdmissionPlanner.plan(scheduler.snapshotNow()).admits().size();
    }

    /**
     * The batch/v1 Job admission would create for a waiting job, before its node is chosen: its pod
     * template is what a scale-up ProvisioningRequest asks room for (docs/kubernetes.md, "Scale-up").
     */
    public io.fabric8.kubernetes.api.model.batch.v1.Job plannedJob(QueuedJob job) {
        return dryRun.manifest(job);
    }

    /** The GPU types of the cluster's schedulable nodes, sorted. */
    public List<String> gpuTypes() {
        return scheduler.rooms().stream().map(Snapshot.NodeRoom::gpuType).distinct().sorted().toList();
    }

    /** What a running job has cost so far at its prices (time-of-use and spot included): what max_cost is checked against. */
    public Money costSoFar(QueuedJob job, Instant now) {
        return scheduler.accrued(job, now);
    }

    /**
     * Each configured team's use of each quota resource (gpu, cpu, memory_gib) as check_training_quota
     * reports it, for the metrics and the 80% warnings (docs/monitoring.md).
     */
    public java.util.Map<String, List<QuotaStatus.Usage>> quotaUsage() {
        java.util.Map<String, List<QuotaStatus.Usage>> out = new java.util.TreeMap<>();
        for (String team : quotas.teams().keySet()) {
            out.put(team, planning.quotaUsage(team));
        }
        return out;
    }

    /** The share of a quota at which a team is warned (quotas.yaml warn_at, 0.80 by default). */
    public java.math.BigDecimal quotaWarnAt() {
        return quotas.warnAt();
    }

    /**
     * The batches {@code submitter} stored under an idempotency key with a job not ended yet, key to batch id: the
     * TrainingBatch controller's (key = the object's uid), to cancel those whose object is gone.
     */
    public java.util.Map<String, String> resourceBatches(String submitter) {
        return batches.openByKey(submitter);
    }

    /** The stored jobs, for readers (health, metrics, forecasts, recommendations). */
    public QueueStore store() {
        return store;
    }
}

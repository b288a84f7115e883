package dev.trainops.app;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.trainops.compare.ConfigComparer;
import dev.trainops.compare.HistoryEstimator;
import dev.trainops.events.EventLog;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.monitor.Metrics;
import dev.trainops.monitor.QueueMetrics;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.JobEvent;
import dev.trainops.queue.JobFootprints;
import dev.trainops.queue.JobRequests;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.TimeLimitEstimator;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job queue: once the store is open and the cluster client exists, the PriorityClasses, the
 * scheduler and the services behind the queue and planning tools, and the admission loop every
 * 2 s on its own executor (docs/architecture.md, "Queue state machine").
 */
final class QueueModule {
    private static final Logger log = LoggerFactory.getLogger(QueueModule.class);
    static final Duration ADMIT_EVERY = Duration.ofSeconds(2);
    /** The GPU inventory shows queued demand; reading it at most once a second keeps a busy client off the store. */
    static final Duration DEMAND_FRESH_FOR = Duration.ofSeconds(1);

    /** The durable queue and its entry point. */
    record Stack(QueueStore store, JobQueue jobs) {
    }

    private final TrainopsConfig config;
    private final ClusterModule cluster;
    private final CostModule cost;
    private final HistoryModule history;
    private final BackgroundLoops loops;
    private final Metrics metrics;
    /** --read-only: PriorityClasses checked, not created; no admission; a runner that creates and deletes nothing. */
    private final boolean readOnly;
    final CompletableFuture<Stack> stack = new CompletableFuture<>();
    /** Where job events go besides the metrics: the event log, which every replica's sessions hear from (docs/architecture.md, "Events"). */
    private final EventsModule events;

    QueueModule(TrainopsConfig config, ClusterModule cluster, CostModule cost, HistoryModule history, BackgroundLoops loops, Metrics metrics,
                EventsModule events, boolean readOnly) {
        this.events = events;
        this.readOnly = readOnly;
        this.config = config;
        this.cluster = cluster;
        this.cost = cost;
        this.history = history;
        this.loops = loops;
        this.metrics = metrics;
    }

    /** Opens the queue in the background once the store and the cluster client are there. */
    void open() {
        cost.stack.thenAcceptBothAsync(cluster.kube, this::openNow, loops.executor("queue-open")).exceptionally(e -> {
            stack.completeExceptionally(e.getCause() != null ? e.getCause() : e);
            return null;
        });
    }

    private void openNow(CostModule.Stack money, KubernetesClient client) {
        if (loops.closed()) {
            return;
        }
        try {
            Clock clock = cluster.clock;
            // admission and submissions need the inventory; the index starts from the same client
            if (!cluster.index.awaitSynced(ClusterModule.INITIAL_SYNC_WAIT)) {
                log.warn("the Kubernetes inventory is not synced yet; the queue starts anyway and waits for it");
            }
            try {
                if (readOnly) {
                    for (String line : JobQueue.checkPriorityClasses(client, config.priorities())) {
                        if (line.startsWith("missing")) {
                            log.warn("read-only: {}", line);
                        } else {
                            log.info("read-only: {}", line);
                        }
                    }
                } else {
                    JobQueue.ensurePriorityClasses(client, config.priorities()).forEach(line -> log.info("{}", line));
                }
            } catch (RuntimeException e) {
                log.warn("cannot create or check the PriorityClasses (jobs still get their names): {}", e.getMessage());
            }
            QueueStore queueStore = money.queueStore();
            Estimator estimator = estimator();
            JobQueue jobs = new JobQueue(queueStore, cluster.index, readOnly ? ReadOnlyRunner.INSTANCE
                    : JobQueue.kubernetes(client, config.priorities(), config.jobs(), config.prices().spotNodes(),
                    config.settings().kubeImpersonate()),
                    config.priorities(), config.quotas(), config.jobs(), money.budgets()::peek, cluster.utilization, config.prices(), clock, estimator,
                    events(new QueueMetrics(metrics), money.events()), loops::leading);
            cluster.inventory.attachQueue(queuedDemand(queueStore));
            stack.complete(new Stack(queueStore, jobs));
            // where admission does not run (another replica leads, or --read-only), the plan behind the
            // status's positions and ETAs is refreshed read-only as often (docs/architecture.md, "Roles of a process")
            loops.loop("queue-plan", ADMIT_EVERY, () -> {
                if (!loops.leading() && cluster.index.synced()) {
                    jobs.replan();
                }
            }).start(Duration.ZERO);
            if (readOnly) {
                log.info("read-only: no admission loop; nothing is created in the cluster");
                return;
            }
            loops.control("admission", ADMIT_EVERY, () -> {
                if (cluster.index.synced()) {
                    jobs.pass();
                }
            }).start(Duration.ZERO);
        } catch (RuntimeException e) {
            stack.completeExceptionally(e);
            loops.openFailed(log, "the job queue", e);
        }
    }

    /**
     * The queue's estimates (and the admission webhook's): from the run history, read afresh for each
     * call; a model without history is priced at its job template's time limit (active_deadline_seconds), when it sets one.
     */
    Estimator estimator() {
        return new TimeLimitEstimator(fromHistory(), config.jobs()::timeLimit, config.prices(), footprints());
    }

    /**
     * What a job will hold once it runs, for every estimate (forecast, compare, validate, queue,
     * recommend): its GPU units as shares where the queue places that type, and the CPU and memory
     * its pods request (its job template's, config/jobs.yaml), so an estimate prices what the ledger bills (docs/money.md, "Estimates and the bill").
     */
    JobFootprints footprints() {
        return new JobFootprints(config.jobs(), JobFootprints.onCluster(cluster.index));
    }

    /**
     * The queue's estimates from run history alone (no job template's time limit), each from the
     * history as it is at the call: the queue's, and the Kueue budget check's (KueueModule).
     */
    Estimator fromHistory() {
        return new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, int gpus, boolean spot, Instant at) {
                return historyEstimator().estimate(model, epochs, batch, type, gpus, spot, at);
            }

            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, String mig, int gpus, boolean spot,
                                               Instant at) {
                return historyEstimator().estimate(model, epochs, batch, type, mig, gpus, spot, at);
            }

            @Override
            public List<Integer> batchSizes(String model, String type) {
                return historyEstimator().batchSizes(model, type);
            }
        };
    }

    /** The queue's estimates from the run history, read afresh for each call (the history may be MLflow's, the sandbox's or the queue's own). */
    private HistoryEstimator historyEstimator() {
        RunHistorySource runs = history.runs.get();
        return new HistoryEstimator(new ConfigComparer(runs, config.prices(), footprints(), cluster.clock), runs);
    }

    /** --read-only's runner: nothing is created in or deleted from the cluster (no admission runs to ask it). */
    enum ReadOnlyRunner implements dev.trainops.queue.JobRunner {
        INSTANCE;

        @Override
        public void launch(QueuedJob job, String resource, Instant now) {
            throw new IllegalStateException("trainops runs --read-only: job " + job.jobId() + " is not created in the cluster");
        }

        @Override
        public void delete(QueuedJob job) {
            throw new IllegalStateException("trainops runs --read-only: job " + job.jobId() + " is not deleted from the cluster");
        }
    }

    /**
     * The metrics' queue events; each job event written to the event log in its change's
     * transaction, and once committed counted on this replica's metrics and the relay woken
     * (the sessions hear it from the relay, on every replica alike).
     */
    private QueueEvents events(QueueMetrics queueMetrics, EventLog eventLog) {
        return new QueueEvents() {
            @Override
            public void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended,
                                  List<QueuedJob> waiting, int active) {
                queueMetrics.afterPass(now, admitted, preempted, ended, waiting, active);
            }

            @Override
            public void inTransaction(java.sql.Connection c, JobEvent event) throws java.sql.SQLException {
                eventLog.append(c, event);
            }

            @Override
            public void onJobEvent(JobEvent event) {
                queueMetrics.onJobEvent(event);
                events.committed();
            }
        };
    }

    Stack await() {
        return Trainops.await(stack, "the job queue");
    }

    /** The queue when it is open, else null. */
    Stack ifOpen() {
        return stack.isDone() && !stack.isCompletedExceptionally() ? stack.join() : null;
    }

    /** A queued or running job by id; empty while the queue is still opening. */
    Optional<QueuedJob> find(String jobId) {
        Stack q = ifOpen();
        return q == null ? Optional.empty() : q.store().read(c -> q.store().find(c, jobId));
    }

    /** The latest job behind an MLflow run name; empty while the queue is still opening. */
    Optional<QueuedJob> latestByRunName(String runName) {
        Stack q = ifOpen();
        return q == null ? Optional.empty() : q.store().read(c -> q.store().latestByRunName(c, runName));
    }

    /** The queue's waiting jobs for the GPU inventory, read at most once per {@link #DEMAND_FRESH_FOR}. */
    static java.util.function.Supplier<List<GpuInventory.QueuedDemand>> queuedDemand(QueueStore store) {
        LoadingCache<Boolean, List<GpuInventory.QueuedDemand>> cache = Caffeine.newBuilder().expireAfterWrite(DEMAND_FRESH_FOR)
                .maximumSize(1).build(key -> store.read(conn -> store.inStates(conn, JobState.QUEUED)).stream()
                        .map(j -> new GpuInventory.QueuedDemand(j.team(), j.gpuType(), j.gpuCount())).toList());
        return () -> cache.get(Boolean.TRUE);
    }
}

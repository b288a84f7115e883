package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

/**
 * The queue wired to a fabric8 mock API server in CRUD mode, a store and an injected clock, with a
 * stand-in kubelet: {@link #startPods()} runs the pods of created Jobs on the node admission chose,
 * {@link #finish} completes a Job. Estimates are deterministic: 600 s per epoch, priced at the
 * GPU type's rate (peak) so tests can reason about budgets.
 */
final class QueueHarness implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    final KubernetesClient client;
    final MutableClock clock = new MutableClock(T0);
    final Store store;
    final PriceBook prices;
    final ClusterIndex index;
    final QueueStore queue;
    final Scheduler scheduler;
    final QueueService service;
    final JobTemplates templates;
    final DryRun dryRun;
    final Map<String, Integer> quotas = new ConcurrentHashMap<>();
    final Map<String, BigDecimal> budgetLimit = new ConcurrentHashMap<>();
    final Map<String, BigDecimal> spent = new ConcurrentHashMap<>();
    final Map<String, Double> utilization = new ConcurrentHashMap<>();
    /** Every job event the scheduler and the service told, with the job's state in the store when it was told. */
    final List<Told> told = new CopyOnWriteArrayList<>();
    /** The jobs each pass left waiting, as it told observers. */
    final List<List<QueuedJob>> waitingAfterPass = new CopyOnWriteArrayList<>();

    record Told(JobEvent event, JobState stored) {
    }

    /**
     * Every job event written in a transaction (the event log's side), with the job's state as that
     * same transaction sees it: the change the event reports is already made in it.
     */
    final List<Told> written = new CopyOnWriteArrayList<>();

    QueueHarness(KubernetesClient client, Store store, Scheduler.Settings settings) throws Exception {
        this.client = client;
        this.store = store;
        this.prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        this.index = new ClusterIndex(clock).start(client);
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
        this.queue = new QueueStore(store, clock);
        QuotaConfig quotaConfig = QuotaConfig.defaults();
        PriorityConfig priorities = PriorityConfig.defaults();
        this.templates = JobTemplates.load(Path.of("../config/jobs.yaml"));
        this.scheduler = new Scheduler(queue, index, new JobLauncher(client, priorities, templates), quotaConfig, this::budgetRoom,
                node -> utilization.containsKey(node) ? OptionalDouble.of(utilization.get(node)) : OptionalDouble.empty(), prices, clock,
                settings, new QueueEvents() {
                    @Override
                    public void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended,
                                          List<QueuedJob> waiting, int active) {
                        waitingAfterPass.add(waiting);
                    }

                    @Override
                    public void onJobEvent(JobEvent event) {
                        // read in a new transaction: an event told before its change committed would see the old state
                        told.add(new Told(event, queue.read(c -> queue.find(c, event.jobId())).map(QueuedJob::state).orElse(null)));
                    }

                    @Override
                    public void inTransaction(java.sql.Connection c, JobEvent event) throws java.sql.SQLException {
                        written.add(new Told(event, queue.find(c, event.jobId()).map(QueuedJob::state).orElse(null)));
                    }
                });
        this.dryRun = new DryRun(new JobManifest(priorities, templates), scheduler, clock);
        this.service = new QueueService(queue, scheduler, priorities, quotaConfig, delegating(), this::budgetStatus, prices, clock, dryRun);
    }

    /** What a job holds once it runs, as the server builds it: the shipped templates' CPU and memory, GPU shares as on the mock cluster. */
    JobFootprints footprints() {
        return new JobFootprints(templates, JobFootprints.onCluster(index));
    }

    /** A second replica: its own scheduler and service over the same store and cluster. */
    record Replica(QueueService service, Scheduler scheduler) {
    }

    Replica replica(Scheduler.Settings settings) {
        QuotaConfig quotaConfig = QuotaConfig.defaults();
        PriorityConfig priorities = PriorityConfig.defaults();
        Scheduler other = new Scheduler(queue, index, new JobLauncher(client, priorities, templates), quotaConfig, this::budgetRoom,
                node -> OptionalDouble.empty(), prices, clock, settings);
        return new Replica(new QueueService(queue, other, priorities, quotaConfig, delegating(), this::budgetStatus, prices, clock,
                new DryRun(new JobManifest(priorities, templates), other, clock)), other);
    }

    /** A quota only for the teams a test names (the ResourceQuota path is exercised in the sandbox tests). */
    void quota(String team, int gpus) {
        client.resource(new io.fabric8.kubernetes.api.model.ResourceQuotaBuilder().withNewMetadata().withNamespace(team)
                .withName("trainops-quota").endMetadata().withNewSpec().addToHard("requests.nvidia.com/gpu",
                        new io.fabric8.kubernetes.api.model.Quantity(Integer.toString(gpus))).endSpec().build()).createOr(r -> r.update());
        await(() -> scheduler.quotaLimit(team).equals(Optional.of(gpus)));
    }

    /** When set, the service's estimates come from it (a real estimator over a history) instead of the fixed 600 s/epoch. */
    volatile Estimator estimator;

    private Estimator delegating() {
        return new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String gpuType, int gpus, boolean spot, Instant start) {
                return QueueHarness.this.estimate(model, epochs, batch, gpuType, gpus, spot, start);
            }

            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String gpuType, String mig, int gpus, boolean spot,
                                               Instant start) {
                Estimator e = estimator;
                return e != null ? e.estimate(model, epochs, batch, gpuType, mig, gpus, spot, start)
                        : QueueHarness.this.estimate(model, epochs, batch, gpuType, gpus, spot, start);
            }

            @Override
            public List<Integer> batchSizes(String model, String gpuType) {
                Estimator e = estimator;
                return e == null ? List.of() : e.batchSizes(model, gpuType);
            }
        };
    }

    Optional<Estimator.Estimate> estimate(String model, int epochs, int batch, String gpuType, int gpus, boolean spot, Instant start) {
        Estimator e = estimator;
        if (e != null) {
            return e.estimate(model, epochs, batch, gpuType, gpus, spot, start);
        }
        if (model.startsWith("unknown")) {
            return Optional.empty();
        }
        String type = gpuType == null ? "H100" : gpuType;
        long seconds = 600L * epochs;
        BigDecimal hourly = prices.current(start).gpuRate(type).multiply(BigDecimal.valueOf(gpus));
        BigDecimal cost = hourly.multiply(BigDecimal.valueOf(seconds)).divide(BigDecimal.valueOf(3600), 6, java.math.RoundingMode.HALF_EVEN);
        if (spot) {
            cost = cost.multiply(new BigDecimal("0.3")).setScale(6, java.math.RoundingMode.HALF_EVEN);
        }
        return Optional.of(new Estimator.Estimate(type, seconds, new Money(cost, prices.currency()), "test: 600 s/epoch"));
    }

    long committed(String team) {
        List<QueuedJob> active = queue.read(c -> queue.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED));
        return Commitments.committedMicros(active, j -> j.team().equals(team), clock.instant());
    }

    Optional<Snapshot.BudgetRoom> budgetRoom(String team) {
        BigDecimal limit = budgetLimit.get(team);
        if (limit == null) {
            return Optional.empty();
        }
        long used = spent.getOrDefault(team, BigDecimal.ZERO).movePointRight(6).longValueExact() + committed(team);
        return Optional.of(new Snapshot.BudgetRoom(limit.movePointRight(6).longValueExact(), used, "MONTHLY"));
    }

    Optional<BudgetStatus> budgetStatus(String team) {
        BigDecimal limit = budgetLimit.get(team);
        if (limit == null) {
            return Optional.empty();
        }
        BigDecimal s = spent.getOrDefault(team, BigDecimal.ZERO);
        BigDecimal c = BigDecimal.valueOf(committed(team), 6);
        BigDecimal remaining = limit.subtract(s).subtract(c);
        return Optional.of(new BudgetStatus(team, Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, T0, T0.plus(Duration.ofDays(30)), limit,
                s, c, BigDecimal.ZERO, s.add(c), remaining, s.add(c).multiply(BigDecimal.valueOf(100)).divide(limit, 2,
                java.math.RoundingMode.HALF_EVEN), BudgetState.OK, BudgetState.OK, List.of()));
    }

    static QueueRequest request(String team, String run, String model, int gpus, Priority priority) {
        return new QueueRequest(model, run, team, 2, 64, priority, gpus, "H100", null, null, null, null, null);
    }

    /** Stores a job without running an admission pass (to line several up first). */
    QueuedJob enqueue(QueueRequest r) {
        QueuedJob job = service.prepare(r, null, null, r.idempotencyKey());
        return store.inTransaction(0, c -> queue.insert(c, job));
    }

    QueuedJob job(String id) {
        return queue.read(c -> queue.find(c, id)).orElseThrow();
    }

    /** The stand-in kubelet: a Running pod for every Job without one, on the node admission chose. */
    void startPods() {
        for (Job j : client.batch().v1().jobs().inAnyNamespace().list().getItems()) {
            String ns = j.getMetadata().getNamespace();
            String name = j.getMetadata().getName();
            if (client.pods().inNamespace(ns).withName(name + "-pod").get() != null) {
                continue;
            }
            var t = j.getSpec().getTemplate();
            // an Indexed Job (queue rule 13): one pod per index, on the nodes its node affinity names, in order
            List<String> nodes = "Indexed".equals(j.getSpec().getCompletionMode())
                    ? t.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms()
                    .get(0).getMatchExpressions().stream().filter(e -> e.getKey().equals(KubeNames.LABEL_HOSTNAME)).findFirst()
                    .orElseThrow().getValues()
                    : java.util.Collections.singletonList(t.getSpec().getNodeSelector().get(KubeNames.LABEL_HOSTNAME));
            for (int i = 0; i < nodes.size(); i++) {
                Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name + "-pod" + (i == 0 ? "" : "-" + i))
                        .withLabels(t.getMetadata().getLabels()).addToLabels("batch.kubernetes.io/job-name", name).endMetadata()
                        .withSpec(t.getSpec()).editSpec().withNodeName(nodes.get(i)).endSpec()
                        .withNewStatus().withPhase("Running").withStartTime(clock.instant().toString()).endStatus().build();
                client.resource(pod).create();
            }
        }
        awaitIndex();
    }

    /** The garbage collector: deletes pods whose Job is gone. */
    void collectOrphans() {
        for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
            String job = p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get("batch.kubernetes.io/job-name");
            if (job != null && client.batch().v1().jobs().inNamespace(p.getMetadata().getNamespace()).withName(job).get() == null) {
                client.resource(p).delete();
            }
        }
        awaitIndex();
    }

    /** Completes a job's current attempt: Job condition Complete, pod Succeeded. */
    void finish(String jobId) {
        QueuedJob j = job(jobId);
        Job kube = client.batch().v1().jobs().inNamespace(j.team()).withName(j.kubeName()).get();
        String at = clock.instant().toString();
        client.resource(new JobBuilder(kube).editOrNewStatus().withCompletionTime(at).addNewCondition().withType("Complete")
                .withStatus("True").withLastTransitionTime(at).endCondition().endStatus().build()).updateStatus();
        Pod pod = client.pods().inNamespace(j.team()).withName(j.kubeName() + "-pod").get();
        if (pod != null) {
            client.resource(new PodBuilder(pod).editStatus().withPhase("Succeeded").endStatus().build()).updateStatus();
        }
        awaitIndex();
    }

    /** Waits until the informers have seen everything in the mock server. */
    void awaitIndex() {
        await(() -> {
            int jobs = client.batch().v1().jobs().inAnyNamespace().list().getItems().size();
            List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
            if (index.jobs().size() != jobs || index.pods().size() != pods.size()) {
                return false;
            }
            Map<String, String> phases = new HashMap<>();
            index.pods().forEach(p -> phases.put(p.getMetadata().getName(), p.getStatus() == null ? null : p.getStatus().getPhase()));
            return pods.stream().allMatch(p -> java.util.Objects.equals(phases.get(p.getMetadata().getName()), p.getStatus().getPhase()))
                    && client.batch().v1().jobs().inAnyNamespace().list().getItems().stream().allMatch(j -> index.jobs().stream()
                    .anyMatch(x -> x.getMetadata().getName().equals(j.getMetadata().getName())
                            && java.util.Objects.equals(String.valueOf(x.getStatus()), String.valueOf(j.getStatus()))));
        });
    }

    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 10 s");
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    /** The events told about one job, in order. */
    List<Told> told(String jobId) {
        return told.stream().filter(t -> t.event().jobId().equals(jobId)).toList();
    }

    /** Fails a job's current attempt: Job condition Failed, pod Failed. */
    void fail(String jobId) {
        QueuedJob j = job(jobId);
        Job kube = client.batch().v1().jobs().inNamespace(j.team()).withName(j.kubeName()).get();
        String at = clock.instant().toString();
        client.resource(new JobBuilder(kube).editOrNewStatus().addNewCondition().withType("Failed").withStatus("True")
                .withLastTransitionTime(at).endCondition().endStatus().build()).updateStatus();
        Pod pod = client.pods().inNamespace(j.team()).withName(j.kubeName() + "-pod").get();
        if (pod != null) {
            client.resource(new PodBuilder(pod).editStatus().withPhase("Failed").endStatus().build()).updateStatus();
        }
        awaitIndex();
    }

    List<QueuedJob> all() {
        return queue.read(c -> queue.inStates(c, JobState.values()));
    }

    List<String> ids(JobState state) {
        List<String> out = new ArrayList<>();
        for (QueuedJob j : all()) {
            if (j.state() == state) {
                out.add(j.jobId());
            }
        }
        return out;
    }

    @Override
    public void close() {
        index.close();
        client.close(); // drop the watches now, so the mock server shuts down at once
        store.close();
    }
}

package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.audit.AuditLog;
import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobState;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.resource.TrainingJob;
import dev.trainops.store.Store;
import dev.trainops.testing.ClusterFixtures;
import dev.trainops.testing.Crds;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The TrainingJob controller on the fabric8 CRUD mock with the CRDs installed, over the real queue (JobQueue, a
 * SQLite store, config/pricing.yaml, config/jobs.yaml, config/quotas.yaml: team-a 8 GPUs) and two 8-GPU H100 nodes,
 * with a stand-in kubelet ({@link #startPods}, {@link #finish}). Estimates are 600 s per epoch at the H100's peak rate;
 * a team's budget is what a test sets in {@link #budgetLimit}.
 */
final class OperatorHarness implements AutoCloseable {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    final CrudMockServer mock;
    final KubernetesClient client;
    final MutableClock clock = new MutableClock(T0);
    final Store store;
    final PriceBook prices;
    final ClusterIndex index;
    final QueueStore queueStore;
    final JobQueue queue;
    final AuditLog audit;
    final TrainingJobController controller;
    final Map<String, BigDecimal> budgetLimit = new ConcurrentHashMap<>();

    OperatorHarness(Path dir) throws Exception {
        this(dir, new KubernetesCrudDispatcher(), true);
    }

    OperatorHarness(Path dir, KubernetesCrudDispatcher dispatcher, boolean crds) throws Exception {
        mock = new CrudMockServer(dispatcher);
        client = mock.client();
        if (crds) {
            Crds.install(client);
        }
        client.resource(ClusterFixtures.gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(ClusterFixtures.gpuNode("h100-b", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        store = Store.sqlite(dir);
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        index = new ClusterIndex(clock).start(client);
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
        queueStore = new QueueStore(store, clock);
        PriorityConfig priorities = PriorityConfig.defaults();
        JobTemplates templates = JobTemplates.load(Path.of("../config/jobs.yaml"));
        queue = new JobQueue(queueStore, index, JobQueue.kubernetes(client, priorities, templates, prices.spotNodes()), priorities,
                QuotaConfig.load(Path.of("../config/quotas.yaml")), templates, this::budget, GpuUtilization.UNKNOWN, prices, clock,
                this::estimate, QueueEvents.NONE);
        audit = new AuditLog(store);
        controller = new TrainingJobController(client, queue, audit, clock);
    }

    /** 600 s per epoch on the GPU type asked (H100 by default), at its rate now, times the GPUs. */
    Optional<Estimator.Estimate> estimate(String model, int epochs, int batch, String gpuType, int gpus, boolean spot, Instant start) {
        String type = gpuType == null ? "H100" : gpuType;
        long seconds = 600L * epochs;
        BigDecimal hourly = prices.current(start).gpuRate(type).multiply(BigDecimal.valueOf(gpus));
        BigDecimal cost = hourly.multiply(BigDecimal.valueOf(seconds)).divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_EVEN);
        return Optional.of(new Estimator.Estimate(type, seconds, new Money(cost, prices.currency()), "test: 600 s/epoch"));
    }

    private Optional<BudgetStatus> budget(String team) {
        BigDecimal limit = budgetLimit.get(team);
        if (limit == null) {
            return Optional.empty();
        }
        List<QueuedJob> active = queueStore.read(c -> queueStore.inStates(c, JobState.SCHEDULED, JobState.RUNNING, JobState.PREEMPTED));
        BigDecimal committed = BigDecimal.valueOf(JobQueue.committedMicros(active, j -> j.team().equals(team), clock.instant()), 6);
        BigDecimal remaining = limit.subtract(committed);
        return Optional.of(new BudgetStatus(team, Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, T0, T0.plus(Duration.ofDays(30)), limit,
                BigDecimal.ZERO, committed, BigDecimal.ZERO, committed, remaining, committed.multiply(BigDecimal.valueOf(100))
                .divide(limit, 2, RoundingMode.HALF_EVEN), BudgetState.OK, BudgetState.OK, List.of()));
    }

    /** A TrainingJob to apply: {@code epochs} of mnist at batch size 64 on one H100. */
    static TrainingJob trainingJob(String namespace, String name, int epochs) {
        TrainingJob tj = new TrainingJob();
        tj.getMetadata().setNamespace(namespace);
        tj.getMetadata().setName(name);
        tj.getSpec().setModel("mnist");
        tj.getSpec().setEpochs(epochs);
        tj.getSpec().setBatchSize(64);
        tj.getSpec().setGpuType("H100");
        tj.getSpec().setGpuCount(1);
        return tj;
    }

    TrainingJob get(String namespace, String name) {
        return client.resources(TrainingJob.class).inNamespace(namespace).withName(name).get();
    }

    /** Resyncs and reconciles until {@code condition} holds (the informer delivers its events on its own threads). */
    void reconcileUntil(BooleanSupplier condition) {
        await(() -> {
            controller.pass();
            controller.resync();
            controller.drain();
            return condition.getAsBoolean();
        });
    }

    QueuedJob job(String id) {
        return queueStore.read(c -> queueStore.find(c, id)).orElseThrow();
    }

    List<QueuedJob> jobs() {
        return queueStore.read(c -> queueStore.inStates(c, JobState.values()));
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
            Pod pod = new PodBuilder().withNewMetadata().withNamespace(ns).withName(name + "-pod").withLabels(t.getMetadata().getLabels())
                    .addToLabels("batch.kubernetes.io/job-name", name).endMetadata()
                    .withSpec(t.getSpec()).editSpec().withNodeName(t.getSpec().getNodeSelector().get(KubeNames.LABEL_HOSTNAME)).endSpec()
                    .withNewStatus().withPhase("Running").withStartTime(clock.instant().toString()).endStatus().build();
            client.resource(pod).create();
        }
        await(() -> index.pods().size() == client.pods().inAnyNamespace().list().getItems().size());
    }

    /** Completes a job's current attempt: Job condition Complete, pod Succeeded. */
    void finish(String jobId) {
        QueuedJob j = job(jobId);
        Job kube = client.batch().v1().jobs().inNamespace(j.team()).withName(j.kubeName()).get();
        String at = clock.instant().toString();
        client.resource(new JobBuilder(kube).editOrNewStatus().withCompletionTime(at).addNewCondition().withType("Complete")
                .withStatus("True").withLastTransitionTime(at).endCondition().endStatus().build()).updateStatus();
        Pod pod = client.pods().inNamespace(j.team()).withName(j.kubeName() + "-pod").get();
        client.resource(new PodBuilder(pod).editStatus().withPhase("Succeeded").endStatus().build()).updateStatus();
        await(() -> index.pods().stream().anyMatch(p -> p.getMetadata().getName().equals(j.kubeName() + "-pod")
                && "Succeeded".equals(p.getStatus().getPhase()))
                && index.jobs().stream().anyMatch(x -> x.getMetadata().getName().equals(j.kubeName()) && x.getStatus() != null
                && x.getStatus().getCompletionTime() != null));
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

    @Override
    public void close() {
        controller.close();
        index.close();
        mock.close();
        store.close();
    }
}

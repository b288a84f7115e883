package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Tool;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobState;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.Priority;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueueRequest;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.queue.Reason;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceQuotaBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue rule 13 on the sandbox, in one process at --sandbox-speed 60: a 16-GPU H100 job submitted
 * through queue_training_job waits, all or nothing, while one of the two 8-GPU H100 nodes holds the
 * seeded 4-GPU job, then runs as one Indexed Job of two pods, one on each H100 node, and succeeds
 * when both do; only index 0 logs the run, and the ledger bills both pods.
 */
class MultiNodeSandboxTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config"));
    static final Instant START = Instant.parse("2026-11-25T10:00:00Z");

    @TempDir
    Path dir;

    @Test
    void queueRule13_aSixteenGpuJobRunsOnTwoEightGpuNodesOfTheSandboxThroughQueueTrainingJob() throws Exception {
        MutableClock wall = new MutableClock(START);
        PriceBook prices = PricingConfig.load(CONFIG.resolve("pricing.yaml"));
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, Files.createDirectories(dir.resolve("data")), 60, wall).start();
             ClusterIndex index = new ClusterIndex(sandbox.clock());
             Store store = Store.sqlite(Files.createDirectories(dir.resolve("store")))) {
            KubernetesClient client = sandbox.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);
            // a cluster admin raises team-a's GPU quota to hold 16 more than the seeded job's 4
            client.resourceQuotas().inNamespace("team-a").withName("trainops-quota").edit(q -> new ResourceQuotaBuilder(q).editSpec()
                    .addToHard("requests.nvidia.com/gpu", new Quantity("24")).endSpec().build());
            index.start(client);
            assertThat(index.awaitSynced(Duration.ofSeconds(30))).isTrue();
            QueueStore queueStore = new QueueStore(store, sandbox.clock());
            JobTemplates templates = JobTemplates.load(CONFIG.resolve("jobs.yaml"));
            Estimator estimator = (m, e, b, t, g, s, at) -> Optional.of(new Estimator.Estimate("H100", 2400, Money.of("1.00", "USD"), "test"));
            JobQueue queue = new JobQueue(queueStore, index, JobQueue.kubernetes(client, PriorityConfig.defaults(), templates,
                    prices.spotNodes()), PriorityConfig.defaults(), QuotaConfig.defaults(), templates, team -> Optional.empty(),
                    sandbox.utilization(), prices, sandbox.clock(), estimator, QueueEvents.NONE);
            Ledger ledger = new Ledger(store, prices, sandbox.clock());
            UsageRecorder recorder = new UsageRecorder(new ClusterUsage(index, prices.spotNodes()), ledger, prices, sandbox.clock());

            QueueAnswer big = submit(queue, "llm-16", 16);
            String id = big.jobId();
            // the seeded llm-pretrain-7 holds 4 GPUs of gpu-h100-0 (the sandbox clock moves only with the wall clock here)
            assertThat(big.state()).isEqualTo(JobState.QUEUED);
            assertThat(big.reason()).isEqualTo(Reason.NO_CAPACITY);
            assertThat(big.reasonDetail()).contains("Needs 2 whole free H100 nodes (8 GPUs each, 16 in all; all or nothing), 1 free "
                    + "(gpu-h100-1) of 2.");
            Map<String, String> nodeOfIndex = new HashMap<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            QueuedJob j = job(queueStore, id);
            while (!j.state().terminal() && System.nanoTime() < deadline) {
                wall.advance(Duration.ofSeconds(30)); // 30 min of sandbox time
                sandbox.kubeletTick();
                awaitIndexed(client, index);
                queue.pass();
                recorder.recordOnce();
                j = job(queueStore, id);
                if (j.state() == JobState.QUEUED) {
                    assertThat(index.podsOfJob(id)).as("nothing runs before both nodes are whole").isEmpty();
                }
                for (Pod p : index.podsOfJob(id)) {
                    if (p.getSpec().getNodeName() != null) {
                        nodeOfIndex.put(p.getMetadata().getAnnotations().get(JobController.COMPLETION_INDEX), p.getSpec().getNodeName());
                    }
                }
            }
            assertThat(j.state()).as("the 16-GPU job finished: %s", j).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.nodes()).containsExactlyInAnyOrder("gpu-h100-0", "gpu-h100-1");
            assertThat(nodeOfIndex).containsOnlyKeys("0", "1");
            assertThat(nodeOfIndex.values()).containsExactlyInAnyOrder("gpu-h100-0", "gpu-h100-1");
            Job kube = client.batch().v1().jobs().inNamespace("team-a").withName(j.kubeName()).get();
            assertThat(kube.getSpec().getCompletionMode()).isEqualTo("Indexed");
            assertThat(kube.getStatus().getSucceeded()).isEqualTo(2);

            // one run, logged by index 0, finished
            List<RunStore.Run> runs = sandbox.runs().runs().stream().filter(r -> r.runName().equals("llm-16")).toList();
            assertThat(runs).singleElement().satisfies(r -> assertThat(r.status()).isEqualTo("FINISHED"));
            // both pods are billed
            recorder.recordOnce();
            List<Ledger.Booked> billed = ledger.between(START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(30)), "team-a").stream()
                    .filter(b -> "llm-16".equals(b.runName())).toList();
            assertThat(billed.stream().map(b -> b.slice().jobId()).distinct()).hasSize(2);
        }
    }

    @SuppressWarnings("unchecked")
    private static QueueAnswer submit(JobQueue queue, String run, int gpus) {
        Tool<QueueRequest, QueueAnswer> tool = (Tool<QueueRequest, QueueAnswer>) JobQueue.tools(() -> queue).stream()
                .filter(t -> t.name().equals("queue_training_job")).findFirst().orElseThrow();
        return tool.handler().apply(new QueueRequest("llm", run, "team-a", 4, 64, Priority.NORMAL, gpus, "H100", null, null, null, null,
                null), CallContext.NONE);
    }

    private static QueuedJob job(QueueStore store, String id) {
        return store.read(c -> store.find(c, id)).orElseThrow();
    }

    /** Waits (bounded) until the informers hold what the API server holds, pod phases included. */
    private static void awaitIndexed(KubernetesClient client, ClusterIndex index) throws InterruptedException {
        SandboxClusterTest.await(() -> {
            List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
            return index.pods().size() == pods.size() && pods.stream().allMatch(p -> index.pods().stream().anyMatch(x ->
                    x.getMetadata().getName().equals(p.getMetadata().getName())
                            && String.valueOf(x.getStatus().getPhase()).equals(String.valueOf(p.getStatus().getPhase()))))
                    && index.jobs().size() == client.batch().v1().jobs().inAnyNamespace().list().getItems().size();
        });
    }
}

package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Tool;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.SpotInterruptions;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobTemplates;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Priority;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueueRequest;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.queue.Reason;
import dev.trainops.report.CostReport;
import dev.trainops.report.CostReportRequest;
import dev.trainops.report.CostReports;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spot for real on the sandbox, in one process: the production queue, launcher, usage recorder and
 * cost report over the sandbox cluster, its spot node reclaimed at 3 interruptions an hour (the
 * config's 5% would rarely show one in a test). A spot job runs on the spot node only, is
 * interrupted, goes back to the queue as PREEMPTED (spot interruption), resumes its run from its
 * last checkpoint until it finishes, is billed at the spot rate only, and the cost report shows
 * what the interruptions wasted (cost rule 4). An on-demand job never lands on the spot node.
 */
class SpotSandboxTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config"));
    static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
    static final String SPOT_NODE = "gpu-h100-spot-0";

    @TempDir
    Path dir;

    @Test
    void costRule4_aSpotJobRunsOnSpotIsInterruptedResumesAndItsWasteIsReported() throws Exception {
        // 4 reclaims an hour against a job of 12 epochs of ~10 min: the first attempt is reclaimed with
        // probability 1 - e^-8.3 (the draw depends on the pod's name, which holds the random job id)
        Path config = copyConfig(dir.resolve("config"), "4.0");
        MutableClock wall = new MutableClock(START);
        PriceBook prices = PricingConfig.load(config.resolve("pricing.yaml"));
        try (SandboxCluster sandbox = new SandboxCluster(config, Files.createDirectories(dir.resolve("data")), 1, wall).start();
             ClusterIndex index = new ClusterIndex(wall);
             Store store = Store.sqlite(Files.createDirectories(dir.resolve("store")))) {
            KubernetesClient client = sandbox.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);
            index.start(client);
            assertThat(index.awaitSynced(Duration.ofSeconds(30))).isTrue();
            QueueStore queueStore = new QueueStore(store, wall);
            JobTemplates templates = JobTemplates.load(Path.of("../config/jobs.yaml"));
            JobQueue queue = new JobQueue(queueStore, index, JobQueue.kubernetes(client, PriorityConfig.defaults(), templates,
                    prices.spotNodes()), PriorityConfig.defaults(), QuotaConfig.defaults(), templates, team -> Optional.empty(), sandbox.utilization(),
                    prices, wall, (m, e, b, t, g, s, at) -> Optional.of(new dev.trainops.queue.Estimator.Estimate("H100", 2400,
                            Money.of("1.00", "USD"), "test")), QueueEvents.NONE);
            Ledger ledger = new Ledger(store, prices, wall);
            UsageRecorder recorder = new UsageRecorder(new ClusterUsage(index, prices.spotNodes()), ledger, prices, wall);

            QueueAnswer spot = submit(queue, "spot-llm", true);
            QueueAnswer onDemand = submit(queue, "od-llm", false);
            String spotId = spot.jobId();
            assertThat(job(queueStore, spotId).node()).isEqualTo(SPOT_NODE);
            assertThat(job(queueStore, onDemand.jobId()).node()).isNotEqualTo(SPOT_NODE).startsWith("gpu-h100-");

            List<String> spotDetails = new ArrayList<>();
            List<String> podNodes = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
            QueuedJob j = job(queueStore, spotId);
            while (!j.state().terminal() && System.nanoTime() < deadline) {
                wall.advance(Duration.ofMinutes(1));
                sandbox.kubeletTick();
                awaitIndexed(client, index);
                queue.pass();
                recorder.recordOnce();
                j = job(queueStore, spotId);
                if (j.reason() == Reason.PREEMPTED && j.reasonDetail().startsWith("Spot interruption")) {
                    spotDetails.add(j.reasonDetail());
                }
                index.podsOfJob(spotId).forEach(p -> podNodes.add(p.getSpec().getNodeName()));
                if (index.podsOfJob(onDemand.jobId()).stream().anyMatch(p -> SPOT_NODE.equals(p.getSpec().getNodeName()))) {
                    throw new AssertionError("the on-demand job landed on the spot node");
                }
            }
            assertThat(j.state()).as("the spot job finished: %s", j).isEqualTo(JobState.SUCCEEDED);
            assertThat(j.attempt()).as("interrupted at least once, then resumed").isGreaterThan(1);
            assertThat(spotDetails).isNotEmpty().allSatisfy(d -> assertThat(d).contains("resumes from its checkpoint"));
            assertThat(podNodes).isNotEmpty().containsOnly(SPOT_NODE);

            // it resumed: one run, every epoch logged once, finished
            RunStore.Run run = sandbox.runs().runs().stream().filter(r -> r.runName().equals("spot-llm")).collect(single());
            assertThat(run.status()).isEqualTo("FINISHED");
            assertThat(run.metrics().stream().filter(m -> m.key().equals("val_loss")).map(RunStore.Metric::step))
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 12).boxed().toList());

            // billed at the spot rate only; the waste is in the report and is part of what was billed
            recorder.recordOnce();
            List<Ledger.Booked> billed = ledger.between(START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(2)), "team-a").stream()
                    .filter(b -> "spot-llm".equals(b.runName())).toList();
            assertThat(billed).isNotEmpty().allSatisfy(b -> assertThat(b.slice().rateClass()).isEqualTo(RateClass.SPOT));
            List<SpotInterruptions.Interruption> lost = ledger.interruptions(START, START.plus(Duration.ofDays(1)), "team-a");
            assertThat(lost).hasSize(j.attempt() - 1).allSatisfy(i -> {
                assertThat(i.queueJobId()).isEqualTo(spotId);
                assertThat(i.node()).isEqualTo(SPOT_NODE);
                assertThat(i.lastCheckpoint()).isBeforeOrEqualTo(i.interruptedAt());
            });
            BigDecimal wasted = lost.stream().map(i -> i.wasted().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(wasted).isPositive();
            BigDecimal total = billed.stream().map(b -> b.slice().cost().amount()).reduce(BigDecimal.ZERO, BigDecimal::add);
            assertThat(wasted).isLessThan(total);
            CostReport report = new CostReports(ledger, prices.currency()).report(new CostReportRequest("2026-11-25", "2026-11-26", null, "team-a"));
            assertThat(report.spotWaste().interruptions()).isEqualTo(lost.size());
            assertThat(report.spotWaste().wastedCost()).isEqualByComparingTo(wasted);
        }
    }

    private static QueueAnswer submit(JobQueue queue, String run, boolean spot) {
        @SuppressWarnings("unchecked")
        Tool<QueueRequest, QueueAnswer> tool = (Tool<QueueRequest, QueueAnswer>) JobQueue.tools(() -> queue).stream()
                .filter(t -> t.name().equals("queue_training_job")).findFirst().orElseThrow();
        return tool.handler().apply(new QueueRequest("llm", run, "team-a", 12, 64, Priority.NORMAL, 1, "H100", null, spot, null, null, null),
                CallContext.NONE);
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

    private static java.util.stream.Collector<RunStore.Run, ?, RunStore.Run> single() {
        return java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(), l -> {
            assertThat(l).hasSize(1);
            return l.get(0);
        });
    }

    /** The repository's config, with the spot interruption rate set to {@code perHour}. */
    static Path copyConfig(Path to, String perHour) throws Exception {
        try (Stream<Path> files = Files.walk(CONFIG)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(CONFIG.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
        Path pricing = to.resolve("pricing.yaml");
        String text = Files.readString(pricing);
        assertThat(text).contains("interruptions_per_hour: \"0.05\"");
        Files.writeString(pricing, text.replace("interruptions_per_hour: \"0.05\"", "interruptions_per_hour: \"" + perHour + "\""));
        return to;
    }
}

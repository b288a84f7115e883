package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.RateClass;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 3, item 10: the same deferrable workload on the sandbox, once started at 10:00 and once
 * deferred to 22:00, billed by the real usage recorder into the ledger. The workload is an LLM
 * sweep of three 4-GPU H100 jobs of 200 epochs (about 10.8 h each on the sandbox's timings), so
 * the night run fills the 8-hour window and spills past 06:00: what a real overnight batch does.
 */
class OffPeakSavingsTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config"));

    @TempDir
    Path dir;

    record Bill(Money total, Map<RateClass, Long> seconds) {
    }

    Bill runWorkload(Instant submitAt, String name) throws Exception {
        MutableClock wall = new MutableClock(submitAt);
        Path dataDir = Files.createDirectories(dir.resolve(name));
        PriceBook prices = PricingConfig.load(CONFIG.resolve("pricing.yaml"));
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start();
             ClusterIndex index = new ClusterIndex(wall)) {
            KubernetesClient client = sandbox.seeded().get(SandboxClusterTest.SEEDED_WITHIN_S, TimeUnit.SECONDS);
            index.start(client);
            assertThat(index.awaitSynced(Duration.ofSeconds(30))).isTrue();
            for (int i = 0; i < 3; i++) {
                client.resource(new JobBuilder().withNewMetadata().withNamespace("team-a").withName("sweep-" + i).endMetadata()
                        .withNewSpec().withBackoffLimit(0).withNewTemplate()
                        .withNewMetadata().addToLabels(KubeNames.LABEL_MODEL, "llm").addToLabels(KubeNames.LABEL_RUN_NAME, "sweep-" + i)
                        .addToLabels(KubeNames.LABEL_TEAM, "team-a").addToAnnotations(KubeNames.ANNOTATION_EPOCHS, "200").endMetadata()
                        .withNewSpec().withRestartPolicy("Never").addToNodeSelector(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-H100-80GB-HBM3")
                        .addNewToleration().withKey(KubeNames.GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").endToleration()
                        .addNewContainer().withName("train").withImage("trainer:1").withNewResources()
                        .addToLimits("nvidia.com/gpu", new Quantity("4")).endResources().endContainer().endSpec()
                        .endTemplate().endSpec().build()).create();
            }
            SandboxClusterTest.await(() -> client.pods().inNamespace("team-a").list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("sweep-") && "Running".equals(p.getStatus().getPhase())).count() == 3);
            wall.advance(Duration.ofHours(14));
            SandboxClusterTest.await(() -> index.pods().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("sweep-") && "Succeeded".equals(p.getStatus().getPhase())).count() == 3);
            Ledger ledger = new Ledger(Store.sqlite(dataDir), prices, wall);
            new UsageRecorder(new ClusterUsage(index), ledger, wall).recordOnce();
            Money total = Money.zero(prices.currency());
            Map<RateClass, Long> seconds = new TreeMap<>();
            for (Ledger.Booked b : ledger.between(submitAt.minus(Duration.ofDays(1)), submitAt.plus(Duration.ofDays(1)), "team-a")) {
                if (b.runName() != null && b.runName().startsWith("sweep-")) {
                    total = total.plus(b.slice().cost());
                    seconds.merge(b.slice().rateClass(), b.slice().seconds(), Long::sum);
                }
            }
            return new Bill(total, seconds);
        }
    }

    @Test
    void deferringTheWorkloadToOffPeakSavesThirtyToFortyPercent() throws Exception {
        Bill day = runWorkload(Instant.parse("2026-12-01T10:00:00Z"), "day");
        Bill night = runWorkload(Instant.parse("2026-12-01T22:00:00Z"), "night");
        BigDecimal saving = BigDecimal.ONE.subtract(night.total().amount().divide(day.total().amount(), 6, RoundingMode.HALF_EVEN));
        System.out.printf("off-peak saving on the sandbox: day %s (%s), night %s (%s): %.1f%%%n", day.total().display(), day.seconds(),
                night.total().display(), night.seconds(), saving.doubleValue() * 100);

        assertThat(day.seconds()).containsOnlyKeys(RateClass.PEAK);
        assertThat(night.seconds()).containsKeys(RateClass.OFF_PEAK, RateClass.PEAK);
        // the same work: the same GPU-seconds, only the rate differs
        assertThat(night.seconds().values().stream().mapToLong(Long::longValue).sum())
                .isEqualTo(day.seconds().values().stream().mapToLong(Long::longValue).sum());
        // three jobs fill the whole window: 3 x 8 h off-peak
        assertThat(night.seconds().get(RateClass.OFF_PEAK)).isEqualTo(3 * 8 * 3600L);
        assertThat(saving).isBetween(new BigDecimal("0.30"), new BigDecimal("0.40"));
        List<Bill> both = List.of(day, night);
        assertThat(both).allSatisfy(b -> assertThat(b.total().amount().scale()).isEqualTo(6));
    }
}

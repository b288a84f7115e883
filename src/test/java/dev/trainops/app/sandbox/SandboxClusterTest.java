package dev.trainops.app.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxClusterTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config"));
    static final Instant START = Instant.parse("2026-11-28T10:00:00Z");
    /** A bound on the wait for seeding, not a claim about its speed: the first start in a JVM on a loaded 2-core machine took over 30 s. */
    static final long SEEDED_WITHIN_S = 120;

    @TempDir
    Path dataDir;

    final MutableClock wall = new MutableClock(START);

    @Test
    void seededJobsRunOnNodesWithRoomThenFinishAndLogTheirEpochs() throws Exception {
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SEEDED_WITHIN_S, TimeUnit.SECONDS);

            List<Pod> pods = client.pods().inAnyNamespace().list().getItems();
            assertThat(pods).hasSize(4).allSatisfy(p -> {
                assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                assertThat(p.getMetadata().getAnnotations()).containsKey(KubeNames.ANNOTATION_EXPECTED_END);
            });
            assertThat(pods).anySatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-a100-mig-0"));
            assertThat(pods).anySatisfy(p -> assertThat(p.getSpec().getNodeName()).isEqualTo("gpu-t4-shared-0"));
            assertThat(sandbox.utilization().nodePercent("gpu-h100-0")).isPresent();

            wall.advance(Duration.ofHours(6));
            await(() -> client.batch().v1().jobs().inAnyNamespace().list().getItems().stream().allMatch(SandboxClusterTest::complete));

            assertThat(client.pods().inAnyNamespace().list().getItems()).allSatisfy(p ->
                    assertThat(p.getStatus().getPhase()).isEqualTo("Succeeded"));
            RunStore.Run llm = sandbox.runs().runs().stream().filter(r -> r.runName().equals("llm-pretrain-7")).findFirst().orElseThrow();
            assertThat(llm.status()).isEqualTo("FINISHED");
            assertThat(llm.params()).containsEntry("gpu_type", "H100").containsEntry("gpu_count", "4").containsEntry("epochs", "8");
            assertThat(llm.metrics().stream().filter(m -> m.key().equals("val_loss")).map(RunStore.Metric::step))
                    .containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L);
            assertThat(llm.metrics()).anySatisfy(m -> assertThat(m.key()).isEqualTo("system/gpu_0_utilization_percentage"));
            long firstEpochEnd = llm.metrics().stream().filter(m -> m.step() == 1).findFirst().orElseThrow().timestamp();
            assertThat(firstEpochEnd).isGreaterThan(llm.startTime());
            assertThat(llm.endTime()).isGreaterThanOrEqualTo(firstEpochEnd);
        }
    }

    @Test
    void neverBindsBeyondTheFreeGpusOfANode() throws Exception {
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SEEDED_WITHIN_S, TimeUnit.SECONDS);
            for (int i = 0; i < 5; i++) {
                client.resource(job("team-a", "big-" + i, "nvidia.com/gpu", 8, "NVIDIA-H100-80GB-HBM3")).create();
            }
            for (int i = 0; i < 10; i++) {
                client.resource(job("team-b", "slice-" + i, "nvidia.com/mig-3g.40gb", 1, "NVIDIA-A100-SXM4-80GB")).create();
            }
            await(() -> client.pods().inAnyNamespace().list().getItems().size() == 4 + 15);
            Thread.sleep(1000); // a few more kubelet passes

            Map<String, Long> held = new HashMap<>();
            for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
                if (PodResources.holdsResources(p)) {
                    PodResources.gpuRequests(p).forEach((k, v) -> held.merge(p.getSpec().getNodeName() + " " + k, v, Long::sum));
                }
            }
            assertThat(held.get("gpu-h100-0 nvidia.com/gpu")).isLessThanOrEqualTo(8);
            assertThat(held.get("gpu-h100-1 nvidia.com/gpu")).isLessThanOrEqualTo(8);
            assertThat(held.get("gpu-a100-mig-0 nvidia.com/mig-3g.40gb")).isEqualTo(2);
            long bigRunning = client.pods().inNamespace("team-a").list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("big-") && PodResources.holdsResources(p)).count();
            assertThat(bigRunning).isEqualTo(1);
        }
    }

    @Test
    void aPodLandsOnATaintedGpuNodeOnlyWhenItToleratesTheTaintAndItsClaimExists() throws Exception {
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SEEDED_WITHIN_S, TimeUnit.SECONDS);
            // created before the one that runs: the pass that binds it has seen their pods too
            client.resource(new JobBuilder(job("team-c", "untolerated", "nvidia.com/gpu", 1, "NVIDIA-L4")).editSpec().editTemplate()
                    .editSpec().withTolerations().endSpec().endTemplate().endSpec().build()).create();
            client.resource(withClaim(job("team-c", "no-claim", "nvidia.com/gpu", 1, "NVIDIA-L4"), "missing")).create();
            client.resource(withClaim(job("team-c", "with-claim", "nvidia.com/gpu", 1, "NVIDIA-L4"), "trainops-checkpoints")).create();
            await(() -> client.pods().inNamespace("team-c").list().getItems().stream()
                    .anyMatch(p -> p.getMetadata().getName().startsWith("with-claim") && "Running".equals(p.getStatus().getPhase())));
            Thread.sleep(1000); // a few more scheduler passes

            List<Pod> refused = client.pods().inNamespace("team-c").list().getItems().stream()
                    .filter(p -> p.getMetadata().getName().startsWith("untolerated") || p.getMetadata().getName().startsWith("no-claim")).toList();
            assertThat(refused).hasSize(2).allSatisfy(p -> {
                assertThat(p.getSpec().getNodeName()).as(p.getMetadata().getName()).isNull();
                assertThat(p.getStatus().getPhase()).isEqualTo("Pending");
            });
            assertThat(client.persistentVolumeClaims().inAnyNamespace().list().getItems())
                    .extracting(c -> c.getMetadata().getNamespace() + "/" + c.getMetadata().getName())
                    .containsExactlyInAnyOrder("team-a/trainops-checkpoints", "team-b/trainops-checkpoints", "team-c/trainops-checkpoints");
        }
    }

    static Job withClaim(Job job, String claim) {
        return new JobBuilder(job).editSpec().editTemplate().editSpec().addNewVolume().withName("checkpoints")
                .withNewPersistentVolumeClaim().withClaimName(claim).endPersistentVolumeClaim().endVolume()
                .editFirstContainer().addNewVolumeMount().withName("checkpoints").withMountPath("/checkpoints").endVolumeMount()
                .endContainer().endSpec().endTemplate().endSpec().build();
    }

    @Test
    void aRestartOnTheSameDataDirectoryContinuesWhereItStopped() throws Exception {
        Map<String, String> before = new HashMap<>();
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SEEDED_WITHIN_S, TimeUnit.SECONDS);
            client.resource(job("team-c", "queued-big", "nvidia.com/gpu", 8, "NVIDIA-L4")).create();
            await(() -> client.pods().inNamespace("team-c").list().getItems().size() == 2);
            for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
                before.put(p.getMetadata().getName(), p.getStatus().getPhase() + "@" + p.getSpec().getNodeName());
            }
        }
        wall.advance(Duration.ofMinutes(1));
        try (SandboxCluster sandbox = new SandboxCluster(CONFIG, dataDir, 1, wall).start()) {
            KubernetesClient client = sandbox.seeded().get(SEEDED_WITHIN_S, TimeUnit.SECONDS);
            Map<String, String> after = new HashMap<>();
            for (Pod p : client.pods().inAnyNamespace().list().getItems()) {
                after.put(p.getMetadata().getName(), p.getStatus().getPhase() + "@" + p.getSpec().getNodeName());
            }
            assertThat(after).isEqualTo(before);
            assertThat(before).containsValue("Pending@null");
            assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).hasSize(5);
        }
    }

    static Job job(String ns, String name, String resource, int count, String product) {
        return new JobBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata()
                .withNewSpec().withBackoffLimit(0).withNewTemplate()
                .withNewMetadata().addToLabels(KubeNames.LABEL_MODEL, "llm").addToLabels(KubeNames.LABEL_RUN_NAME, name)
                .addToAnnotations(KubeNames.ANNOTATION_EPOCHS, "2").endMetadata()
                .withNewSpec().withRestartPolicy("Never").addToNodeSelector(KubeNames.LABEL_GPU_PRODUCT, product)
                .addNewToleration().withKey(KubeNames.GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("train").withImage("trainer:1").withNewResources()
                .addToLimits(resource, new io.fabric8.kubernetes.api.model.Quantity(Integer.toString(count)))
                .endResources().endContainer().endSpec()
                .endTemplate().endSpec().build();
    }

    static boolean complete(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null
                && job.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Complete"));
    }

    static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20 s");
            }
            Thread.sleep(50);
        }
    }
}

package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static dev.trainops.testing.ClusterFixtures.migMixedNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import dev.trainops.testing.ClusterFixtures;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MIG slices through the queue on a mock API server (docs/queue.md, "MIG slices"): a job asks for
 * {@code mig_profile} next to {@code gpu_type}, is placed in its profile's pool on a node under MIG
 * strategy mixed or single, and its Job requests {@code nvidia.com/mig-<profile>} (or, under single,
 * {@code nvidia.com/gpu}) with limit = request; slices held by other pods count; a profile no node
 * offers, or more slices than a node has, is refused at submission.
 */
class MigQueueTest {
    @TempDir
    Path dir;
    CrudMockServer mock;
    KubernetesClient client;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        mock = new CrudMockServer();
        client = mock.client();
        client.resource(migMixedNode("a100-mig", 7, 2)).create();
        client.resource(gpuNode("a100-whole", "NVIDIA-A100-SXM4-80GB", 81920, 8)).create();
        // an A100 40GB node under MIG strategy single: every GPU cut into 1g.5gb, advertised as nvidia.com/gpu
        client.resource(ClusterFixtures.node("a100-single", Map.of(
                KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
                KubeNames.LABEL_GPU_MEMORY_MIB, "40960",
                KubeNames.LABEL_GPU_COUNT, "1",
                KubeNames.LABEL_MIG_STRATEGY, "single"), Map.of(KubeNames.GPU_RESOURCE, 7))).create();
        q = new QueueHarness(client, Store.sqlite(dir), Scheduler.Settings.defaults());
        q.quota("team-a", 16);
    }

    @AfterEach
    void close() {
        q.close();
        mock.close();
    }

    @Test
    void aMigJobIsPlacedInItsProfilesPoolAndItsJobRequestsThatProfileWithLimitEqualToRequest() {
        QueueAnswer a = q.service.submit(request("mig-run", "A100-80GB", "1g.10gb", 2));
        QueuedJob job = q.job(a.jobId());
        assertThat(job.node()).isEqualTo("a100-mig");
        assertThat(job.migProfile()).isEqualTo("1g.10gb");
        var resources = kubeJob(job).getSpec().getTemplate().getSpec().getContainers().get(0).getResources();
        assertThat(resources.getRequests()).containsEntry("nvidia.com/mig-1g.10gb", new Quantity("2")).doesNotContainKey(KubeNames.GPU_RESOURCE);
        assertThat(resources.getLimits()).containsEntry("nvidia.com/mig-1g.10gb", new Quantity("2"));
        // the profile stays trainops's own: no PARAM_ env for it
        assertThat(kubeJob(job).getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
                .noneMatch(e -> e.getName().startsWith("PARAM_TRAINOPS"));

        // the profile as GPU Feature Discovery writes it, in gpu_type: the 3g.40gb pool
        QueueAnswer b = q.service.submit(request("mig-3g", "A100-80GB-MIG-3g.40gb", null, 1));
        assertThat(q.job(b.jobId()).node()).isEqualTo("a100-mig");
        assertThat(kubeJob(q.job(b.jobId())).getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                .containsEntry("nvidia.com/mig-3g.40gb", new Quantity("1"));

        // a whole-GPU job of the same type goes to the whole-GPU node, never onto slices
        QueueAnswer whole = q.service.submit(request("whole", "A100-80GB", null, 1));
        assertThat(q.job(whole.jobId()).node()).isEqualTo("a100-whole");
    }

    @Test
    void underMigStrategySingleTheSlicesAreNvidiaGpuAndOnlyMigJobsOfThatProfileGoThere() {
        QueueAnswer a = q.service.submit(request("single", null, "1g.5gb", 3));
        QueuedJob job = q.job(a.jobId());
        assertThat(job.gpuType()).isEqualTo("A100-40GB"); // the one type whose nodes offer 1g.5gb
        assertThat(job.node()).isEqualTo("a100-single");
        assertThat(kubeJob(job).getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                .containsEntry(KubeNames.GPU_RESOURCE, new Quantity("3"));
        // 7 slices are not a whole A100 40GB
        assertThatThrownBy(() -> q.service.submit(request("whole-40", "A100-40GB", null, 1)))
                .isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY));
    }

    @Test
    void slicesHeldByOtherPodsCountAndAJobWaitsForItsProfileOnly() {
        client.resource(ClusterFixtures.runningPod("team-b", "outside", "a100-mig", "nvidia.com/mig-1g.10gb", 6, null)).create();
        q.awaitIndex();
        QueueAnswer two = q.service.submit(request("two-1g", "A100-80GB", "1g.10gb", 2));
        assertThat(q.job(two.jobId()).state()).isEqualTo(JobState.QUEUED);
        assertThat(q.job(two.jobId()).reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(q.job(two.jobId()).reasonDetail()).contains("MIG 1g.10gb").contains("1 free in all");
        QueueAnswer one3g = q.service.submit(request("one-3g", "A100-80GB", "3g.40gb", 1));
        assertThat(q.job(one3g.jobId()).node()).isEqualTo("a100-mig");
    }

    @Test
    void queueRule5_aProfileNoNodeOffersOrMoreSlicesThanANodeHasIsRefusedAtSubmission() {
        assertThatThrownBy(() -> q.service.submit(request("big", "A100-80GB", "1g.10gb", 8)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("8 A100-80GB MIG 1g.10gb slices").contains("the largest has 7 (a100-mig)");
                });
        assertThatThrownBy(() -> q.service.submit(request("none", "A100-80GB", "2g.20gb", 1)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("No node in the cluster offers MIG 2g.20gb slices of A100-80GB");
                    assertThat(e.hint()).contains("A100-80GB 1g.10gb").contains("A100-80GB 3g.40gb").contains("A100-40GB 1g.5gb");
                });
        assertThatThrownBy(() -> q.service.submit(request("bad", "A100-80GB", "one-slice", 1)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("mig_profile");
                });
        java.util.List<QueuedJob> stored = q.queue.read(c -> q.queue.inStates(c, JobState.QUEUED, JobState.SCHEDULED));
        assertThat(stored).isEmpty();
    }

    @Test
    void aDryRunAndValidateJobResourcesAnswerForTheProfile() {
        QueueAnswer dry = q.service.submit(new QueueRequest("mnist", "dry", "team-a", 2, 32, Priority.NORMAL, 1, "A100-80GB", null, null, null,
                null, null, true, "1g.10gb"));
        assertThat(dry.jobManifest()).isNotNull();
        assertThat(dry.jobManifest().toString()).contains("nvidia.com/mig-1g.10gb=1");

        Estimator estimator = new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, int gpus, boolean spot, Instant start) {
                return q.estimate(model, epochs, batch, type, gpus, spot, start);
            }

            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, String mig, int gpus, boolean spot, Instant start) {
                return q.estimate(model, epochs, batch, type, gpus, spot, start);
            }
        };
        PlanningService planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index,
                q::budgetStatus, q.prices, q.clock, estimator, q.footprints(), q.dryRun);
        Validation v = planning.validate(new ValidateRequest("mnist", 2, 32, 3, "A100-80GB", "team-a", true, "1g.10gb"));
        assertThat(v.feasible()).isTrue();
        assertThat(v.fitsOn()).containsExactly("a100-mig");
        assertThat(v.jobManifest().toString()).contains("nvidia.com/mig-1g.10gb=3");
        Validation tooBig = planning.validate(new ValidateRequest("mnist", 2, 32, 3, "A100-80GB", "team-a", false, "3g.40gb"));
        assertThat(tooBig.feasible()).isFalse();
    }

    private static QueueRequest request(String run, String gpuType, String migProfile, int slices) {
        return new QueueRequest("mnist", run, "team-a", 2, 32, Priority.NORMAL, slices, gpuType, null, null, null, null, null, null, migProfile);
    }

    private Job kubeJob(QueuedJob j) {
        return client.batch().v1().jobs().inNamespace(j.team()).withName(j.kubeName()).get();
    }
}

package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Jobs the queue creates come from config/jobs.yaml (docs/queue.md, "Job templates"), read back
 * from the fabric8 mock API server; a dry run answers with the same Job and writes nothing.
 */
class JobTemplateLaunchTest {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    KubernetesClient client;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        cluster = new MockQueueCluster(Store.sqlite(dir), List.of(MockQueueCluster.h100("h100-a"))).quota("team-a", 8);
        q = cluster.q;
        client = q.client;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    static QueueRequest llm(Map<String, String> params, Boolean dryRun) {
        return new QueueRequest("llm", "llm-lr1e-4", "team-a", 3, 64, Priority.NORMAL, 2, "H100", params, null, null, null, null, dryRun);
    }

    static Map<String, String> env(Container c) {
        return c.getEnv().stream().filter(e -> e.getValue() != null).collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
    }

    @Test
    void anAdmittedJobRunsTheModelsTemplateWithItsImageArgsEnvTolerationsAndCheckpointVolume() {
        QueueAnswer a = q.service.submit(llm(Map.of("learning_rate", "1e-4"), null));
        assertThat(a.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(a.jobManifest()).isNull();

        Job job = client.batch().v1().jobs().inNamespace("team-a").withName(q.job(a.jobId()).kubeName()).get();
        PodSpec pod = job.getSpec().getTemplate().getSpec();
        Container train = pod.getContainers().get(0);
        assertThat(train.getImage()).isEqualTo("ghcr.io/trainops/llm-trainer:latest");
        assertThat(train.getArgs()).containsExactly("--model", "llm", "--epochs", "3", "--batch-size", "64", "--run-name", "llm-lr1e-4",
                "--checkpoint-dir", "/checkpoints/" + a.jobId(), "--lr", "1e-4");
        assertThat(env(train)).containsEntry("MLFLOW_RUN_NAME", "llm-lr1e-4").containsEntry("MLFLOW_EXPERIMENT_NAME", "llm")
                .containsEntry("TRAINOPS_JOB_ID", a.jobId()).containsEntry("TRAINOPS_CHECKPOINT_DIR", "/checkpoints/" + a.jobId())
                .containsEntry("TRAINOPS_MODEL_ARTIFACT_DIR", "/checkpoints/models/llm-lr1e-4").containsEntry("PYTHONUNBUFFERED", "1")
                .doesNotContainKey("MLFLOW_TRACKING_URI");
        assertThat(pod.getTolerations()).singleElement().satisfies(t -> {
            assertThat(t.getKey()).isEqualTo("nvidia.com/gpu");
            assertThat(t.getOperator()).isEqualTo("Exists");
            assertThat(t.getEffect()).isEqualTo("NoSchedule");
        });
        Volume checkpoints = pod.getVolumes().stream().filter(v -> v.getName().equals("checkpoints")).findFirst().orElseThrow();
        assertThat(checkpoints.getPersistentVolumeClaim().getClaimName()).isEqualTo("trainops-checkpoints");
        assertThat(train.getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getName()).isEqualTo("checkpoints");
            assertThat(m.getMountPath()).isEqualTo("/checkpoints");
        }).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/dev/shm"));
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(train.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        // trainops's own parts stay: PriorityClass, node, GPU limit = request, CPU and memory per GPU from the template, no retries
        assertThat(pod.getPriorityClassName()).isEqualTo("trainops-normal");
        assertThat(pod.getNodeSelector()).containsEntry(KubeNames.LABEL_HOSTNAME, "h100-a");
        assertThat(train.getResources().getLimits().get("nvidia.com/gpu")).isEqualTo(new Quantity("2"));
        assertThat(train.getResources().getRequests().get("nvidia.com/gpu")).isEqualTo(new Quantity("2"));
        assertThat(Quantity.getAmountInBytes(train.getResources().getRequests().get("cpu"))).isEqualByComparingTo(q.templates.cpuCores("llm", 2));
        assertThat(Quantity.getAmountInBytes(train.getResources().getRequests().get("memory")))
                .isEqualByComparingTo(q.templates.memoryGib("llm", 2).multiply(BigDecimal.valueOf(1L << 30)));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        // the harness estimates 600 s per epoch: 3 epochs x 2 + 1800 s slack
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(2 * 1800L + 1800);
        assertThat(job.getMetadata().getLabels()).containsEntry(KubeNames.LABEL_JOB_ID, a.jobId()).containsEntry(KubeNames.LABEL_TEAM, "team-a");
    }

    @Test
    void aModelWithoutATemplateRunsTheDefaultAndAModelWithoutHistoryGetsNoDeadline() {
        QueueAnswer a = q.service.submit(new QueueRequest("unknown-net", "u1", "team-a", 2, 32, Priority.NORMAL, 1, "H100", null, null,
                null, null, null));

        Job job = client.batch().v1().jobs().inNamespace("team-a").withName(q.job(a.jobId()).kubeName()).get();
        Container train = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(train.getImage()).isEqualTo("ghcr.io/trainops/trainer:latest");
        assertThat(train.getArgs()).doesNotContain("--lr", "--resume", "");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
    }

    @Test
    void aDryRunAnswersWithTheJobItWouldCreateAndWritesNothing() {
        QueueAnswer dry = q.service.submit(llm(Map.of(), true));

        java.util.Optional<QueuedJob> stored = q.queue.read(c -> q.queue.find(c, dry.jobId()));
        assertThat(stored).isEmpty();
        assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(dry.warnings()).anySatisfy(w -> assertThat(w).startsWith("Dry run: nothing was queued or created."));
        assertThat(dry.estimatedCost()).isPositive();
        Job manifest = new KubernetesSerialization().convertValue(dry.jobManifest(), Job.class);
        assertThat(manifest.getMetadata().getName()).isEqualTo(dry.jobId() + "-1");
        assertThat(manifest.getMetadata().getNamespace()).isEqualTo("team-a");
        Container train = manifest.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(train.getImage()).isEqualTo("ghcr.io/trainops/llm-trainer:latest");
        assertThat(train.getArgs()).contains("--lr", "3e-4");
        assertThat(manifest.getSpec().getTemplate().getSpec().getTolerations()).hasSize(1);
        assertThat(manifest.getSpec().getTemplate().getSpec().getNodeSelector()).doesNotContainKey(KubeNames.LABEL_HOSTNAME);

        // the same request for real creates the same Job, pinned to the node admission chose
        QueueAnswer real = q.service.submit(llm(Map.of(), null));
        Job created = client.batch().v1().jobs().inNamespace("team-a").withName(q.job(real.jobId()).kubeName()).get();
        Container createdTrain = created.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(createdTrain.getImage()).isEqualTo(train.getImage());
        assertThat(createdTrain.getResources()).isEqualTo(train.getResources());
        assertThat(created.getSpec().getTemplate().getSpec().getVolumes()).isEqualTo(manifest.getSpec().getTemplate().getSpec().getVolumes());
    }

    @Test
    void aDryRunAboveItsCapIsRefusedLikeTheRealSubmissionAndItsOptionsStayDryRuns() {
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("llm", "capped", "team-a", 10, 64, Priority.NORMAL, 1, "H100", null, null,
                null, "5.00", null, true)))
                .isInstanceOf(ToolException.class)
                .satisfies(e -> {
                    ToolException t = (ToolException) e;
                    assertThat(t.code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
                    @SuppressWarnings("unchecked")
                    var options = (java.util.List<Map<String, Object>>) t.details().get("options");
                    assertThat(options).isNotEmpty().allSatisfy(o -> assertThat(((Map<?, ?>) o.get("arguments")).get("dry_run")).isEqualTo(true));
                });
        assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
    }

    @Test
    void validateWithDryRunAnswersWithTheJobAndNeedsATeam() {
        PlanningService planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index,
                q::budgetStatus, q.prices, q.clock, q::estimate, q.footprints(), q.dryRun);

        Validation v = planning.validate(new ValidateRequest("mnist", 2, 32, 1, "H100", "team-a", true));
        assertThat(v.feasible()).isTrue();
        Job manifest = new KubernetesSerialization().convertValue(v.jobManifest(), Job.class);
        Container train = manifest.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(train.getImage()).isEqualTo("ghcr.io/trainops/trainer:latest");
        assertThat(train.getResources().getRequests()).containsEntry("cpu", new Quantity("4"));
        assertThat(manifest.getMetadata().getNamespace()).isEqualTo("team-a");
        assertThat(manifest.getSpec().getTemplate().getSpec().getPriorityClassName()).isEqualTo("trainops-normal");
        assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
        assertThat(planning.validate(new ValidateRequest("mnist", 2, 32, 1, "H100", "team-a")).jobManifest()).isNull();
        assertThatThrownBy(() -> planning.validate(new ValidateRequest("mnist", 2, 32, 1, "H100", null, true)))
                .isInstanceOf(ToolException.class).hasMessageContaining("dry_run needs 'team'");
    }
}

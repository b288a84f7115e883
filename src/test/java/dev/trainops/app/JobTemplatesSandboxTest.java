package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.ToolOutcome;
import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job from a template runs on the sandbox with its own image, command, args, env, tolerations and
 * checkpoint volume: queued through the tools, its pod read back from the sandbox's API server; its
 * dry runs answer with that Job and queue nothing.
 */
class JobTemplatesSandboxTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
    static final String RESNET = """
              resnet:
                image: registry.example/resnet-trainer:2.1
                command: ["python", "-m", "resnet.train"]
                args: ["--epochs={{epochs}}", "--data={{params.dataset}}", "--out={{checkpoint_dir}}", "{{resume}}"]
                params: {dataset: "s3://datasets/imagenet"}
                env:
                  - {name: DATASET_CACHE, value: "/cache/{{team}}/{{model}}"}
                tolerations:
                  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
                  - {key: example.com/reserved, operator: Equal, value: training, effect: NoSchedule}
                cpu_per_gpu: "6"
                memory_per_gpu: 24Gi
            """;

    @TempDir
    Path dir;

    @Test
    void aJobFromItsTemplateRunsOnTheSandboxAndItsDryRunsQueueNothing() throws Exception {
        Path config = dir.resolve("config");
        UnpricedUsageTest.copyTree(CONFIG, config);
        Files.writeString(config.resolve("jobs.yaml"), Files.readString(config.resolve("jobs.yaml")) + RESNET);

        try (Trainops trainops = Trainops.create(new Trainops.Settings(config, dir.resolve("data"), true, 1.0))) {
            trainops.connect();
            Map<String, Object> args = new LinkedHashMap<>(Map.of("model", "resnet", "run_name", "resnet-t1", "team", "team-b", "epochs", 2,
                    "batch_size", 128, "gpu_type", "L4", "gpu_count", 1, "params", Map.of("dataset", "s3://datasets/imagenet-mini")));

            args.put("dry_run", true);
            Map<String, Object> dry = succeed(trainops, "queue_training_job", args);
            assertThat(dry.get("warnings").toString()).contains("Dry run: nothing was queued or created.");
            Map<String, Object> manifest = map(dry.get("job_manifest"));
            assertThat(manifest.get("kind")).isEqualTo("Job");
            assertThat(container(manifest).get("image")).isEqualTo("registry.example/resnet-trainer:2.1");
            ToolOutcome notStored = trainops.catalog().invoke("get_job_queue_status", Map.of("job_id", dry.get("job_id")));
            assertThat(notStored).isInstanceOfSatisfying(ToolOutcome.Failure.class,
                    f -> assertThat(f.error().code().name()).isEqualTo("NOT_FOUND"));
            Map<String, Object> validated = succeed(trainops, "validate_job_resources", Map.of("model", "resnet", "epochs", 2,
                    "batch_size", 128, "gpu_type", "L4", "team", "team-b", "dry_run", true));
            assertThat(container(map(validated.get("job_manifest"))).get("command")).isEqualTo(List.of("python", "-m", "resnet.train"));
            KubernetesClient client = trainops.kubernetes();
            assertThat(client.batch().v1().jobs().inNamespace("team-b").withLabel(KubeNames.LABEL_RUN_NAME, "resnet-t1").list().getItems())
                    .isEmpty();

            args.remove("dry_run");
            Map<String, Object> queued = succeed(trainops, "queue_training_job", args);
            String jobId = (String) queued.get("job_id");
            Pod pod = null;
            for (int i = 0; i < 240 && pod == null; i++) {
                pod = client.pods().inNamespace("team-b").withLabel(KubeNames.LABEL_JOB_ID, jobId).list().getItems().stream()
                        .filter(p -> "Running".equals(p.getStatus().getPhase())).findFirst().orElse(null);
                Thread.sleep(250);
            }
            assertThat(pod).as("the job's pod runs on the sandbox within 60 s").isNotNull();
            assertThat(pod.getSpec().getNodeName()).startsWith("gpu-l4-");
            Container train = pod.getSpec().getContainers().get(0);
            assertThat(train.getImage()).isEqualTo("registry.example/resnet-trainer:2.1");
            assertThat(train.getCommand()).containsExactly("python", "-m", "resnet.train");
            assertThat(train.getArgs()).containsExactly("--epochs=2", "--data=s3://datasets/imagenet-mini", "--out=/checkpoints/" + jobId);
            Map<String, String> env = train.getEnv().stream().filter(e -> e.getValue() != null)
                    .collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
            assertThat(env).containsEntry("DATASET_CACHE", "/cache/team-b/resnet").containsEntry("TRAINOPS_JOB_ID", jobId)
                    .containsEntry("MLFLOW_RUN_NAME", "resnet-t1").containsEntry("MLFLOW_EXPERIMENT_NAME", "resnet")
                    .containsEntry("TRAINOPS_CHECKPOINT_DIR", "/checkpoints/" + jobId);
            assertThat(pod.getSpec().getTolerations()).extracting(t -> t.getKey() + "=" + t.getValue() + ":" + t.getEffect())
                    .containsExactly("nvidia.com/gpu=null:NoSchedule", "example.com/reserved=training:NoSchedule");
            assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo("checkpoints");
                assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("trainops-checkpoints");
            });
            // read back with a client of the test's own: trainops's client is recorded for the least-privilege check, and
            // trainops itself never reads a PersistentVolumeClaim
            try (KubernetesClient observer = new io.fabric8.kubernetes.client.KubernetesClientBuilder()
                    .withConfig(client.getConfiguration()).build()) {
                assertThat(observer.persistentVolumeClaims().inNamespace("team-b").withName("trainops-checkpoints").get()).isNotNull();
            }
            assertThat(train.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/checkpoints"));
            assertThat(train.getResources().getRequests().get("cpu").toString()).isEqualTo("6");
            assertThat(train.getResources().getRequests().get("memory").getAmount()).isEqualTo(Long.toString(24L << 30));
        }
    }

    static Map<String, Object> succeed(Trainops trainops, String tool, Map<String, Object> args) throws InterruptedException {
        for (int i = 0; i < 240; i++) {
            ToolOutcome outcome = trainops.catalog().invoke(tool, args);
            if (outcome instanceof ToolOutcome.Success s) {
                return s.structured();
            }
            ToolOutcome.Failure f = (ToolOutcome.Failure) outcome;
            assertThat(f.error().code().name()).as(f.error().message()).isEqualTo("UPSTREAM_UNAVAILABLE");
            Thread.sleep(250); // the sandbox and the queue are still opening
        }
        throw new AssertionError(tool + " did not answer within 60 s");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    static Map<String, Object> container(Map<String, Object> job) {
        Map<String, Object> podSpec = map(map(map(job.get("spec")).get("template")).get("spec"));
        return map(((List<?>) podSpec.get("containers")).get(0));
    }
}

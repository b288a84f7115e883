package dev.trainops.queue;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Creates and deletes the batch/v1 Jobs of admitted queue jobs. The Job's name is the queue job's
 * id and attempt, so creating it again after a crash finds the one already there; it carries the
 * PriorityClass, GPU limits equal to requests, the node chosen at admission, and the labels that
 * tie its pods back to the queue (team, experiment, run name, model, job id, attempt).
 */
final class JobLauncher implements JobRunner {
    /** The trainer image when a job's params do not name one (params.image). */
    public static final String DEFAULT_IMAGE = "ghcr.io/trainops/trainer:latest";

    private final KubernetesClient client;
    private final PriorityConfig priorities;
    private final QuotaConfig quotas;
    private final SpotNodes spotNodes;

    public JobLauncher(KubernetesClient client, PriorityConfig priorities, QuotaConfig quotas) {
        this(client, priorities, quotas, SpotNodes.DEFAULTS);
    }

    /** {@code spotNodes}: the tolerations a spot job's pods get, for the taints of spot nodes. */
    public JobLauncher(KubernetesClient client, PriorityConfig priorities, QuotaConfig quotas, SpotNodes spotNodes) {
        this.spotNodes = spotNodes;
        this.client = client;
        this.priorities = priorities;
        this.quotas = quotas;
    }

    /** Creates the Job for {@code job} on its node; an existing Job of that name counts as created. */
    @Override
    public void launch(QueuedJob job, String resource, Instant now) {
        try {
            client.resource(build(job, resource, now)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    Job build(QueuedJob job, String resource, Instant now) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubeNames.LABEL_MANAGED_BY, "trainops");
        labels.put(KubeNames.LABEL_TEAM, job.team());
        labels.put(KubeNames.LABEL_JOB_ID, job.jobId());
        labels.put(KubeNames.LABEL_ATTEMPT, Integer.toString(job.attempt()));
        labels.put(KubeNames.LABEL_RUN_NAME, label(job.runName()));
        labels.put(KubeNames.LABEL_MODEL, label(job.model()));
        labels.put(KubeNames.LABEL_EXPERIMENT, label(job.experiment()));
        if (job.spot()) {
            labels.put(KubeNames.LABEL_SPOT, "true");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(KubeNames.ANNOTATION_EPOCHS, Integer.toString(job.epochs()));
        annotations.put(KubeNames.ANNOTATION_BATCH_SIZE, Integer.toString(job.batchSize()));
        annotations.put(KubeNames.ANNOTATION_EXPECTED_END, now.plus(Duration.ofSeconds(job.estimatedSeconds())).toString());
        String checkpoint = job.params().getOrDefault("checkpoint_dir", "/checkpoints/" + job.team() + "/" + job.jobId());
        annotations.put(KubeNames.ANNOTATION_CHECKPOINT, checkpoint);

        Quantity gpus = new Quantity(Integer.toString(job.gpuCount()));
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put(resource, gpus);
        requests.put("cpu", times(quotas.cpuPerGpu(), job.gpuCount()));
        requests.put("memory", times(quotas.memoryPerGpu(), job.gpuCount()));
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put(resource, gpus); // GPU limit equals request
        limits.put("memory", times(quotas.memoryPerGpu(), job.gpuCount()));

        List<String> args = new ArrayList<>(List.of("--model", job.model(), "--epochs", Integer.toString(job.epochs()),
                "--batch-size", Integer.toString(job.batchSize()), "--run-name", job.runName(), "--checkpoint-dir", checkpoint));
        if (job.attempt() > 1) {
            args.add("--resume");
        }
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("MLFLOW_RUN_NAME", job.runName(), null));
        env.add(new EnvVar("MLFLOW_EXPERIMENT_NAME", job.experiment(), null));
        env.add(new EnvVar("TRAINOPS_JOB_ID", job.jobId(), null));
        job.params().forEach((k, v) -> {
            if (!k.startsWith("trainops.") && !k.equals("image") && !k.equals("checkpoint_dir")) {
                env.add(new EnvVar("PARAM_" + k.toUpperCase(java.util.Locale.ROOT).replaceAll("[^A-Z0-9_]", "_"), v, null));
            }
        });
        return new JobBuilder()
                .withNewMetadata().withNamespace(job.team()).withName(job.kubeName()).withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withPriorityClassName(priorities.spec(job.priority()).name())
                .addToNodeSelector(KubeNames.LABEL_HOSTNAME, job.node())
                .addAllToTolerations(job.spot() ? spotNodes.tolerations() : List.of()) // spot nodes' taints (docs/queue.md, "Spot and on-demand")
                .addNewContainer().withName("train").withImage(job.params().getOrDefault("image", DEFAULT_IMAGE)).withArgs(args).withEnv(env)
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }

    /**
     * Deletes the Job of this attempt; Kubernetes' garbage collector then terminates its pods
     * (background propagation), which hold their GPUs and quota until they are gone. Gone already is fine.
     */
    @Override
    public void delete(QueuedJob job) {
        client.batch().v1().jobs().inNamespace(job.team()).withName(job.kubeName())
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    private static Quantity times(Quantity q, int n) {
        BigDecimal bytes = Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(n));
        return new Quantity(bytes.stripTrailingZeros().toPlainString());
    }

    /** A label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric. */
    static String label(String value) {
        String v = value.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return v.isEmpty() ? "x" : v;
    }
}

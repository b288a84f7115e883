package dev.trainops.queue;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The batch/v1 Job of one attempt of a queued job, from its model's template (docs/queue.md, "Job
 * templates"): the template's image, command, args, env, volumes, tolerations, scheduling and
 * security settings, with its placeholders filled in; trainops's own parts on top (labels that tie
 * the pods back to the queue, the PriorityClass, the node chosen at admission, GPU limit = request,
 * no retries, the deadline from the estimate, the MLflow and checkpoint env).
 */
final class JobManifest {
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    private final PriorityConfig priorities;
    private final JobTemplates templates;
    private final SpotNodes spotNodes;

    JobManifest(PriorityConfig priorities, JobTemplates templates) {
        this(priorities, templates, SpotNodes.DEFAULTS);
    }

    /** {@code spotNodes}: the tolerations a spot job's pods get, for the taints of spot nodes (docs/queue.md, "Spot and on-demand"). */
    JobManifest(PriorityConfig priorities, JobTemplates templates, SpotNodes spotNodes) {
        this.priorities = priorities;
        this.templates = templates;
        this.spotNodes = spotNodes;
    }

    /** The Job's {@code activeDeadlineSeconds}: from its estimate, capped by its template's time limit (docs/queue.md, "Job templates"). */
    OptionalLong deadlineSeconds(QueuedJob job) {
        return templates.activeDeadlineSeconds(job.model(), job.estimatedSeconds());
    }

    /** The Job; {@code job.node()} null (a dry run before admission) leaves the node pin out. */
    Job build(QueuedJob job, String resource, Instant now) {
        JobTemplate t = templates.forModel(job.model());
        Map<String, String> values = values(job, t);
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubeNames.LABEL_MANAGED_BY, "trainops");
        labels.put(KubeNames.LABEL_TEAM, job.team());
        labels.put(KubeNames.LABEL_JOB_ID, job.jobId());
        labels.put(KubeNames.LABEL_ATTEMPT, Integer.toString(job.attempt()));
        labels.put(KubeNames.LABEL_RUN_NAME, JobLauncher.label(job.runName()));
        labels.put(KubeNames.LABEL_MODEL, JobLauncher.label(job.model()));
        labels.put(KubeNames.LABEL_EXPERIMENT, JobLauncher.label(job.experiment()));
        if (job.spot()) {
            labels.put(KubeNames.LABEL_SPOT, "true");
        }
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(KubeNames.ANNOTATION_EPOCHS, Integer.toString(job.epochs()));
        annotations.put(KubeNames.ANNOTATION_BATCH_SIZE, Integer.toString(job.batchSize()));
        annotations.put(KubeNames.ANNOTATION_EXPECTED_END, now.plus(Duration.ofSeconds(job.estimatedSeconds())).toString());
        annotations.put(KubeNames.ANNOTATION_CHECKPOINT, values.get("checkpoint_dir"));

        int perPod = job.gpusPerNode(); // a multi-node job's pods each hold their node's share (queue rule 13)
        Quantity gpus = new Quantity(Integer.toString(perPod));
        Quantity memory = times(t.memoryPerGpu(), perPod);
        Map<String, Quantity> requests = new LinkedHashMap<>();
        requests.put(resource, gpus);
        requests.put("cpu", times(t.cpuPerGpu(), perPod));
        requests.put("memory", memory);
        Map<String, Quantity> limits = new LinkedHashMap<>();
        limits.put(resource, gpus); // GPU limit equals request
        limits.put("memory", memory);

        Map<String, String> nodeSelector = new LinkedHashMap<>(t.nodeSelector());
        if (job.nodes().size() == 1) {
            nodeSelector.put(KubeNames.LABEL_HOSTNAME, job.node());
        }
        List<Volume> volumes = new ArrayList<>(t.volumes().stream().map(v -> new VolumeBuilder(v).build()).toList());
        List<VolumeMount> mounts = new ArrayList<>(t.volumeMounts().stream().map(m -> new VolumeMountBuilder(m).build()).toList());
        if (t.checkpoint() != null) {
            volumes.add(new VolumeBuilder().withName(JobTemplate.CHECKPOINT_VOLUME).withNewPersistentVolumeClaim()
                    .withClaimName(Placeholders.expand(t.checkpoint().claimName(), values)).endPersistentVolumeClaim().build());
            mounts.add(new VolumeMountBuilder().withName(JobTemplate.CHECKPOINT_VOLUME).withMountPath(t.checkpoint().mountPath()).build());
        }
        var manifest = new JobBuilder()
                .withNewMetadata().withNamespace(job.team()).withName(job.kubeName()).withLabels(labels).withAnnotations(annotations)
                // the TrainingJob (or TrainingBatch) it was submitted for owns it (DESIGN.md, "Kubernetes API")
                .withOwnerReferences(Owner.of(job).map(o -> List.of(o.reference())).orElse(null))
                .endMetadata()
                .withNewSpec().withBackoffLimit(0)
                .withActiveDeadlineSeconds(deadlineSeconds(job).stream().boxed().findFirst().orElse(null))
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(annotations).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withPriorityClassName(priorities.spec(job.priority()).name())
                .withNodeSelector(nodeSelector)
                .withTolerations(tolerations(t, job))
                .withAffinity(copy(t.affinity()))
                .withServiceAccountName(t.serviceAccountName())
                .withImagePullSecrets(t.imagePullSecrets().stream().map(r -> new LocalObjectReference(r.getName())).toList())
                .withSecurityContext(copy(t.securityContext()))
                .withVolumes(volumes)
                .addNewContainer().withName("train").withImage(job.params().getOrDefault("image", Placeholders.expand(t.image(), values)))
                .withCommand(t.command().isEmpty() ? null : t.command().stream().map(c -> Placeholders.expand(c, values)).toList())
                .withArgs(args(t, values)).withEnv(env(job, t, values))
                .withNewResources().withRequests(requests).withLimits(limits).endResources()
                .withVolumeMounts(mounts)
                .withSecurityContext(copy(t.containerSecurityContext()))
                .endContainer()
                .endSpec()
                .endTemplate()
                .endSpec();
        return MultiNodeJob.indexed(manifest.build(), job);
    }

    /** What each placeholder stands for in this attempt (docs/queue.md, "Job templates"). */
    static Map<String, String> values(QueuedJob job, JobTemplate t) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("model", job.model());
        v.put("epochs", Integer.toString(job.epochs()));
        v.put("batch_size", Integer.toString(job.batchSize()));
        v.put("run_name", job.runName());
        v.put("experiment", job.experiment());
        v.put("team", job.team());
        v.put("job_id", job.jobId());
        v.put("attempt", Integer.toString(job.attempt()));
        v.put("gpu_count", Integer.toString(job.gpuCount()));
        v.put("gpu_type", job.gpuType());
        v.put("resume", job.attempt() > 1 ? "--resume" : "");
        t.params().forEach((name, value) -> v.put(Placeholders.PARAMS + name, value));
        job.params().forEach((name, value) -> {
            if (!name.startsWith("trainops.")) {
                v.put(Placeholders.PARAMS + name, value);
            }
        });
        String checkpoint = job.params().get("checkpoint_dir");
        if (checkpoint == null) {
            checkpoint = t.checkpoint() != null ? Placeholders.expand(t.checkpoint().dir(), v) : "/checkpoints/" + job.team() + "/" + job.jobId();
        }
        v.put("checkpoint_dir", checkpoint);
        v.put("artifact_dir", t.artifactDir() == null ? "" : Placeholders.expand(t.artifactDir(), v));
        return v;
    }

    /** The template's args filled in; an argument that was only placeholders and came out empty ({@code {{resume}}} on a first attempt) is left out. */
    private static List<String> args(JobTemplate t, Map<String, String> values) {
        List<String> out = new ArrayList<>();
        for (String a : t.args()) {
            String expanded = Placeholders.expand(a, values);
            if (!expanded.isEmpty() || Placeholders.PLACEHOLDER.matcher(a).replaceAll("").equals(a)) {
                out.add(expanded);
            }
        }
        return out;
    }

    /** trainops's env (MLflow, team, job id, checkpoint and artifact dirs), then the template's (which may replace one), then the job's params. */
    private List<EnvVar> env(QueuedJob job, JobTemplate t, Map<String, String> values) {
        Map<String, EnvVar> env = new LinkedHashMap<>();
        templates.mlflowTrackingUri().ifPresent(uri -> put(env, "MLFLOW_TRACKING_URI", uri.toString()));
        put(env, "MLFLOW_EXPERIMENT_NAME", job.experiment());
        put(env, "MLFLOW_RUN_NAME", job.runName());
        put(env, "TRAINOPS_TEAM", job.team()); // for the run's team tag (DESIGN.md, rule 6), so its own team sees and registers it
        put(env, "TRAINOPS_JOB_ID", job.jobId());
        put(env, "TRAINOPS_ATTEMPT", Integer.toString(job.attempt()));
        put(env, "TRAINOPS_CHECKPOINT_DIR", values.get("checkpoint_dir"));
        if (!values.get("artifact_dir").isEmpty()) {
            put(env, "TRAINOPS_MODEL_ARTIFACT_DIR", values.get("artifact_dir"));
        }
        for (EnvVar e : t.env()) {
            EnvVar copy = new EnvVarBuilder(e).build();
            if (copy.getValue() != null) {
                copy.setValue(Placeholders.expand(copy.getValue(), values));
            }
            env.remove(copy.getName());
            env.put(copy.getName(), copy);
        }
        job.params().forEach((k, v) -> {
            if (!k.startsWith("trainops.") && !k.equals("image") && !k.equals("checkpoint_dir")) {
                put(env, "PARAM_" + k.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_"), v);
            }
        });
        return List.copyOf(env.values());
    }

    private static void put(Map<String, EnvVar> env, String name, String value) {
        env.putIfAbsent(name, new EnvVar(name, value, null));
    }

    /** A deep copy: the template's objects are shared by every Job built from it. */
    private static <T> T copy(T value) {
        return value == null ? null : KUBE.clone(value);
    }

    private static Quantity times(Quantity q, int n) {
        BigDecimal amount = Quantity.getAmountInBytes(q).multiply(BigDecimal.valueOf(n));
        return new Quantity(amount.stripTrailingZeros().toPlainString());
    }

    /** The Job as the JSON object the API server would be sent (dry runs). */
    static Map<String, Object> asMap(Job job) {
        @SuppressWarnings("unchecked")
        Map<String, Object> map = KUBE.convertValue(job, Map.class);
        return map;
    }

    /** The template's tolerations, and for a spot job those its spot nodes' taints need. */
    private List<Toleration> tolerations(JobTemplate t, QueuedJob job) {
        List<Toleration> out = new ArrayList<>(t.tolerations().stream().map(x -> new TolerationBuilder(x).build()).toList());
        if (job.spot()) {
            spotNodes.tolerations().stream().filter(x -> !out.contains(x)).forEach(out::add);
        }
        return out;
    }
}

package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** config/jobs.yaml is checked whole at start: each mistake names the file, the key path and the fix. */
class JobTemplatesTest {
    static final String DEFAULT = """
            deadline: {factor: "2", slack_seconds: 1800}
            templates:
              default:
                image: ghcr.io/trainops/trainer:latest
                args: ["--epochs", "{{epochs}}", "{{resume}}"]
                checkpoint: {claim_name: trainops-checkpoints, mount_path: /checkpoints, dir: "/checkpoints/{{job_id}}"}
                tolerations:
                  - {key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}
                cpu_per_gpu: "8"
                memory_per_gpu: 64Gi
            """;

    @TempDir
    Path dir;

    Path file(String yaml) throws Exception {
        Path f = dir.resolve("jobs.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    /** The default template above plus a model template {@code llm} with {@code body} (indented under it). */
    Path withLlm(String body) throws Exception {
        return file(DEFAULT + "  llm:\n" + body.indent(4));
    }

    @Test
    void theShippedTemplatesLoadAndAModelInheritsWhatItLeavesOut() throws Exception {
        JobTemplates t = JobTemplates.load(Path.of("../config/jobs.yaml"));

        assertThat(t.models()).containsExactly("llm", "mnist", "validation");
        JobTemplate llm = t.forModel("llm");
        JobTemplate base = t.forModel("no-such-model");
        assertThat(base.name()).isEqualTo("default");
        assertThat(llm.image()).isNotEqualTo(base.image());
        assertThat(llm.tolerations()).isEqualTo(base.tolerations()).singleElement()
                .satisfies(x -> assertThat(x.getKey() + " " + x.getOperator() + " " + x.getEffect()).isEqualTo("nvidia.com/gpu Exists NoSchedule"));
        assertThat(llm.checkpoint()).isEqualTo(base.checkpoint());
        assertThat(llm.cpuPerGpu()).isEqualTo(base.cpuPerGpu());
        assertThat(t.cpuPerGpu("mnist").toString()).isEqualTo("4");
    }

    @Test
    void cpuAndMemoryPerGpuArePricedPerModelForTheEstimates() throws Exception {
        JobTemplates t = JobTemplates.load(withLlm("cpu_per_gpu: 7500m\nmemory_per_gpu: 96Gi"));

        assertThat(t.cpuCores("llm", 2)).isEqualByComparingTo("15");
        assertThat(t.memoryGib("llm", 2)).isEqualByComparingTo("192");
        assertThat(t.cpuCores("mnist", 1)).isEqualByComparingTo("8");
        assertThat(t.memoryGib("mnist", 3)).isEqualByComparingTo("192");
    }

    @Test
    void theDeadlineIsTheEstimateTimesTheFactorPlusSlackAndNoneWithoutAnEstimate() throws Exception {
        JobTemplates t = JobTemplates.load(file(DEFAULT));

        assertThat(t.activeDeadlineSeconds("llm", 1001)).hasValue(2 * 1001 + 1800);
        assertThat(t.activeDeadlineSeconds("llm", 0)).isEmpty();
        assertThat(t.timeLimit("llm")).isEmpty();
        JobTemplates fractional = JobTemplates.load(file(DEFAULT.replace("factor: \"2\"", "factor: \"1.25\"")));
        assertThat(fractional.activeDeadlineSeconds("llm", 1001)).hasValue(1252 + 1800);
        JobTemplates none = JobTemplates.load(file(DEFAULT.replace("deadline: {factor: \"2\", slack_seconds: 1800}\n", "")));
        assertThat(none.activeDeadlineSeconds("llm", 1001)).isEmpty();
    }

    @Test
    void aTemplatesTimeLimitIsInheritedAndCapsTheDeadlineFromTheEstimate() throws Exception {
        Path f = file(DEFAULT.replace("    memory_per_gpu: 64Gi\n", "    memory_per_gpu: 64Gi\n    active_deadline_seconds: 86400\n")
                + "  llm:\n    active_deadline_seconds: 7200\n  mnist:\n    active_deadline_seconds: null\n");
        JobTemplates t = JobTemplates.load(f);

        assertThat(t.timeLimit("llm")).hasValue(java.time.Duration.ofHours(2));
        assertThat(t.timeLimit("no-such-model")).hasValue(java.time.Duration.ofHours(24)); // default's
        assertThat(t.timeLimit("mnist")).isEmpty(); // null turns it off
        // an estimate: ceil(estimate x 2) + 1800, capped by the template's limit
        assertThat(t.activeDeadlineSeconds("llm", 1000)).hasValue(2 * 1000 + 1800);
        assertThat(t.activeDeadlineSeconds("llm", 3000)).hasValue(7200);
        // no estimate (a model without run history): the template's limit alone
        assertThat(t.activeDeadlineSeconds("llm", 0)).hasValue(7200);
        assertThat(t.activeDeadlineSeconds("mnist", 0)).isEmpty();
        assertThat(t.activeDeadlineSeconds("mnist", 3000)).hasValue(2 * 3000 + 1800);
        // no deadline key: the template's limit whatever the estimate
        JobTemplates fixedOnly = JobTemplates.load(file(java.nio.file.Files.readString(f).replace("deadline: {factor: \"2\", slack_seconds: 1800}\n", "")));
        assertThat(fixedOnly.activeDeadlineSeconds("llm", 1000)).hasValue(7200);
        assertThat(fixedOnly.activeDeadlineSeconds("mnist", 1000)).isEmpty();
    }

    @Test
    void aTimeLimitMustBeAWholeNumberOfSecondsAboveZero() throws Exception {
        fails(withLlm("active_deadline_seconds: 0"), "templates.llm.active_deadline_seconds must be a whole number of seconds above 0, e.g. "
                + "86400 for 24 h (was 0); leave it out, or null, for no fixed time limit");
        fails(withLlm("active_deadline_seconds: -60"), "templates.llm.active_deadline_seconds must be a whole number of seconds above 0");
        fails(withLlm("active_deadline_seconds: 1.5"), "templates.llm.active_deadline_seconds must be a whole number of seconds above 0");
        fails(withLlm("active_deadline_seconds: 2h"), "templates.llm.active_deadline_seconds must be a whole number of seconds above 0");
        fails(file(DEFAULT.replace("    memory_per_gpu: 64Gi\n", "    memory_per_gpu: 64Gi\n    active_deadline_seconds: \"3600\"\n")),
                "templates.default.active_deadline_seconds must be a whole number of seconds above 0");
    }

    @Test
    void aJobWithoutAnEstimateGetsItsTemplatesTimeLimitAsItsDeadline() throws Exception {
        JobTemplates t = JobTemplates.load(withLlm("active_deadline_seconds: 7200"));
        java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
        JobSpec spec = new JobSpec("team-a", "r1", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, java.util.Map.of(), false, null,
                null, 0, 0, null, null, null);
        QueuedJob job = QueuedJob.submitted("tj-000000000001", spec, now).admittedTo("h100-a", now);
        assertThat(new JobManifest(PriorityConfig.defaults(), t).build(job, "nvidia.com/gpu", now).getSpec().getActiveDeadlineSeconds())
                .isEqualTo(7200L);
    }

    void fails(Path file, String message) {
        assertThatThrownBy(() -> JobTemplates.load(file)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(file + ": ").hasMessageContaining(message);
    }

    @Test
    void anUnknownTemplateKeyIsRefusedWithTheKeysThereAre() throws Exception {
        fails(withLlm("imagee: x"), "templates.llm.imagee is not a template key; the keys are image, command, args");
    }

    @Test
    void anUnknownTopLevelKeyIsRefused() throws Exception {
        fails(file(DEFAULT + "defaults: {}\n"), "defaults is not a key of jobs.yaml; the keys are templates, deadline");
    }

    @Test
    void aMissingDefaultTemplateIsRefused() throws Exception {
        fails(file("templates:\n  llm: {image: x}\n"), "templates must be a map with at least a 'default' template");
    }

    @Test
    void theDefaultTemplateMustNameTheImage() throws Exception {
        fails(file(DEFAULT.replace("    image: ghcr.io/trainops/trainer:latest\n", "")), "templates.default.image is required in the default template");
    }

    @Test
    void argsOfTheWrongTypeAreRefused() throws Exception {
        fails(withLlm("args: --epochs"), "templates.llm.args must be a list of strings, e.g. [\"--epochs\", \"{{epochs}}\"]");
    }

    @Test
    void anUnknownPlaceholderIsRefusedWithThePlaceholdersThereAre() throws Exception {
        fails(withLlm("args: [\"--epochs\", \"{{epoch}}\"]"), "templates.llm.args[1] uses the unknown placeholder {{epoch}}; the placeholders are "
                + "{{model}}, {{epochs}}");
    }

    @Test
    void aParamPlaceholderNeedsADefaultInTheTemplate() throws Exception {
        fails(withLlm("args: [\"--lr\", \"{{params.learning_rate}}\"]"),
                "templates.llm.args[1] uses {{params.learning_rate}} but the template's params give 'learning_rate' no default; add params: "
                        + "{learning_rate: \"...\"}");
        assertThat(JobTemplates.load(withLlm("args: [\"--lr\", \"{{params.learning_rate}}\"]\nparams: {learning_rate: \"3e-4\"}")).models())
                .containsExactly("llm");
    }

    @Test
    void anInheritedPlaceholderIsCheckedAgainstTheModelsOwnParams() throws Exception {
        Path f = file(DEFAULT.replace("\"{{resume}}\"]", "\"{{params.lr}}\"]\n    params: {lr: \"1\"}") + "  llm:\n    params: {}\n");
        fails(f, "templates.default.args[2] uses {{params.lr}} but the template's params give 'lr' no default");
        fails(f, "(in template 'llm', which inherits it)");
    }

    @Test
    void aBadQuantityIsRefusedWithAnExample() throws Exception {
        fails(withLlm("memory_per_gpu: 64GB"), "templates.llm.memory_per_gpu is not a positive Kubernetes quantity (was 64GB); write one such as 64Gi");
        fails(withLlm("cpu_per_gpu: \"-2\""), "templates.llm.cpu_per_gpu is not a positive Kubernetes quantity");
        fails(withLlm("cpu_per_gpu: [8]"), "templates.llm.cpu_per_gpu must be a Kubernetes quantity");
    }

    @Test
    void aTolerationWithoutKeyMustUseOperatorExists() throws Exception {
        fails(withLlm("tolerations: [{effect: NoSchedule}]"), "templates.llm.tolerations[0].key is required unless operator is Exists");
    }

    @Test
    void aTolerationWithOperatorExistsTakesNoValue() throws Exception {
        fails(withLlm("tolerations: [{key: nvidia.com/gpu, operator: Exists, value: present}]"),
                "templates.llm.tolerations[0].value must be left out when operator is Exists");
    }

    @Test
    void aTolerationWithAnUnknownOperatorOrEffectIsRefused() throws Exception {
        fails(withLlm("tolerations: [{key: a, operator: In}]"), "templates.llm.tolerations[0].operator must be Exists or Equal (was In)");
        fails(withLlm("tolerations: [{key: a, operator: Exists, effect: NoScheduled}]"),
                "templates.llm.tolerations[0].effect must be NoSchedule, PreferNoSchedule or NoExecute");
    }

    @Test
    void aMisspelledKubernetesFieldIsRefused() throws Exception {
        fails(withLlm("tolerations: [{key: a, operator: Exists, efect: NoSchedule}]"),
                "templates.llm.tolerations[0].efect is not a field of a Kubernetes Toleration");
        fails(withLlm("affinity: {nodeAffinity: {requiredDuringSchedulingIgnoredDuringExecution: {nodeSelectorTerms: "
                + "[{matchExpression: []}]}}}"), "templates.llm.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"
                + ".nodeSelectorTerms[0].matchExpression is not a field of a Kubernetes NodeSelectorTerm");
        fails(withLlm("securityContext: {runAsUsr: 1000}"), "templates.llm.securityContext.runAsUsr is not a field of a Kubernetes PodSecurityContext");
    }

    @Test
    void aKubernetesFieldOfTheWrongTypeIsRefused() throws Exception {
        fails(withLlm("securityContext: {runAsUser: [1000]}"), "templates.llm.securityContext");
        fails(withLlm("tolerations: [{key: a, operator: Exists, effect: NoExecute, tolerationSeconds: soon}]"),
                "templates.llm.tolerations[0]");
        fails(withLlm("tolerations: {key: a}"), "templates.llm.tolerations must be a list, as in a pod spec");
    }

    @Test
    void aMountMustNameAVolumeOfTheTemplate() throws Exception {
        fails(withLlm("volumeMounts: [{name: data, mountPath: /data}]"), "templates.llm.volumeMounts[0].name must name one of the template's volumes");
        fails(withLlm("volumes: [{name: checkpoints, emptyDir: {}}]"), "templates.llm.volumes[0].name must be a unique volume name other than 'checkpoints'");
    }

    @Test
    void theCheckpointDirMustLieOnTheCheckpointVolume() throws Exception {
        fails(withLlm("checkpoint: {claim_name: c, mount_path: /checkpoints, dir: \"/tmp/{{job_id}}\"}"),
                "templates.llm.checkpoint.dir must lie under mount_path /checkpoints");
        fails(withLlm("checkpoint: {claim_name: c, mount_path: /checkpoints, dir: /checkpoints/x, size: 1Gi}"),
                "templates.llm.checkpoint.size is not a checkpoint key");
        fails(withLlm("checkpoint: {claim_name: c, mount_path: /checkpoints, dir: \"/checkpoints/{{checkpoint_dir}}\"}"),
                "templates.llm.checkpoint.dir cannot use {{checkpoint_dir}} here");
    }

    @Test
    void anImagePullSecretNeedsAName() throws Exception {
        fails(withLlm("imagePullSecrets: [{}]"), "templates.llm.imagePullSecrets[0].name is required");
    }

    @Test
    void aDeadlineFactorBelowOneIsRefused() throws Exception {
        fails(file(DEFAULT.replace("factor: \"2\"", "factor: \"0.5\"")), "deadline.factor must be at least 1 (was 0.5)");
        fails(file(DEFAULT.replace("slack_seconds: 1800", "slack_seconds: soon")), "deadline.slack_seconds must be a whole number of seconds");
    }

    @Test
    void yamlThatDoesNotParseIsRefusedWithItsLine() throws Exception {
        fails(withLlm("args: [\"a\""), "not valid YAML (line 12");
    }

    @Test
    void anUnclosedPlaceholderIsRefused() throws Exception {
        fails(withLlm("image: \"trainer:{{model\""), "templates.llm.image has an unclosed placeholder");
    }

    @Test
    void credentialsInTheTrackingUriAreNotPassedToJobs() throws Exception {
        JobTemplates t = JobTemplates.load(file(DEFAULT)).withMlflowTrackingUri(java.net.URI.create("https://user:s3cret@mlflow.example:5000/"));

        assertThat(t.mlflowTrackingUri()).hasValueSatisfying(u -> assertThat(u.toString()).isEqualTo("https://mlflow.example:5000/"));
        java.time.Instant now = java.time.Instant.parse("2026-12-01T10:00:00Z");
        JobSpec spec = new JobSpec("team-a", "r1", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 2, 64, java.util.Map.of(), false, null,
                null, 0, 0, null, null, null);
        QueuedJob restarted = QueuedJob.submitted("tj-000000000001", spec, now).admittedTo("h100-a", now)
                .preemptedBy("tj-000000000002", "preempted", now).requeuedAfterPreemption("back", now).admittedTo("h100-b", now);
        var job = new JobManifest(PriorityConfig.defaults(), t).build(restarted, "nvidia.com/gpu", now);
        var train = job.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(train.getEnv()).anySatisfy(e -> {
            assertThat(e.getName()).isEqualTo("MLFLOW_TRACKING_URI");
            assertThat(e.getValue()).isEqualTo("https://mlflow.example:5000/");
        }).allSatisfy(e -> assertThat(String.valueOf(e.getValue())).doesNotContain("s3cret"));
        // the second attempt resumes from the same checkpoint dir
        assertThat(train.getArgs()).containsExactly("--epochs", "2", "--resume");
        assertThat(job.getMetadata().getName()).isEqualTo("tj-000000000001-2");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isNull();
    }
}

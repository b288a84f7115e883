package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Queue rule 13's Job: a multi-node job is one Indexed Job, {@code completions = parallelism =} its
 * nodes, each pod with one node's GPUs, kept on the nodes admission chose (within the template's own
 * node affinity) and one per node; and {@code topology.rack_label} in config/jobs.yaml.
 */
class MultiNodeJobTest {
    static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
    static final String TEMPLATE = JobTemplatesTest.DEFAULT + """
                affinity:
                  nodeAffinity:
                    requiredDuringSchedulingIgnoredDuringExecution:
                      nodeSelectorTerms:
                        - matchExpressions: [{key: nvidia.com/gpu.product, operator: In, values: [NVIDIA-H100-80GB-HBM3]}]
                        - matchExpressions: [{key: nvidia.com/gpu.family, operator: In, values: [hopper]}]
            """;

    @TempDir
    Path dir;

    JobTemplates templates(String yaml) throws Exception {
        Path f = dir.resolve("jobs.yaml");
        Files.writeString(f, yaml);
        return JobTemplates.load(f);
    }

    static QueuedJob admitted(int gpus, String nodes) {
        JobSpec spec = PlannerFixtures.spec("team-a", Priority.NORMAL, "H100", gpus, 1_000_000);
        return QueuedJob.submitted("tj-000000000042", spec, NOW.minusSeconds(60)).admittedTo(nodes, NOW);
    }

    @Test
    void aMultiNodeJobIsOneIndexedJobWithOnePodOfOneNodesGpusOnEachChosenNode() throws Exception {
        JobManifest manifest = new JobManifest(PriorityConfig.defaults(), templates(TEMPLATE));
        Job job = manifest.build(admitted(16, "h100-a,h100-b"), "nvidia.com/gpu", NOW);

        assertThat(job.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(job.getSpec().getCompletions()).isEqualTo(2);
        assertThat(job.getSpec().getParallelism()).isEqualTo(2);
        var pod = job.getSpec().getTemplate().getSpec();
        var resources = pod.getContainers().get(0).getResources();
        assertThat(resources.getRequests().get("nvidia.com/gpu").getAmount()).isEqualTo("8");
        assertThat(resources.getLimits().get("nvidia.com/gpu").getAmount()).isEqualTo("8");
        assertThat(resources.getRequests().get("cpu").getAmount()).isEqualTo("64"); // 8 per GPU, for the pod's 8
        assertThat(pod.getNodeSelector()).doesNotContainKey(KubeNames.LABEL_HOSTNAME);
        // each of the template's terms (ORed) keeps its own expression and gains the chosen nodes
        var terms = pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms();
        assertThat(terms).hasSize(2).allSatisfy(t -> {
            assertThat(t.getMatchExpressions()).hasSize(2);
            assertThat(t.getMatchExpressions().get(1).getKey()).isEqualTo(KubeNames.LABEL_HOSTNAME);
            assertThat(t.getMatchExpressions().get(1).getOperator()).isEqualTo("In");
            assertThat(t.getMatchExpressions().get(1).getValues()).containsExactly("h100-a", "h100-b");
        });
        var anti = pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        assertThat(anti).singleElement().satisfies(t -> {
            assertThat(t.getTopologyKey()).isEqualTo(KubeNames.LABEL_HOSTNAME);
            assertThat(t.getLabelSelector().getMatchLabels()).isEqualTo(Map.of(KubeNames.LABEL_JOB_ID, "tj-000000000042",
                    KubeNames.LABEL_ATTEMPT, "1"));
        });
        // the pods' own labels are what the anti-affinity selects
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).containsEntry(KubeNames.LABEL_JOB_ID, "tj-000000000042")
                .containsEntry(KubeNames.LABEL_ATTEMPT, "1");
        var env = pod.getContainers().get(0).getEnv();
        assertThat(env).extracting(e -> e.getName() + "=" + e.getValue()).contains("NNODES=2", "GPUS_PER_NODE=8", "WORLD_SIZE=16");
        EnvVar rank = env.stream().filter(e -> e.getName().equals("NODE_RANK")).findFirst().orElseThrow();
        assertThat(rank.getValueFrom().getFieldRef().getFieldPath())
                .isEqualTo("metadata.annotations['batch.kubernetes.io/job-completion-index']");
    }

    @Test
    void aOneNodeJobStaysAPlainJobPinnedToItsNode() throws Exception {
        JobManifest manifest = new JobManifest(PriorityConfig.defaults(), templates(JobTemplatesTest.DEFAULT));
        Job job = manifest.build(admitted(8, "h100-a"), "nvidia.com/gpu", NOW);
        assertThat(job.getSpec().getCompletionMode()).isNull();
        assertThat(job.getSpec().getCompletions()).isNull();
        var pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getNodeSelector()).containsEntry(KubeNames.LABEL_HOSTNAME, "h100-a");
        assertThat(pod.getAffinity()).isNull();
        assertThat(pod.getContainers().get(0).getEnv()).extracting(EnvVar::getName).doesNotContain("NNODES", "NODE_RANK");
    }

    @Test
    void theRackLabelComesFromJobsYamlWithADefault() throws Exception {
        assertThat(templates(JobTemplatesTest.DEFAULT).rackLabel()).isEqualTo("trainops.dev/rack");
        assertThat(templates("topology: {rack_label: example.com/rack}\n" + JobTemplatesTest.DEFAULT).rackLabel())
                .isEqualTo("example.com/rack");
        assertThat(JobTemplates.load(Path.of("../config/jobs.yaml")).rackLabel()).isEqualTo("trainops.dev/rack");
        assertThatThrownBy(() -> templates("topology: {rack: x}\n" + JobTemplatesTest.DEFAULT))
                .hasMessageContaining("topology.rack is not a topology key; the only key is rack_label");
        assertThatThrownBy(() -> templates("topology: {rack_label: 3}\n" + JobTemplatesTest.DEFAULT))
                .hasMessageContaining("topology.rack_label must be a node label name");
    }
}

package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.JobFootprint;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.testing.ClusterFixtures;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "estimates equal the bill": the footprint an estimate prices is what the ledger will
 * read from the job's pod (its GPU share by the one share rule, its CPU and memory requests).
 */
@EnableKubernetesMockClient(crud = true)
class JobFootprintsTest {
    static final Instant T = Instant.parse("2026-11-30T12:00:00Z");
    KubernetesClient client;

    @Test
    void estimatesEqualTheBill_eachTemplatesRequestsAreWhatTheLauncherPutsOnThePodAsTheLedgerReadsThem() throws Exception {
        JobTemplates templates = JobTemplates.load(Path.of("../config/jobs.yaml"));
        for (String model : List.of("llm", "mnist", "validation", "a-model-with-no-template")) {
            JobSpec spec = new JobSpec("team-a", "run", model, model, Priority.NORMAL, 1000, "H100", 2, 2, 64, Map.of(), false, null, null,
                    1_000_000, 1200, null, null, null);
            QueuedJob job = new QueuedJob("tj-000000000001", spec, new JobStatus(JobState.SCHEDULED, null, "admitted", T, "h100-a",
                    1, false, T, T, null, null, null, 0));
            Job built = new JobLauncher(client, PriorityConfig.defaults(), templates).build(job, KubeNames.GPU_RESOURCE, T);
            Map<String, Quantity> requests = built.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests();
            // cost/ClusterUsage: CPU as the quantity's amount, memory in GiB to 6 decimals
            assertThat(templates.cpuCores(model, 2)).as(model).isEqualByComparingTo(Quantity.getAmountInBytes(requests.get("cpu")));
            assertThat(templates.memoryGib(model, 2)).as(model).isEqualByComparingTo(Quantity.getAmountInBytes(requests.get("memory"))
                    .divide(BigDecimal.valueOf(1L << 30), 6, RoundingMode.HALF_EVEN));
        }
        // config/jobs.yaml: llm 8 cores and 64 GiB per GPU, mnist 4 and 16
        assertThat(templates.cpuCores("llm", 2)).isEqualByComparingTo("16");
        assertThat(templates.memoryGib("llm", 2)).isEqualByComparingTo("128");
        assertThat(templates.cpuCores("mnist", 2)).isEqualByComparingTo("8");
        assertThat(templates.memoryGib("mnist", 2)).isEqualByComparingTo("32");
    }

    @Test
    void estimatesEqualTheBill_aUnitIsTheShareOfAGpuWhereTheQueuePlacesItsType() {
        client.resource(ClusterFixtures.gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(ClusterFixtures.timeSlicedNode("t4-shared", "Tesla-T4", 1, 4)).create();
        client.resource(ClusterFixtures.migMixedNode("a100-mig", 7, 2)).create();
        ClusterIndex index = new ClusterIndex(new MutableClock(T)).start(client);
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
        JobFootprints footprints = new JobFootprints(JobRequests.perGpu(QuotaConfig.defaults()), JobFootprints.onCluster(index));
        JobFootprint h100 = footprints.of("llm", "H100", 2);
        assertThat(h100.gpus()).isEqualByComparingTo("2");
        assertThat(h100.cpuCores()).isEqualByComparingTo("16");
        assertThat(h100.memoryGib()).isEqualByComparingTo("128");
        // a replica of a T4 shared 4 ways is a quarter of it; its pod still requests a GPU's CPU and memory
        JobFootprint t4 = footprints.of("validation", "T4", 1);
        assertThat(t4.gpus()).isEqualByComparingTo("0.25");
        assertThat(t4.cpuCores()).isEqualByComparingTo("8");
        assertThat(t4.memoryGib()).isEqualByComparingTo("64");
        // a type with only MIG pools: whole GPUs of it are priced as whole; a type no node has too
        assertThat(footprints.of("llm", "A100-80GB", 1).gpus()).isEqualByComparingTo("1");
        assertThat(footprints.of("llm", "L4", 3).gpus()).isEqualByComparingTo("3");
        index.close();
    }

    @Test
    void costRule5_aMigSliceIsEstimatedAtItsShareOfAGpu_whatTheLedgerBillsForItsPod() {
        JobFootprints footprints = new JobFootprints(JobRequests.perGpu(QuotaConfig.defaults()), JobFootprints.Shares.WHOLE);
        // a 1g slice is 1/7 of its GPU, a 3g slice 3/7 (docs/money.md cost rule 5), under strategy mixed or single alike
        assertThat(footprints.of("mnist", "A100-80GB", "1g.10gb", 1).gpus()).isEqualByComparingTo("0.142857142857");
        assertThat(footprints.of("mnist", "A100-80GB", "1g.10gb", 2).gpus()).isEqualByComparingTo("0.285714285714");
        assertThat(footprints.of("mnist", "A100-80GB", "3g.40gb", 1).gpus()).isEqualByComparingTo("0.428571428571");
        // the same figure the ledger reads from the pod's nvidia.com/mig-1g.10gb: 2 on the MIG node (GpuShares)
        assertThat(footprints.of("mnist", "A100-80GB", "1g.10gb", 2).gpus()).isEqualByComparingTo(dev.trainops.gpu.GpuShares.equivalents(
                Map.of("nvidia.com/mig-1g.10gb", 2L), ClusterFixtures.migMixedNode("a100-mig", 7, 2)));
        // its pod requests the template's CPU and memory per unit, as for a whole GPU
        assertThat(footprints.of("mnist", "A100-80GB", "1g.10gb", 2).cpuCores()).isEqualByComparingTo("16");
    }

    @Test
    void theJobManifestOfAMigJobRequestsItsProfileWithLimitEqualToRequest_andTheLedgerReadsTheEstimatedShareFromIt() throws Exception {
        JobTemplates templates = JobTemplates.load(Path.of("../config/jobs.yaml"));
        JobSpec spec = new JobSpec("team-b", "run", "mnist", "mnist", Priority.NORMAL, 1000, "A100-80GB", 3, 2, 32,
                Map.of(JobSpec.MIG_PROFILE_PARAM, "1g.10gb"), false, null, null, 1_000_000, 1200, null, null, null);
        QueuedJob job = new QueuedJob("tj-000000000002", spec, new JobStatus(JobState.SCHEDULED, null, "admitted", T, "a100-mig",
                1, false, T, T, null, null, null, 0));
        Job built = new JobManifest(PriorityConfig.defaults(), templates).build(job, "nvidia.com/mig-1g.10gb", T);
        var container = built.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getResources().getRequests()).containsEntry("nvidia.com/mig-1g.10gb", new Quantity("3"))
                .doesNotContainKey(KubeNames.GPU_RESOURCE);
        assertThat(container.getResources().getLimits()).containsEntry("nvidia.com/mig-1g.10gb", new Quantity("3"));
        assertThat(container.getEnv()).noneMatch(e -> e.getName().contains("MIG_PROFILE")); // trainops's own param
        assertThat(built.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry(KubeNames.LABEL_HOSTNAME, "a100-mig");
        // what the ledger reads from that pod on the MIG node is the share the estimate priced: 3/7
        Map<String, Long> gpus = Map.of("nvidia.com/mig-1g.10gb", 3L);
        assertThat(dev.trainops.gpu.GpuShares.equivalents(gpus, ClusterFixtures.migMixedNode("a100-mig", 7, 2)))
                .isEqualByComparingTo(new JobFootprints(templates, JobFootprints.Shares.WHOLE).of("mnist", "A100-80GB", "1g.10gb", 3).gpus());
    }
}

package dev.trainops.gpu;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static dev.trainops.testing.ClusterFixtures.migMixedNode;
import static dev.trainops.testing.ClusterFixtures.node;
import static dev.trainops.testing.ClusterFixtures.timeSlicedNode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.kube.KubeNames;
import java.math.BigDecimal;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The one GPU-share rule, read from the node a pod runs on: what billing and the sandbox's speed
 * model both charge and plan with: whole GPUs, MIG under strategy single and mixed, time-sliced and
 * MPS replicas (docs/money.md cost rule 5).
 */
class GpuSharesTest {
    static final Map<String, String> TIME_SLICED_GPU_LABELS = Map.of(KubeNames.LABEL_GPU_PRODUCT, "Tesla-T4",
            KubeNames.LABEL_GPU_REPLICAS, "4", KubeNames.LABEL_GPU_SHARING_STRATEGY, "time-slicing");

    @Test
    void wholeGpusOnAPlainNodeCountOneEach() {
        assertThat(GpuShares.equivalents(Map.of(KubeNames.GPU_RESOURCE, 4L), gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)))
                .isEqualByComparingTo("4");
    }

    @Test
    void aMigSliceIsItsComputeSlicesOutOfSeven() {
        BigDecimal share = GpuShares.equivalents(Map.of("nvidia.com/mig-3g.40gb", 1L, "nvidia.com/mig-1g.10gb", 2L), migMixedNode("a100-mig", 7, 2));
        // 3/7 + 2 x 1/7, each resource's share rounded to 12 places
        assertThat(share).isEqualByComparingTo("0.714285714285");
    }

    @Test
    void aTimeSlicedReplicaIsOneOverTheReplicasWhetherRenamedOrNot() {
        assertThat(GpuShares.equivalents(Map.of(KubeNames.GPU_SHARED_RESOURCE, 2L), timeSlicedNode("t4-shared", "Tesla-T4", 2, 4)))
                .isEqualByComparingTo("0.5");
        assertThat(GpuShares.equivalents(Map.of(KubeNames.GPU_RESOURCE, 2L), node("t4-ts", TIME_SLICED_GPU_LABELS, Map.of(KubeNames.GPU_RESOURCE, 8))))
                .isEqualByComparingTo("0.5");
    }

    @Test
    void underMigStrategySingleAPlainGpuIsTheSliceTheProductNames() {
        Map<String, String> single = Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb", KubeNames.LABEL_MIG_STRATEGY, "single");
        assertThat(GpuShares.share(KubeNames.GPU_RESOURCE, single)).isEqualByComparingTo("0.142857142857");
        assertThat(GpuShares.sharing(KubeNames.GPU_RESOURCE, single)).isEqualTo(Sharing.MIG);
        assertThat(GpuShares.migProfile(KubeNames.GPU_RESOURCE, single)).isEqualTo("1g.5gb");
        // 7 slices of 1g make one GPU, to the 12th place
        assertThat(GpuShares.equivalents(Map.of(KubeNames.GPU_RESOURCE, 7L), single)).isEqualByComparingTo("1");
    }

    @Test
    void anMpsReplicaIsOneOverTheReplicas() {
        Map<String, String> mps = Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-L4", KubeNames.LABEL_GPU_REPLICAS, "4",
                KubeNames.LABEL_GPU_SHARING_STRATEGY, "mps");
        assertThat(GpuShares.share(KubeNames.GPU_RESOURCE, mps)).isEqualByComparingTo("0.25");
        assertThat(GpuShares.sharing(KubeNames.GPU_RESOURCE, mps)).isEqualTo(Sharing.MPS);
    }

    @Test
    void aTimeSlicedMigSliceIsItsSeventhsOverItsReplicas() {
        Map<String, String> labels = Map.of(KubeNames.LABEL_MIG_STRATEGY, "mixed", "nvidia.com/mig-1g.10gb.replicas", "2");
        // 1/7 of the GPU shared 2 ways: 1/14
        assertThat(GpuShares.share("nvidia.com/mig-1g.10gb", labels)).isEqualByComparingTo("0.071428571429");
        assertThat(GpuShares.sharing("nvidia.com/mig-1g.10gb", labels)).isEqualTo(Sharing.MIG);
    }

    @Test
    void aPlainNodesGpuIsExclusiveAndWhole() {
        Map<String, String> plain = Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-H100-80GB-HBM3", KubeNames.LABEL_MIG_STRATEGY, "none");
        assertThat(GpuShares.share(KubeNames.GPU_RESOURCE, plain)).isEqualByComparingTo("1");
        assertThat(GpuShares.sharing(KubeNames.GPU_RESOURCE, plain)).isEqualTo(Sharing.EXCLUSIVE);
        assertThat(GpuShares.migProfile(KubeNames.GPU_RESOURCE, plain)).isNull();
    }
}

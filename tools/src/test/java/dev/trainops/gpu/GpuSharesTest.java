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
 * model both charge and plan with. The figures are today's rule; issue 13 corrects MIG strategy
 * single and MPS replicas here, in this one place.
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
    void theNodeFormAndTheExplicitFormAreTheSameRule() {
        Map<String, Long> requests = Map.of(KubeNames.GPU_RESOURCE, 3L);
        assertThat(GpuShares.equivalents(requests, node("t4-ts", TIME_SLICED_GPU_LABELS, Map.of(KubeNames.GPU_RESOURCE, 8))))
                .isEqualByComparingTo(GpuShares.equivalents(requests, 4, true));
    }
}

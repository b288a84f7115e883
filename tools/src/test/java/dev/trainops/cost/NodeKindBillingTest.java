package dev.trainops.cost;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static dev.trainops.testing.ClusterFixtures.migMixedNode;
import static dev.trainops.testing.ClusterFixtures.node;
import static dev.trainops.testing.ClusterFixtures.runningPod;
import static dev.trainops.testing.ClusterFixtures.timeSlicedNode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.SpotNodes;
import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the ledger bills for one hour of one pod on each kind of GPU node (docs/money.md cost rules 4
 * and 5), through the real path: the informer's pods and nodes, {@link ClusterUsage},
 * {@link UsageRecorder} and the {@link Ledger}. Every pod runs 10:00-11:00 UTC on a Wednesday, all
 * peak, at the prices below; each expected amount is worked out by hand beside it.
 */
class NodeKindBillingTest {
    static final Instant START = Instant.parse("2026-11-25T10:00:00Z");
    static final Instant END = START.plus(Duration.ofHours(1));

    /** Per GPU-hour, peak on demand; CPU $0.036/core-hour, memory $0.004/GiB-hour; spot 70% off; off-peak 22:00-06:00 at half. */
    static final PriceBook PRICES = new PriceBook(List.of(new PriceList("test", Instant.parse("2026-01-01T00:00:00Z"),
            Money.currency("USD"), Map.of("H100", new BigDecimal("7.000000"), "A100-40GB", new BigDecimal("2.800000"),
                    "A100-80GB", new BigDecimal("3.500000"), "T4", new BigDecimal("0.800000"), "L4", new BigDecimal("0.900000")),
            new BigDecimal("0.036000"), new BigDecimal("0.004000"), TariffCalendar.defaults(ZoneOffset.UTC), new BigDecimal("0.70"),
            new BigDecimal("0.05"))), SpotNodes.DEFAULTS);

    @TempDir
    Path dir;
    CrudMockServer mock;
    ClusterIndex index;
    Store store;
    Ledger ledger;

    @BeforeEach
    void open() throws Exception {
        mock = new CrudMockServer();
        store = Store.sqlite(dir);
        ledger = new Ledger(store, PRICES, new MutableClock(END));
    }

    @AfterEach
    void close() {
        if (index != null) {
            index.close();
        }
        mock.close();
        store.close();
    }

    @Test
    void costRule5_wholeGpusPayTheFullRatePlusCpuAndMemory() {
        Pod pod = new PodBuilder(started(runningPod("team-a", "whole", "h100-a", KubeNames.GPU_RESOURCE, 2, null)))
                .editSpec().editFirstContainer().editResources()
                .addToRequests("cpu", new Quantity("4")).addToRequests("memory", new Quantity("16Gi"))
                .endResources().endContainer().endSpec().build();
        // 2 GPUs x $7.00 + 4 cores x $0.036 + 16 GiB x $0.004 = 14.000 + 0.144 + 0.064 for the hour
        assertThat(bill(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8), pod)).isEqualByComparingTo("14.208000");
    }

    @Test
    void costRule5_aMigSliceUnderStrategySingleIsItsSeventhsNotAWholeGpu() {
        Node single = node("a100-single", Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-A100-SXM4-40GB-MIG-1g.5gb",
                KubeNames.LABEL_GPU_MEMORY_MIB, "4864", KubeNames.LABEL_GPU_COUNT, "56", KubeNames.LABEL_MIG_STRATEGY, "single"),
                Map.of(KubeNames.GPU_RESOURCE, 56));
        // one nvidia.com/gpu here is a 1g.5gb slice: 1/7 x $2.80 = $0.40 for the hour (billed $2.80 before: 7x)
        assertThat(bill(single, started(runningPod("team-a", "slice", "a100-single", KubeNames.GPU_RESOURCE, 1, null))))
                .isEqualByComparingTo("0.400000");
    }

    @Test
    void costRule5_aMigSliceUnderStrategyMixedIsItsSeventhsOfTheGpu() {
        // 3g.40gb = 3/7 of an A100-80GB: 3/7 x $3.50 = $1.50 for the hour
        assertThat(bill(migMixedNode("a100-mig", 7, 2), started(runningPod("team-a", "mig3", "a100-mig", "nvidia.com/mig-3g.40gb", 1, null))))
                .isEqualByComparingTo("1.500000");
    }

    @Test
    void costRule5_timeSlicedReplicasRenamedToGpuSharedAreOneOverReplicas() {
        // 2 replicas of a T4 shared 4 ways: 2/4 x $0.80 = $0.40 for the hour
        assertThat(bill(timeSlicedNode("t4-shared", "Tesla-T4", 2, 4),
                started(runningPod("team-a", "ts", "t4-shared", KubeNames.GPU_SHARED_RESOURCE, 2, null)))).isEqualByComparingTo("0.400000");
    }

    @Test
    void costRule5_timeSlicedReplicasAdvertisedAsPlainGpuAreOneOverReplicas() {
        Node node = node("t4-ts", Map.of(KubeNames.LABEL_GPU_PRODUCT, "Tesla-T4", KubeNames.LABEL_GPU_REPLICAS, "4",
                KubeNames.LABEL_GPU_SHARING_STRATEGY, "time-slicing"), Map.of(KubeNames.GPU_RESOURCE, 8));
        // 1 replica of 4: 1/4 x $0.80 = $0.20 for the hour
        assertThat(bill(node, started(runningPod("team-a", "ts1", "t4-ts", KubeNames.GPU_RESOURCE, 1, null)))).isEqualByComparingTo("0.200000");
    }

    @Test
    void costRule5_anMpsReplicaIsOneOverReplicasNotAWholeGpu() {
        Node node = node("l4-mps", Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-L4", KubeNames.LABEL_GPU_MEMORY_MIB, "23034",
                KubeNames.LABEL_GPU_REPLICAS, "3", KubeNames.LABEL_GPU_SHARING_STRATEGY, "mps"), Map.of(KubeNames.GPU_RESOURCE, 12));
        // 1 MPS replica of 3: 1/3 x $0.90 = $0.30 for the hour (billed $0.90 before: 3x)
        assertThat(bill(node, started(runningPod("team-a", "mps", "l4-mps", KubeNames.GPU_RESOURCE, 1, null)))).isEqualByComparingTo("0.300000");
    }

    @Test
    void costRule4_aPodOnASpotNodeIsBilledAtTheSpotRateWhateverTheJobAsked() {
        Node spot = new NodeBuilder(gpuNode("h100-spot", "NVIDIA-H100-80GB-HBM3", 81559, 8))
                .editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata().build();
        // the job did not ask for spot; the node is spot: 1 GPU x $7.00 x (1 - 0.70) = $2.10 for the hour, rate class SPOT
        assertThat(bill(spot, started(runningPod("team-a", "on-spot", "h100-spot", KubeNames.GPU_RESOURCE, 1, null))))
                .isEqualByComparingTo("2.100000");
        assertThat(ledger.slices("team-a/on-spot")).extracting(PricedSlice::rateClass).containsOnly(RateClass.SPOT);
    }

    @Test
    void costRule4_aPodThatAskedForSpotOnAnOnDemandNodeIsBilledOnDemand() {
        Pod asked = new PodBuilder(started(runningPod("team-a", "asked-spot", "h100-a", KubeNames.GPU_RESOURCE, 1, null)))
                .editMetadata().addToLabels(KubeNames.LABEL_SPOT, "true").endMetadata().build();
        // the node is on-demand: 1 GPU x $7.00 at peak = $7.00 for the hour, rate class PEAK
        assertThat(bill(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8), asked)).isEqualByComparingTo("7.000000");
        assertThat(ledger.slices("team-a/asked-spot")).extracting(PricedSlice::rateClass).containsOnly(RateClass.PEAK);
    }

    @Test
    void costRule4_spotNodeLabelsComeFromConfig() {
        SpotNodes onlyAks = new SpotNodes(List.of(SpotNodes.Label.parse("kubernetes.azure.com/scalesetpriority=spot", "test")), List.of());
        Node karpenterSpot = new NodeBuilder(gpuNode("h100-k", "NVIDIA-H100-80GB-HBM3", 81559, 8))
                .editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata().build();
        Node aksSpot = new NodeBuilder(gpuNode("h100-z", "NVIDIA-H100-80GB-HBM3", 81559, 8))
                .editMetadata().addToLabels("kubernetes.azure.com/scalesetpriority", "spot").endMetadata().build();
        assertThat(onlyAks.isSpot(karpenterSpot)).isFalse();
        assertThat(onlyAks.isSpot(aksSpot)).isTrue();
        assertThat(SpotNodes.DEFAULTS.isSpot(karpenterSpot)).isTrue();
    }

    /** Records the cluster's usage at 11:00 and answers what the ledger billed the pod. */
    private BigDecimal bill(Node node, Pod pod) {
        mock.client().resource(node).create();
        mock.client().resource(pod).create();
        index = new ClusterIndex(new MutableClock(END)).start(mock.client());
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
        new UsageRecorder(new ClusterUsage(index, PRICES.spotNodes()), ledger, PRICES, new MutableClock(END)).recordOnce();
        return ledger.jobCost(pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName()).amount();
    }

    private static Pod started(Pod pod) {
        return new PodBuilder(pod).editStatus().withStartTime(START.toString()).endStatus().build();
    }
}

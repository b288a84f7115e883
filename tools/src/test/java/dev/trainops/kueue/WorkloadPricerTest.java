package dev.trainops.kueue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.queue.Estimator;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Kueue v1beta2 Workload's price (docs/kubernetes.md, "Kueue budget check"): pods as admitted x
 * GPUs per pod, the GPU type from the flavor assignment or the node selector, the duration from
 * history through the queue's estimator or from the time limit, priced by the same engine as the bill.
 */
class WorkloadPricerTest {
    static final Instant NOW = Instant.parse("2026-06-10T12:00:00Z");
    static final Map<String, Map<String, String>> FLAVORS = Map.of("gpu-large", Map.of("nvidia.com/gpu.product", "NVIDIA-H100-80GB-HBM3"),
            "a100-80gb", Map.of(), "default-flavor", Map.of());

    PriceBook prices;
    final List<String> asked = new ArrayList<>();
    final Estimator none = (model, epochs, batch, type, gpus, spot, at) -> Optional.empty();

    @BeforeEach
    void prices() throws Exception {
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
    }

    /** A Workload team-a/w with these fields (and its own metadata, when they start with it). */
    static GenericKubernetesResource workload(String yaml) {
        return KueueFixtures.KUBE.unmarshal("apiVersion: kueue.x-k8s.io/v1beta2\nkind: Workload\n"
                + (yaml.startsWith("metadata:") ? "" : "metadata: {name: w, namespace: team-a}\n") + yaml, GenericKubernetesResource.class);
    }

    WorkloadPricer.Demand demand(WorkloadPricer pricer, GenericKubernetesResource w) {
        return pricer.demand(w, name -> FLAVORS.getOrDefault(name, Map.of()));
    }

    Money cost(String type, String gpus, String cpu, String memoryGib, long seconds) {
        return prices.cost(new JobFootprint(type, new BigDecimal(gpus), new BigDecimal(cpu), new BigDecimal(memoryGib)), NOW, seconds, false);
    }

    @Test
    void podsAsAdmittedTimesGpusPerPodOnTheTypeOfTheFlavorsNodeLabel() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        // partial admission: 4 pods asked, 2 admitted
        WorkloadPricer.Demand d = demand(pricer, workload("""
                spec:
                  podSets:
                  - name: workers
                    count: 4
                    template:
                      spec:
                        activeDeadlineSeconds: 1800
                        containers:
                        - {name: t, image: x, resources: {requests: {cpu: "4", memory: 32Gi}, limits: {nvidia.com/gpu: 8}}}
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments:
                    - {name: workers, count: 2, flavors: {nvidia.com/gpu: gpu-large}}
                """));

        assertThat(d.podSets()).singleElement().satisfies(p -> {
            assertThat(p.pods()).isEqualTo(2);
            assertThat(p.gpus()).isEqualTo(16);
            assertThat(p.gpuType()).isEqualTo("H100");
            assertThat(p.typeFrom()).isEqualTo("the nvidia.com/gpu.product node label of ResourceFlavor gpu-large");
        });
        assertThat(pricer.price(d, NOW)).isEqualTo(new WorkloadPricer.Priced(cost("H100", "16", "8", "64", 1800), 1800, "16 x H100",
                "priced at its time limit, its pods' activeDeadlineSeconds 1800 s, the most it can cost"));
    }

    @Test
    void aFlavorNamedAfterAGpuTypeOrElseTheNodeSelectorNamesTheType() {
        assertThat(WorkloadPricer.gpuType("a100-80gb", Map.of(), Map.of())).isEqualTo(new WorkloadPricer.GpuType("A100-80GB",
                "the name of ResourceFlavor a100-80gb"));
        assertThat(WorkloadPricer.gpuType("default-flavor", Map.of(), Map.of("nvidia.com/gpu.product", "NVIDIA-L4")))
                .isEqualTo(new WorkloadPricer.GpuType("L4", "its nvidia.com/gpu.product node selector"));
        assertThat(WorkloadPricer.gpuType("default-flavor", Map.of(), Map.of()).name()).isNull();
    }

    @Test
    void theSmallerTimeLimitBindsAndKueueCountsPastExecutionAgainstItsOwn() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        WorkloadPricer.Demand d = demand(pricer, workload("""
                spec:
                  maximumExecutionTimeSeconds: 5400
                  podSets:
                  - name: main
                    count: 1
                    template:
                      spec:
                        activeDeadlineSeconds: 7200
                        nodeSelector: {nvidia.com/gpu.product: NVIDIA-L4}
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
                status:
                  accumulatedPastExecutionTimeSeconds: 1800
                """));

        assertThat(d.timeLimitSeconds()).isEqualTo(3600);
        assertThat(d.timeLimitFrom()).isEqualTo("its spec.maximumExecutionTimeSeconds");
        assertThat(((WorkloadPricer.Priced) pricer.price(d, NOW)).cost()).isEqualTo(cost("L4", "1", "0", "0", 3600));
    }

    @Test
    void cpuAndMemoryPerPodAreTheSchedulersEffectiveRequests() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        WorkloadPricer.Demand d = demand(pricer, workload("""
                spec:
                  podSets:
                  - name: main
                    count: 3
                    template:
                      spec:
                        activeDeadlineSeconds: 3600
                        initContainers:
                        - {name: fetch, image: x, resources: {requests: {cpu: "10", memory: 1Gi}}}
                        containers:
                        - {name: t, image: x, resources: {requests: {cpu: "2", memory: 16Gi, nvidia.com/gpu: 1}}}
                        - {name: sidecar, image: x, resources: {limits: {cpu: 500m, memory: 512Mi}}}
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments: [{name: main, flavors: {nvidia.com/gpu: a100-80gb}}]
                """));

        WorkloadPricer.PodSetDemand p = d.podSets().get(0);
        assertThat(p.cpuPerPod()).as("the init container's 10 cores beat 2 + 0.5").isEqualByComparingTo("10");
        assertThat(p.memoryGibPerPod()).as("16 GiB + the sidecar's limit of 512 Mi beat 1 Gi").isEqualByComparingTo("16.5");
        assertThat(p.pods()).as("no count admitted: the pod set's").isEqualTo(3);
        assertThat(((WorkloadPricer.Priced) pricer.price(d, NOW)).cost()).isEqualTo(cost("A100-80GB", "3", "30", "49.5", 3600));
    }

    @Test
    void aModelWithEpochsIsPricedByTheQueuesEstimatorWithAllTheUnitsOfItsType() {
        Money perRun = Money.of("40.000000", "USD");
        Estimator history = new Estimator() {
            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, int gpus, boolean spot, Instant at) {
                return estimate(model, epochs, batch, type, null, gpus, spot, at);
            }

            @Override
            public Optional<Estimate> estimate(String model, int epochs, int batch, String type, String mig, int gpus, boolean spot, Instant at) {
                asked.add(model + " " + epochs + " epochs, batch " + batch + ", " + gpus + " x " + type + (spot ? " spot" : "") + " at " + at);
                return Optional.of(new Estimate(type, 5400, perRun, "scaled from llm-bs64 in trainops-jobs (MEDIUM confidence)"));
            }
        };
        WorkloadPricer pricer = new WorkloadPricer(history, prices);
        WorkloadPricer.Demand d = demand(pricer, workload("""
                spec:
                  podSets:
                  - name: master
                    count: 1
                    template:
                      metadata: {labels: {trainops.dev/model: llm}, annotations: {trainops.dev/epochs: "6", trainops.dev/batch-size: "128"}}
                      spec:
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
                  - name: worker
                    count: 3
                    template:
                      spec:
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/gpu: 2}}}]
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments:
                    - {name: master, count: 1, flavors: {nvidia.com/gpu: gpu-large}}
                    - {name: worker, count: 3, flavors: {nvidia.com/gpu: gpu-large}}
                """));

        assertThat(pricer.price(d, NOW)).isEqualTo(new WorkloadPricer.Priced(perRun, 5400, "1 x H100 + 6 x H100",
                "6 epochs of llm from its run history, scaled from llm-bs64 in trainops-jobs (MEDIUM confidence)"));
        assertThat(asked).containsExactly("llm 6 epochs, batch 128, 7 x H100 at " + NOW);
    }

    @Test
    void aModelWithoutHistoryFallsBackToItsTimeLimitAndSaysSo() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        GenericKubernetesResource w = workload("""
                metadata: {name: w, namespace: team-a, labels: {trainops.dev/model: fresh}, annotations: {trainops.dev/epochs: "3"}}
                spec:
                  podSets:
                  - name: main
                    count: 1
                    template:
                      spec:
                        activeDeadlineSeconds: 600
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments: [{name: main, count: 1, flavors: {nvidia.com/gpu: gpu-large}}]
                """);
        WorkloadPricer.Priced p = (WorkloadPricer.Priced) pricer.price(demand(pricer, w), NOW);

        assertThat(p.basis()).isEqualTo("no run history of fresh to estimate from: priced at its time limit, its pods' "
                + "activeDeadlineSeconds 600 s, the most it can cost");

        KueueObjects.map(KueueObjects.list(KueueObjects.field(w, "spec").get("podSets")).get(0)).put("template",
                Map.of("spec", Map.of("containers", List.of(Map.of("name", "t", "image", "x", "resources",
                        Map.of("limits", Map.of("nvidia.com/gpu", 1)))))));
        assertThat(pricer.price(demand(pricer, w), NOW)).isInstanceOfSatisfying(WorkloadPricer.Unpriced.class, u -> assertThat(u.reason())
                .isEqualTo("team-a/w is model fresh, which has no run history to estimate 3 epochs on 1 x H100 from, and it has no time limit."))
                .extracting(u -> ((WorkloadPricer.Unpriced) u).historyMissing()).isEqualTo(true);
    }

    @Test
    void migSlicesArePricedAsTheirShareOfAGpu() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        WorkloadPricer.Demand d = demand(pricer, workload("""
                spec:
                  podSets:
                  - name: main
                    count: 1
                    template:
                      spec:
                        activeDeadlineSeconds: 3600
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/mig-3g.40gb: 2}}}]
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments: [{name: main, count: 1, flavors: {nvidia.com/mig-3g.40gb: a100-80gb}}]
                """));

        assertThat(d.podSets().get(0).migProfile()).isEqualTo("3g.40gb");
        String sixSevenths = BigDecimal.valueOf(6).divide(BigDecimal.valueOf(7), 12, RoundingMode.HALF_EVEN).toPlainString();
        assertThat(pricer.price(d, NOW)).isInstanceOfSatisfying(WorkloadPricer.Priced.class, p -> {
            assertThat(p.what()).isEqualTo("2 x A100-80GB 3g.40gb");
            assertThat(p.cost()).isEqualTo(cost("A100-80GB", sixSevenths, "0", "0", 3600));
        });
    }

    @Test
    void noGpusNeedNoPriceAndAnUnknownOrUnpricedTypeSaysWhatToFix() {
        WorkloadPricer pricer = new WorkloadPricer(none, prices);
        String cpuOnly = """
                spec:
                  podSets:
                  - name: main
                    count: 1
                    template:
                      spec:
                        containers: [{name: t, image: x, resources: {requests: {cpu: "2"}}}]
                """;
        assertThat(pricer.price(demand(pricer, workload(cpuOnly)), NOW)).isInstanceOf(WorkloadPricer.NoGpus.class);

        String onFlavor = """
                spec:
                  podSets:
                  - name: main
                    count: 1
                    template:
                      spec:
                        activeDeadlineSeconds: 60
                        NODE_SELECTOR
                        containers: [{name: t, image: x, resources: {limits: {nvidia.com/gpu: 1}}}]
                status:
                  admission:
                    clusterQueue: q
                    podSetAssignments: [{name: main, count: 1, flavors: {nvidia.com/gpu: default-flavor}}]
                """;
        assertThat(pricer.price(demand(pricer, workload(onFlavor.replace("NODE_SELECTOR", ""))), NOW))
                .isEqualTo(new WorkloadPricer.Unpriced("Pod set main of team-a/w runs on ResourceFlavor default-flavor, which has no "
                        + "nvidia.com/gpu.product node label and whose name names no GPU type, so its GPUs cannot be priced.",
                        "Add nvidia.com/gpu.product to the nodeLabels of ResourceFlavor default-flavor (as GPU Feature Discovery labels its "
                                + "nodes), or name the flavor after its GPU type (e.g. h100, a100-80gb)."));
        assertThat(pricer.price(demand(pricer, workload(onFlavor.replace("NODE_SELECTOR", "nodeSelector: {nvidia.com/gpu.product: Tesla-V100-SXM2-16GB}"))), NOW))
                .isEqualTo(new WorkloadPricer.Unpriced("Pod set main of team-a/w runs on V100 (its nvidia.com/gpu.product node selector), "
                        + "which config/pricing.yaml has no price for.", "Add V100 to gpu_hour in config/pricing.yaml."));
    }
}

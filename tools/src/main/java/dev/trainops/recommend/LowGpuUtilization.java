package dev.trainops.recommend;

import dev.trainops.cost.Money;
import dev.trainops.gpu.GpuShares;
import dev.trainops.gpu.GpuSpecs;
import dev.trainops.kube.KubeNames;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * LOW_GPU_UTILIZATION: the GPU was busy less than 30% of the time across the run, so most of what
 * it paid for sat idle. Offers a share of the GPU instead of a whole one, billed as a share (cost
 * rule 5): the smallest MIG slice with 20% memory headroom, where the type has MIG (the slice runs
 * the busy part 7/slices times slower), or two-way time-slicing (the busy part may wait for the
 * other tenant: time x (1 + busy share), a worst case). The cheapest of them is the recommendation.
 */
final class LowGpuUtilization implements Strategy {
    static final double MAX_UTILIZATION = 30;
    static final double MEMORY_HEADROOM = 1.2;

    @Override
    public RecommendationType type() {
        return RecommendationType.LOW_GPU_UTILIZATION;
    }

    private record Option(String name, String request, BigDecimal share, long seconds, Money cost, String model) {
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        Silent silent = Strategy.unlessUtilizationBelow(run, MAX_UTILIZATION, ".");
        if (silent != null) {
            return silent;
        }
        RunFacts.Utilization u = run.utilization;
        if (run.durationSeconds <= 0) {
            return new Silent("The run has no measured time to price.");
        }
        double busy = u.busyFraction();
        long t = run.durationSeconds;
        List<Option> options = new ArrayList<>();
        if (run.gpuCount == 1 && run.peakMemoryMb != null) {
            double needMib = run.peakMemoryMb * RunFacts.MIB_PER_MB * MEMORY_HEADROOM;
            for (GpuSpecs.MigProfile p : GpuSpecs.migProfiles(run.gpuType)) {
                if (p.memoryMib() >= needMib) {
                    String resource = KubeNames.MIG_RESOURCE_PREFIX + p.name();
                    BigDecimal share = GpuShares.share(resource, Map.of());
                    double slow = (1 - busy) + busy / share.doubleValue();
                    long seconds = Math.round(t * slow);
                    options.add(new Option("a MIG " + p.name() + " slice of the " + run.gpuType, resource + ": 1", share,
                            seconds, costing.cost(run.start, seconds, run.gpuType, share, false),
                            p.slices() + "/7 of the compute: busy part x" + RunFacts.number(1 / share.doubleValue())));
                    break;
                }
            }
        }
        // two replicas per GPU: the share GpuShares gives a replica on such a node
        BigDecimal half = GpuShares.share(KubeNames.GPU_SHARED_RESOURCE, Map.of(KubeNames.LABEL_GPU_REPLICAS, "2")).multiply(costing.gpus());
        long shared = Math.round(t * (1 + busy));
        options.add(new Option("half of a time-sliced " + run.gpuType + " (2 replicas per GPU)", "nvidia.com/gpu on a node with "
                + "time-slicing replicas: 2", half, shared, costing.cost(run.start, shared, run.gpuType, half, false),
                "worst case: every busy period waits for the other tenant"));
        Option best = options.stream().min(java.util.Comparator.comparing(Option::cost)).orElseThrow();
        String trigger = "mean GPU utilisation " + RunFacts.percent(u.mean()) + " < " + RunFacts.percent(MAX_UTILIZATION) + " across the run";
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric " + String.join(", ", u.keys()), "mean " + RunFacts.percent(u.mean()) + " over " + u.samples()
                + " samples, max " + RunFacts.percent(u.max())));
        if (run.peakMemoryMb != null) {
            evidence.add(Strategy.evidence("metric system/gpu_0_memory_usage_megabytes", "peak " + Math.round(run.peakMemoryMb) + " MB"));
        }
        List<String> alternatives = new ArrayList<>();
        for (Option o : options) {
            alternatives.add(o.name() + ": " + o.cost().display() + " in " + o.seconds() + " s (" + o.model() + ")");
        }
        return new Fired("Run it on " + best.name() + " instead of a whole GPU", trigger,
                "The " + run.gpuType + " was busy only " + RunFacts.percent(u.mean()) + " of the time, so about "
                        + RunFacts.percent(100 - u.mean()) + " of the GPU-time paid for sat idle. A share of the GPU is billed as a share; "
                        + "the run takes longer, but costs less. Options: " + String.join("; ", alternatives)
                        + ". A smaller GPU type or the CPU may also do (see RIGHT_SIZE_GPU).",
                evidence, best.cost(), best.seconds(),
                "The run on " + best.name() + ", billed at its share of the GPU rate, time stretched (" + best.model() + "), priced from the run's start.",
                Recommendations.Confidence.LOW, new Recommendations.Action(null, Map.of(),
                        "Request " + best.request() + " instead of a whole GPU for the next " + run.run.runName()
                                + " (queue_training_job takes whole GPUs only; set the resource in the job template)."));
    }
}

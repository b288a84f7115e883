package dev.trainops.recommend;

import dev.trainops.cost.Money;
import dev.trainops.cost.PriceList;
import dev.trainops.gpu.GpuSpecs;
import dev.trainops.gpu.GpuSpeeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * RIGHT_SIZE_GPU: the run used a small part of its GPU's memory for the whole run (its peak below
 * 25%) AND kept the GPU busy less than half the time. Both, never one: a compute-bound run on a
 * smaller GPU only takes longer. Candidates are the priced types with a lower hourly rate and
 * 25% memory headroom over the peak; the busy part of the time scales with peak tensor TFLOPS,
 * the idle part (input, overhead) stays. The cheapest candidate is the recommendation.
 */
final class RightSizeGpu implements Strategy {
    static final double MAX_UTILIZATION = 50;
    static final double MAX_MEMORY_SHARE = 0.25;
    static final double MEMORY_HEADROOM = 1.25;

    @Override
    public RecommendationType type() {
        return RecommendationType.RIGHT_SIZE_GPU;
    }

    private record Candidate(String type, long seconds, Money cost, double slowdown) {
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        Silent silent = Strategy.unlessUtilizationBelow(run, MAX_UTILIZATION,
                ": the run is compute-bound, and a smaller GPU would only slow it down.");
        if (silent != null) {
            return silent;
        }
        RunFacts.Utilization u = run.utilization;
        if (run.peakMemoryMb == null || run.gpuMemoryMib == null) {
            return new Silent("GPU memory use or the GPU's memory is unknown.");
        }
        double usedMib = run.peakMemoryMb * RunFacts.MIB_PER_MB;
        double share = usedMib / run.gpuMemoryMib;
        if (share >= MAX_MEMORY_SHARE) {
            return new Silent("Peak memory " + Math.round(usedMib) + " MiB is " + RunFacts.percent(share * 100) + " of the " + run.gpuType
                    + "'s, not below " + RunFacts.percent(MAX_MEMORY_SHARE * 100) + ".");
        }
        Integer from = GpuSpeeds.tflops(run.gpuType);
        if (from == null || run.durationSeconds <= 0) {
            return new Silent("No speed figure for " + run.gpuType + " to scale the run by.");
        }
        PriceList prices = costing.prices(run.start);
        double busy = u.busyFraction();
        List<Candidate> candidates = new ArrayList<>();
        for (String type : prices.gpuHour().keySet()) {
            Integer to = GpuSpeeds.tflops(type);
            Long memory = GpuSpecs.memoryMib(type);
            if (type.equals(run.gpuType) || to == null || memory == null || memory < usedMib * MEMORY_HEADROOM
                    || prices.gpuRate(type).compareTo(prices.gpuRate(run.gpuType)) >= 0) {
                continue;
            }
            double slowdown = (1 - busy) + busy * Math.max(1.0, (double) from / to);
            long seconds = Math.round(run.durationSeconds * slowdown);
            candidates.add(new Candidate(type, seconds, costing.cost(run.start, seconds, type, costing.gpus(), false), slowdown));
        }
        Money baseline = costing.cost(run.start, run.durationSeconds);
        Candidate best = candidates.stream().min(java.util.Comparator.comparing(Candidate::cost)).orElse(null);
        if (best == null || best.cost().compareTo(baseline) >= 0) {
            return new Silent("No cheaper priced GPU type with " + Math.round(usedMib * MEMORY_HEADROOM) + " MiB would cost less for this run.");
        }
        String trigger = "peak memory " + Math.round(usedMib) + " MiB = " + RunFacts.percent(share * 100) + " < "
                + RunFacts.percent(MAX_MEMORY_SHARE * 100) + " of the " + run.gpuType + " and mean utilisation " + RunFacts.percent(u.mean())
                + " < " + RunFacts.percent(MAX_UTILIZATION);
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric system/gpu_0_memory_usage_megabytes", "peak " + Math.round(run.peakMemoryMb) + " MB of "
                + run.gpuMemoryMib + " MiB"));
        evidence.add(Strategy.evidence("metric " + String.join(", ", u.keys()), "mean " + RunFacts.percent(u.mean()) + " over " + u.samples()
                + " samples"));
        List<String> others = new ArrayList<>();
        for (Candidate c : candidates) {
            others.add(c.type() + " " + c.cost().display() + " (x" + RunFacts.number(Math.round(c.slowdown() * 10) / 10.0) + " time)");
        }
        evidence.add(Strategy.evidence("price list " + prices.version(), run.gpuType + " " + prices.gpuRate(run.gpuType).stripTrailingZeros()
                .toPlainString() + "/h; " + best.type() + " " + prices.gpuRate(best.type()).stripTrailingZeros().toPlainString() + "/h"));
        Map<String, Object> args = run.queueArguments(best.type().toLowerCase(java.util.Locale.ROOT));
        args.put("gpu_type", best.type());
        return new Fired("Move it to " + best.type() + ": it uses " + RunFacts.percent(share * 100) + " of the " + run.gpuType
                + "'s memory and " + RunFacts.percent(u.mean()) + " of its time", trigger,
                "The run never needed more than " + Math.round(usedMib) + " MiB and left the " + run.gpuType + " idle "
                        + RunFacts.percent(100 - u.mean()) + " of the time. On " + best.type() + " it would take about "
                        + RunFacts.number(Math.round(best.slowdown() * 10) / 10.0) + "x as long (busy part scaled by peak TFLOPS " + from
                        + " vs " + GpuSpeeds.tflops(best.type()) + ") but cost " + best.cost().display() + " instead of " + baseline.display()
                        + ". Candidates: " + String.join(", ", others) + ".",
                evidence, best.cost(), best.seconds(), "The run on " + best.type() + ", time scaled by peak TFLOPS on its busy part, priced from "
                        + "the run's start.", Recommendations.Confidence.LOW,
                new Recommendations.Action("queue_training_job", args, "Queue the next run with gpu_type=" + best.type() + ". " + run.queueHint(args)));
    }
}

package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * MIXED_PRECISION: the run says it trains in full FP32 precision (its params: precision,
 * mixed_precision, amp, dtype) and keeps the GPU busy at least half the time, so the tensor cores'
 * FP16/BF16 rate matters: about twice the TF32 rate on A100/H100/H200/L4, more on T4. The busy part
 * of the time is halved; the rest stays. Without a precision param it stays silent: no evidence.
 */
final class MixedPrecision implements Strategy {
    static final double MIN_UTILIZATION = 50;
    static final double SPEEDUP = 2.0;
    private static final Set<String> FULL = Set.of("32", "32-true", "fp32", "float32", "full", "no", "none", "false", "tf32");
    private static final Set<String> NO_BF16 = Set.of("T4", "V100");

    @Override
    public RecommendationType type() {
        return RecommendationType.MIXED_PRECISION;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        String key = null;
        for (String k : List.of("precision", "mixed_precision", "amp", "dtype", "torch_dtype")) {
            if (run.param(k) != null) {
                key = k;
                break;
            }
        }
        if (key == null) {
            return new Silent("The run logged no precision param (precision, mixed_precision, amp, dtype): no evidence either way.");
        }
        String value = run.param(key).toLowerCase(Locale.ROOT).replace("torch.", "");
        if (!FULL.contains(value)) {
            return new Silent("It already trains in reduced precision (" + key + "=" + run.param(key) + ").");
        }
        RunFacts.Utilization u = run.utilization;
        if (u == null) {
            return new Silent("No GPU utilisation metric to tell whether the GPU's arithmetic is the bottleneck.");
        }
        if (u.mean() < MIN_UTILIZATION) {
            return new Silent("The GPU was busy only " + RunFacts.percent(u.mean()) + " of the time (< " + RunFacts.percent(MIN_UTILIZATION)
                    + "): the time goes elsewhere, and faster arithmetic would not shorten it much.");
        }
        if (run.durationSeconds <= 0) {
            return new Silent("The run has no measured time to price.");
        }
        double busy = u.busyFraction();
        double factor = (1 - busy) + busy / SPEEDUP;
        long work = run.durationSeconds - run.warmupSeconds();
        long after = run.warmupSeconds() + Math.round(work * factor);
        Money costAfter = costing.cost(run.start, after);
        String target = NO_BF16.contains(run.gpuType) ? "16-mixed" : "bf16-mixed";
        Map<String, Object> args = run.queueArguments("amp");
        args.put("params", Map.of("precision", target));
        return new Fired("Train in mixed precision (" + target + ") instead of FP32", key + "=" + run.param(key) + " on a " + run.gpuType
                + " busy " + RunFacts.percent(u.mean()) + " >= " + RunFacts.percent(MIN_UTILIZATION) + " of the time",
                "The run trains in full precision while the GPU is busy " + RunFacts.percent(u.mean()) + " of the time. The "
                        + run.gpuType + "'s tensor cores run FP16/BF16 about " + RunFacts.number(SPEEDUP) + "x as fast as FP32/TF32, "
                        + "so the busy part halves: about " + Math.round((1 - factor) * 100) + "% less time. Check the loss curve "
                        + "matches on the first epochs.",
                List.of(Strategy.evidence("param " + key, run.param(key)), Strategy.evidence("metric " + String.join(", ", u.keys()),
                        "mean " + RunFacts.percent(u.mean()) + " over " + u.samples() + " samples")),
                costAfter, after, "The run with its GPU-busy time halved (x" + RunFacts.number(Math.round(factor * 100) / 100.0)
                        + " overall), warm-up kept, priced from the run's start.", Recommendations.Confidence.MEDIUM,
                new Recommendations.Action("queue_training_job", args, "Queue the next run with params.precision=" + target
                        + " (torch.autocast, or Lightning's precision flag). " + run.queueHint(args)));
    }
}

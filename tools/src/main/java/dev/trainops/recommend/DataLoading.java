package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DATA_LOADING: GPU utilisation swings between busy and idle (coefficient of variation at least
 * 0.4 over at least 10 samples) while it can be busy (90th percentile at least 60%): the GPU waits
 * for input between bursts. If input kept up, the GPU would stay at its busy level: time x mean /
 * p90. A {@code num_workers} of 0 or 1 in the params is further evidence.
 */
final class DataLoading implements Strategy {
    static final int MIN_SAMPLES = 10;
    static final double MIN_VARIATION = 0.4;
    static final double MIN_P90 = 60;

    @Override
    public RecommendationType type() {
        return RecommendationType.DATA_LOADING;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        RunFacts.Utilization u = run.utilization;
        if (u == null) {
            return new Silent("No GPU utilisation metric (system/gpu_0_utilization_percentage).");
        }
        if (u.samples() < MIN_SAMPLES) {
            return new Silent("Only " + u.samples() + " utilisation samples; input stalls show as swings over at least " + MIN_SAMPLES + ".");
        }
        double variation = u.mean() <= 0 ? 0 : u.stdev() / u.mean();
        if (variation < MIN_VARIATION || u.p90() < MIN_P90) {
            return new Silent("Utilisation is steady (variation " + RunFacts.number(Math.round(variation * 100) / 100.0) + ", p90 "
                    + RunFacts.percent(u.p90()) + "): no sign of the GPU waiting for input.");
        }
        if (run.durationSeconds <= 0) {
            return new Silent("The run has no measured time to price.");
        }
        double factor = u.mean() / u.p90();
        long after = Math.round(run.durationSeconds * factor);
        Money costAfter = costing.cost(run.start, after);
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric " + String.join(", ", u.keys()), u.samples() + " samples: mean " + RunFacts.percent(u.mean())
                + ", p90 " + RunFacts.percent(u.p90()) + ", " + RunFacts.percent(u.shareBelow20() * 100) + " of samples below 20%"));
        Integer workers = RunFacts.integer(run.param("num_workers", "dataloader_num_workers"));
        Recommendations.Confidence confidence = Recommendations.Confidence.MEDIUM;
        if (workers != null) {
            evidence.add(Strategy.evidence("param num_workers", Integer.toString(workers)));
            if (workers <= 1) {
                confidence = Recommendations.Confidence.HIGH;
            }
        }
        Map<String, Object> args = run.queueArguments("io");
        args.put("params", Map.of("num_workers", Integer.toString(Math.max(8, workers == null ? 8 : workers * 2)), "pin_memory", "true"));
        return new Fired("Feed the GPU faster: it waits for input between bursts", "utilisation swings (variation "
                + RunFacts.number(Math.round(variation * 100) / 100.0) + " >= " + RunFacts.number(MIN_VARIATION) + ") while p90 "
                + RunFacts.percent(u.p90()) + " >= " + RunFacts.percent(MIN_P90),
                "GPU utilisation jumps between " + RunFacts.percent(u.p90()) + " (p90) and near idle (" + RunFacts.percent(u.shareBelow20() * 100)
                        + " of samples below 20%), averaging " + RunFacts.percent(u.mean()) + ": the GPU waits for batches. With input "
                        + "keeping up it would stay near " + RunFacts.percent(u.p90()) + ", about " + Math.round((1 - factor) * 100)
                        + "% less time.",
                evidence, costAfter, after, "The run at its p90 utilisation throughout (time x mean/p90 = x"
                        + RunFacts.number(Math.round(factor * 100) / 100.0) + "), priced from the run's start.", confidence,
                new Recommendations.Action("queue_training_job", args, "More DataLoader workers (num_workers), pin_memory=True, "
                        + "prefetching, or a pre-processed dataset format. " + run.queueHint(args)));
    }
}

package dev.trainops.recommend;

import dev.trainops.cost.PriceList;
import dev.trainops.cost.SpotModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * SPOT: the run checkpoints (its params say so) and its expected spot cost, interruptions and the
 * work they throw away included ({@link SpotModel}), is below what it cost on demand. A run that
 * does not checkpoint is never sent to spot: an interruption would restart it from scratch.
 */
final class Spot implements Strategy {
    static final Duration RESTART_OVERHEAD = Duration.ofMinutes(5);
    /** Assumed when the run checkpoints but does not say how often. */
    static final Duration DEFAULT_CHECKPOINT = Duration.ofMinutes(30);

    @Override
    public RecommendationType type() {
        return RecommendationType.SPOT;
    }

    /** How often the run checkpoints, and the param that says so. */
    record Checkpointing(Duration every, String param, String value, boolean stated) {
    }

    static Checkpointing checkpointing(RunFacts run) {
        String key = firstKey(run, "checkpoint_every_minutes", "checkpoint_interval_minutes", "save_every_minutes");
        Double minutes = key == null ? null : RunFacts.decimal(run.param(key));
        if (minutes != null && minutes > 0) {
            return new Checkpointing(Duration.ofSeconds(Math.max(1, Math.round(minutes * 60))), key, run.param(key), true);
        }
        if (run.rate != null) {
            key = firstKey(run, "checkpoint_every_epochs", "save_every_epochs");
            Double epochs = key == null ? null : RunFacts.decimal(run.param(key));
            if (epochs == null) {
                key = firstKey(run, "checkpoint_every", "save_strategy");
                epochs = key != null && "epoch".equalsIgnoreCase(run.param(key)) ? Double.valueOf(1) : null;
            }
            if (epochs != null && epochs > 0) {
                return new Checkpointing(Duration.ofSeconds(Math.max(1, Math.round(run.rate.secondsPerEpoch() * epochs))), key,
                        run.param(key), true);
            }
            key = firstKey(run, "save_steps", "checkpoint_every_steps");
            Double steps = key == null ? null : RunFacts.decimal(run.param(key));
            Integer perEpoch = RunFacts.integer(run.param("steps_per_epoch"));
            if (steps != null && steps > 0 && perEpoch != null && perEpoch > 0) {
                return new Checkpointing(Duration.ofSeconds(Math.max(1, Math.round(run.rate.secondsPerEpoch() * steps / perEpoch))), key,
                        run.param(key), true);
            }
        }
        key = firstKey(run, "checkpoint_dir", "checkpoint_path", "resume_from_checkpoint", "ckpt_dir");
        return key == null ? null : new Checkpointing(DEFAULT_CHECKPOINT, key, run.param(key), false);
    }

    private static String firstKey(RunFacts run, String... keys) {
        for (String k : keys) {
            if (run.param(k) != null) {
                return k;
            }
        }
        return null;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        if (run.job != null && run.job.spot() || "true".equalsIgnoreCase(run.param("spot"))) {
            return new Silent("It already runs on spot capacity.");
        }
        Checkpointing c = checkpointing(run);
        if (c == null) {
            return new Silent("No checkpointing in its params (checkpoint_dir, checkpoint_every_minutes, checkpoint_every_epochs, save_steps): "
                    + "an interrupted spot run would start over.");
        }
        if (run.durationSeconds <= 0) {
            return new Silent("The run has no measured time to price.");
        }
        PriceList prices = costing.prices(run.start);
        SpotModel.Estimate e = SpotModel.estimate(Duration.ofSeconds(run.durationSeconds), costing.peakHourly(run.start), prices, c.every(),
                RESTART_OVERHEAD);
        if (!e.feasible()) {
            return new Silent(e.reason());
        }
        var baseline = costing.cost(run.start, run.durationSeconds);
        if (e.expectedCost().compareTo(baseline) >= 0) {
            return new Silent("Expected spot cost " + e.expectedCost().display() + " with interruptions is not below " + baseline.display() + ".");
        }
        String discount = prices.spotDiscount().multiply(java.math.BigDecimal.valueOf(100)).stripTrailingZeros().toPlainString();
        String rate = prices.spotInterruptionsPerHour().multiply(java.math.BigDecimal.valueOf(100)).stripTrailingZeros().toPlainString();
        String trigger = "checkpoints (" + c.param() + "=" + c.value() + ") and expected spot cost " + e.expectedCost().display()
                + " < on-demand " + baseline.display();
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("param " + c.param(), c.value() + (c.stated() ? ": a checkpoint every " + c.every().toSeconds() + " s"
                : ": checkpoints, interval not logged; assumed every " + c.every().toMinutes() + " min")));
        evidence.add(Strategy.evidence("price list " + prices.version(), "spot " + discount + "% below on-demand, " + rate
                + "% interruptions per hour"));
        evidence.add(Strategy.evidence("spot model", "expected " + e.expectedInterruptions().stripTrailingZeros().toPlainString()
                + " interruptions, wasted work " + e.wastedCost().display() + ", wall time " + e.expectedWall().toSeconds() + " s"));
        Map<String, Object> args = run.queueArguments("spot");
        args.put("spot", true);
        return new Fired("Run it on spot capacity (" + discount + "% cheaper, interruptions included)", trigger,
                "It checkpoints, so an interruption loses at most the work since the last checkpoint plus a " + RESTART_OVERHEAD.toMinutes()
                        + " min restart. At " + rate + "% interruptions per hour the expected spot cost is " + e.expectedCost().display()
                        + " (of which " + e.wastedCost().display() + " redone work) against " + baseline.display() + " on demand.",
                evidence, e.expectedCost(), e.expectedWall().toSeconds(),
                "Expected spot cost from the spot model (interruptions, lost work and restarts), against the run's on-demand cost.",
                c.stated() ? Recommendations.Confidence.MEDIUM : Recommendations.Confidence.LOW,
                new Recommendations.Action("queue_training_job", args, "Queue the next run with spot=true; keep checkpointing and resume "
                        + "from the latest checkpoint on restart. " + run.queueHint(args)));
    }
}

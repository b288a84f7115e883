package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * EARLY_STOPPING: the validation metric has not improved by more than {@code min_delta} for
 * {@code patience} epochs, PyTorch Lightning's rule (an improvement of exactly min_delta does not
 * count). For a running job the saving is its remaining planned epochs; for a finished run, the
 * epochs after the one where early stopping would have stopped it, priced as they ran.
 */
final class EarlyStopping implements Strategy {

    @Override
    public RecommendationType type() {
        return RecommendationType.EARLY_STOPPING;
    }

    /** The epoch (1-based) at which early stopping stops, with the best epoch; stop is 0 when it never does. */
    record Stop(int stopEpoch, int bestEpoch, double best) {
    }

    /**
     * Where early stopping stops: the first epoch with {@code patience} epochs without improvement.
     * With {@code untilEnd}, the whole curve is read and the stop reported only when the last
     * {@code patience} epochs did not improve: a running job is judged on where it is now.
     */
    static Stop stop(RunFacts.Series s, int patience, double minDelta, boolean untilEnd) {
        double best = s.values().get(0);
        int bestEpoch = 1;
        int wait = 0;
        for (int i = 1; i < s.values().size(); i++) {
            double v = s.values().get(i);
            boolean improved = s.lowerIsBetter() ? v < best - minDelta : v > best + minDelta;
            if (improved) {
                best = v;
                bestEpoch = i + 1;
                wait = 0;
            } else if (++wait >= patience && !untilEnd) {
                return new Stop(i + 1, bestEpoch, best);
            }
        }
        return new Stop(untilEnd && wait >= patience ? bestEpoch + patience : 0, bestEpoch, best);
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        RunFacts.Series s = run.validation;
        if (s == null) {
            return new Silent("No validation metric per epoch (val_loss, eval_loss, val_perplexity, val_accuracy) to watch.");
        }
        int patience = run.settings.patience();
        double minDelta = run.settings.minDelta();
        Stop stop = stop(s, patience, minDelta, run.running());
        String direction = s.lowerIsBetter() ? "lower" : "higher";
        if (stop.stopEpoch() == 0) {
            return new Silent(s.key() + " was still improving: best " + RunFacts.number(stop.best()) + " at epoch " + stop.bestEpoch()
                    + " of " + s.epochs() + ", fewer than " + patience + " epochs without improvement after it.");
        }
        String trigger = s.key() + " did not improve by more than " + RunFacts.number(minDelta) + " for " + patience + " epochs after "
                + "epoch " + stop.bestEpoch() + " (patience " + patience + ")";
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric " + s.key(), "per epoch: " + values(s) + " (" + direction + " is better); best "
                + RunFacts.number(stop.best()) + " at epoch " + stop.bestEpoch()));
        if (run.timeline == null || run.completedEpochs() < s.epochs()) {
            return new Silent("The epochs of " + s.key() + " cannot be placed in time, so the saving cannot be priced.");
        }
        Money baseline = costing.cost(run.start, run.durationSeconds);
        if (run.running()) {
            int remaining = run.remainingEpochs();
            if (run.plannedEpochs == null) {
                return new Silent(trigger + ", but the planned epochs are unknown (no params.epochs), so the saving cannot be priced.");
            }
            if (remaining == 0) {
                return new Silent(trigger + ", but the run is at its last planned epoch.");
            }
            long tailSeconds = Math.round(run.rate.secondsPerEpoch() * remaining);
            Money tail = costing.cost(run.lastEpochEnd(), tailSeconds);
            evidence.add(Strategy.evidence("param epochs", run.plannedEpochs + " planned, " + run.completedEpochs() + " done, "
                    + remaining + " to go at " + RunFacts.number(run.rate.secondsPerEpoch()) + " s per epoch"));
            Map<String, Object> args = new LinkedHashMap<>();
            String tool = null;
            String description;
            if (run.job != null) {
                tool = "cancel_training_job";
                args.put("job_id", run.job.jobId());
                args.put("reason", s.key() + " has not improved since epoch " + stop.bestEpoch() + " (early stopping, patience " + patience + ")");
                description = "Cancel job " + run.job.jobId() + " now and keep the checkpoint of epoch " + stop.bestEpoch() + ".";
            } else {
                description = "Stop run " + run.run.runName() + " now and keep the checkpoint of epoch " + stop.bestEpoch()
                        + "; add early stopping on " + s.key() + " (patience " + patience + ") to the training script.";
            }
            return new Fired("Stop " + run.run.runName() + " now: " + s.key() + " stopped improving at epoch " + stop.bestEpoch(), trigger,
                    s.key() + " has not improved for " + (run.completedEpochs() - stop.bestEpoch()) + " epochs (best "
                            + RunFacts.number(stop.best()) + " at epoch " + stop.bestEpoch() + "). The " + remaining
                            + " remaining planned epochs would cost about " + tail.display() + " and are unlikely to help.",
                    evidence, baseline.minus(tail), RunFacts.seconds(run.start, run.lastEpochEnd()),
                    "The remaining " + remaining + " planned epochs, priced ahead from the last completed epoch.",
                    Recommendations.Confidence.HIGH, new Recommendations.Action(tool, args, description));
        }
        int wasted = s.epochs() - stop.stopEpoch();
        if (wasted <= 0) {
            return new Silent(trigger + ", and the run ended right there (epoch " + s.epochs() + "): nothing to save.");
        }
        Instant cut = run.epochEnd(stop.stopEpoch());
        long tailSeconds = RunFacts.seconds(cut, run.start.plusSeconds(run.durationSeconds));
        Money tail = costing.cost(cut, tailSeconds);
        Map<String, Object> args = run.queueArguments("es");
        args.put("epochs", stop.stopEpoch());
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("early_stopping_metric", s.key());
        params.put("early_stopping_patience", Integer.toString(patience));
        args.put("params", params);
        return new Fired("Stop at epoch " + stop.stopEpoch() + " instead of " + s.epochs() + " (early stopping on " + s.key() + ")", trigger,
                s.key() + " was best at epoch " + stop.bestEpoch() + " (" + RunFacts.number(stop.best()) + ") and no better for the "
                        + (s.epochs() - stop.bestEpoch()) + " epochs after it. Early stopping with patience " + patience + " would have "
                        + "stopped at epoch " + stop.stopEpoch() + ", saving the last " + wasted + " epoch(s), " + tail.display() + ".",
                evidence, baseline.minus(tail), RunFacts.seconds(run.start, cut),
                "The epochs after " + stop.stopEpoch() + " as they ran (" + tailSeconds + " s), priced at the rates then in force.",
                Recommendations.Confidence.HIGH, new Recommendations.Action("queue_training_job", args,
                        "Next time run " + stop.stopEpoch() + " epochs, or add early stopping on " + s.key() + " with patience "
                                + patience + " to the training script. " + run.queueHint(args)));
    }

    private static String values(RunFacts.Series s) {
        List<String> out = new ArrayList<>();
        for (double v : s.values()) {
            out.add(RunFacts.number(v));
        }
        return String.join(", ", out);
    }
}

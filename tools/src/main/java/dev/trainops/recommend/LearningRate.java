package dev.trainops.recommend;

import dev.trainops.cost.Money;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * LEARNING_RATE: a sibling run of the same model (same experiment, same batch size) with another
 * learning rate reached this run's best validation value in fewer epochs. The saving is the epochs
 * between the sibling's count and this run's, priced as this run's epochs ran.
 */
final class LearningRate implements Strategy {
    /** "Reached the same value": within 0.5% of it. */
    static final double REACH_TOLERANCE = 0.005;

    @Override
    public RecommendationType type() {
        return RecommendationType.LEARNING_RATE;
    }

    @Override
    public Verdict evaluate(RunFacts run, Costing costing) {
        RunFacts.Series mine = run.validation;
        if (mine == null) {
            return new Silent("No validation metric per epoch to compare learning rates by.");
        }
        if (run.learningRate == null) {
            return new Silent("The run logged no learning_rate param.");
        }
        Double myLr = RunFacts.decimal(run.learningRate);
        List<RunFacts> others = run.siblings.stream()
                .filter(s -> s.learningRate != null && s.validation != null && s.validation.key().equals(mine.key()))
                .filter(s -> !Objects.equals(RunFacts.decimal(s.learningRate), myLr))
                .filter(s -> run.batchSize == null || s.batchSize == null || run.batchSize.equals(s.batchSize))
                .toList();
        if (others.isEmpty()) {
            return new Silent("No other run of " + (run.model == null ? "this model" : run.model) + " in the experiment with another "
                    + "learning rate (at the same batch size) to compare with.");
        }
        double target = mine.best();
        int myEpochs = mine.firstReaching(target, REACH_TOLERANCE);
        RunFacts best = null;
        int bestEpochs = myEpochs;
        for (RunFacts s : others) {
            int e = s.validation.firstReaching(target, REACH_TOLERANCE);
            if (e > 0 && e < bestEpochs) {
                best = s;
                bestEpochs = e;
            }
        }
        if (best == null) {
            return new Silent("None of " + others.size() + " run(s) with another learning rate reached " + mine.key() + " "
                    + RunFacts.number(target) + " in fewer than " + myEpochs + " epochs.");
        }
        if (run.timeline == null || run.completedEpochs() < myEpochs) {
            return new Silent("The epochs of " + mine.key() + " cannot be placed in time, so the saving cannot be priced.");
        }
        int saved = myEpochs - bestEpochs;
        Instant from = run.epochEnd(bestEpochs);
        Instant to = run.epochEnd(myEpochs);
        Money savedCost = costing.cost(from, RunFacts.seconds(from, to));
        Money baseline = costing.cost(run.start, run.durationSeconds);
        String trigger = "run " + best.run.runName() + " at learning_rate " + best.learningRate + " reached " + mine.key() + " "
                + RunFacts.number(target) + " (within " + RunFacts.number(REACH_TOLERANCE * 100) + "%) at epoch " + bestEpochs
                + "; this run at learning_rate " + run.learningRate + " needed " + myEpochs;
        List<Recommendations.Evidence> evidence = new ArrayList<>();
        evidence.add(Strategy.evidence("metric " + mine.key(), "this run: best " + RunFacts.number(target) + ", first reached at epoch " + myEpochs
                + " with learning_rate " + run.learningRate));
        evidence.add(Strategy.evidence("run " + best.run.runName(), "learning_rate " + best.learningRate + ": " + mine.key() + " "
                + RunFacts.number(best.validation.values().get(bestEpochs - 1)) + " at epoch " + bestEpochs + ", best "
                + RunFacts.number(best.validation.best())));
        Map<String, Object> args = run.queueArguments("lr" + best.learningRate);
        Map<String, Object> params = new java.util.LinkedHashMap<>();
        params.put("learning_rate", best.learningRate);
        args.put("params", params);
        if (run.plannedEpochs != null) {
            args.put("epochs", Math.max(bestEpochs, run.plannedEpochs - saved));
        }
        return new Fired("Use learning_rate=" + best.learningRate + ": the same " + mine.key() + " in " + bestEpochs + " epochs instead of "
                + myEpochs, trigger,
                "Run " + best.run.runName() + " of the same model with learning_rate " + best.learningRate + " reached " + mine.key() + " "
                        + RunFacts.number(target) + " at epoch " + bestEpochs + "; this run got there at epoch " + myEpochs + ". " + saved
                        + " fewer epoch(s) would have saved " + savedCost.display() + ". One sibling is a single sample: confirm with a seed or two.",
                evidence, baseline.minus(savedCost), run.durationSeconds - RunFacts.seconds(from, to),
                "Epochs " + (bestEpochs + 1) + "-" + myEpochs + " of this run as they ran, priced at the rates then in force.",
                Recommendations.Confidence.MEDIUM, new Recommendations.Action("queue_training_job", args,
                        "Run it with learning_rate=" + best.learningRate + " and " + saved + " fewer epoch(s). " + run.queueHint(args)));
    }
}

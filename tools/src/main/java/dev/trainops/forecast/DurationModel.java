package dev.trainops.forecast;

import java.util.List;
import java.util.Optional;

/**
 * How long work on a model takes, measured from one run (docs/money.md, "Estimates and the bill"):
 * a new job pays its start-up and warm-up once ({@link #newJobSeconds}); the remaining epochs of a
 * running job do not ({@link #remainingSeconds}, cost rule 7).
 *
 * @param rate the steady pace per epoch, warm-up left out where the history allows
 * @param warmupSeconds what the first epoch takes beyond the steady pace (0 when it cannot be told apart)
 * @param completedEpochs epochs the run had completed
 * @param warmup the warm-up ratio learned from the model's other runs, when the run has one epoch only
 */
public record DurationModel(EpochRate rate, double warmupSeconds, int completedEpochs, Optional<WarmupRatio> warmup) {

    /**
     * Measures {@code run}; {@code modelRuns} are the runs of its model, from which a run with one
     * epoch learns its warm-up ratio (the run itself is left out).
     */
    public static DurationModel of(HistoricRun run, List<HistoricRun> modelRuns) {
        if (run.epochMetric().isEmpty() && run.totals() != null) {
            return new DurationModel(EpochRate.jobAverage(run.totals().seconds(), run.totals().epochs()), 0, run.totals().epochs(),
                    Optional.empty());
        }
        EpochTimeline timeline = EpochTimeline.of(run.start(), run.epochMetric(), run.stepMetric(), stepsPerEpoch(run));
        String model = run.param("model", null);
        Optional<WarmupRatio> ratio = timeline.completedEpochs() == 1 && model != null
                ? WarmupRatio.learn(modelRuns.stream().filter(r -> model.equals(r.param("model", null))).toList(),
                        run.param("gpu_type", null), run.runId())
                : Optional.empty();
        EpochRate rate = EpochRate.of(timeline, ratio);
        double first = timeline.epochDurations().get(0).toMillis() / 1000.0;
        Optional<WarmupRatio> used = rate.method() == EpochRate.Method.FIRST_EPOCH_LEARNED_WARMUP ? ratio : Optional.empty();
        return new DurationModel(rate, Math.max(0, first - rate.secondsPerEpoch()), timeline.completedEpochs(), used);
    }

    /** A new job of {@code epochs} epochs: its start-up and warm-up, then the steady pace. */
    public long newJobSeconds(int epochs) {
        return epochs <= 0 ? 0 : Math.round(warmupSeconds + rate.secondsPerEpoch() * epochs);
    }

    /** {@code epochs} more epochs of a running job: the steady pace only (cost rule 7). */
    public long remainingSeconds(int epochs) {
        return Math.round(rate.remainingSeconds(epochs));
    }

    private static Integer stepsPerEpoch(HistoricRun run) {
        try {
            String s = run.param("steps_per_epoch", null);
            return s == null ? null : Integer.valueOf(s.trim());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}

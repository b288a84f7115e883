package dev.trainops.forecast;

import dev.trainops.mlflow.MlflowRun;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The steady-state time per epoch of a run, with warm-up left out (docs/money.md cost rule 7):
 * <ul>
 *   <li>two or more epochs: the median of the epochs after the first, with their spread;</li>
 *   <li>one epoch and step-level timestamps: the rate over the second half of epoch 1's steps
 *       times the steps per epoch (the first half holds the warm-up);</li>
 *   <li>one epoch and the model's finished runs: epoch 1 divided by their warm-up ratio
 *       ({@link WarmupRatio}), the interval widened by how far those runs disagree;</li>
 *   <li>one epoch only: epoch 1 itself, which includes warm-up, so an upper bound with a wide interval;</li>
 *   <li>a trainops job with no epoch timings (history from its own finished jobs): its run time over
 *       its epochs, start-up and warm-up spread over them.</li>
 * </ul>
 */
public record EpochRate(Method method, double secondsPerEpoch, double lowSeconds, double highSeconds, int basedOnEpochs) {

    /** How the rate was measured. */
    public enum Method { STEADY_STATE_MEDIAN, STEP_RATE_AFTER_WARMUP, FIRST_EPOCH_LEARNED_WARMUP, FIRST_EPOCH_ONLY, JOB_AVERAGE }

    /** Relative half-width used when one epoch is all there is: run-to-run jitter of a few percent plus warm-up. */
    static final double SINGLE_EPOCH_SPREAD = 0.25;
    /** Below a job's average: its start-up and warm-up are spread over its epochs, so the steady pace is lower. */
    static final double JOB_AVERAGE_SPREAD = 0.15;
    /** Minimum relative half-width: real epochs jitter by several percent. */
    static final double MIN_SPREAD = 0.05;

    public static EpochRate of(EpochTimeline timeline) {
        return of(timeline, Optional.empty());
    }

    /** As {@link #of(EpochTimeline)}; with one epoch and no step timing, {@code warmup} (when known) takes the warm-up out of epoch 1. */
    public static EpochRate of(EpochTimeline timeline, Optional<WarmupRatio> warmup) {
        List<Duration> durations = timeline.epochDurations();
        if (durations.isEmpty()) {
            throw new IllegalArgumentException("no completed epoch to measure");
        }
        if (durations.size() >= 2) {
            List<Double> steady = new ArrayList<>();
            for (Duration d : durations.subList(1, durations.size())) {
                steady.add(d.toMillis() / 1000.0);
            }
            double median = median(steady);
            double spread = Math.max(MIN_SPREAD, relativeSpread(steady, median));
            return new EpochRate(Method.STEADY_STATE_MEDIAN, median, median * (1 - spread), median * (1 + spread), steady.size());
        }
        Double stepRate = stepSecondsPerEpoch(timeline);
        if (stepRate != null) {
            double spread = 0.10;
            return new EpochRate(Method.STEP_RATE_AFTER_WARMUP, stepRate, stepRate * (1 - spread), stepRate * (1 + spread), 1);
        }
        double first = durations.get(0).toMillis() / 1000.0;
        if (warmup.isPresent()) {
            double pace = first / warmup.get().median();
            double spread = MIN_SPREAD + Math.max(MIN_SPREAD, warmup.get().spread());
            return new EpochRate(Method.FIRST_EPOCH_LEARNED_WARMUP, pace, pace * (1 - spread), pace * (1 + spread), 1);
        }
        return new EpochRate(Method.FIRST_EPOCH_ONLY, first, first * (1 - SINGLE_EPOCH_SPREAD), first * (1 + MIN_SPREAD), 1);
    }

    private static Double stepSecondsPerEpoch(EpochTimeline t) {
        if (t.stepsPerEpoch() == null || t.stepsPerEpoch() <= 0 || t.epochEnds().isEmpty()) {
            return null;
        }
        List<MlflowRun.MetricPoint> inEpoch1 = t.steps().stream()
                .filter(p -> !p.timestamp().isAfter(t.epochEnds().get(0)) && p.step() <= t.stepsPerEpoch()).toList();
        if (inEpoch1.size() < 4) {
            return null;
        }
        List<MlflowRun.MetricPoint> late = inEpoch1.subList(inEpoch1.size() / 2, inEpoch1.size());
        MlflowRun.MetricPoint a = late.get(0);
        MlflowRun.MetricPoint b = late.get(late.size() - 1);
        long steps = b.step() - a.step();
        if (steps <= 0) {
            return null;
        }
        double secondsPerStep = (b.timestamp().toEpochMilli() - a.timestamp().toEpochMilli()) / 1000.0 / steps;
        return secondsPerStep * t.stepsPerEpoch();
    }

    /** A finished trainops job without epoch timings: {@code seconds} of run time over {@code epochs}, start-up and warm-up included. */
    public static EpochRate jobAverage(long seconds, int epochs) {
        if (epochs <= 0 || seconds <= 0) {
            throw new IllegalArgumentException("a job average needs epochs and run time");
        }
        double pace = (double) seconds / epochs;
        return new EpochRate(Method.JOB_AVERAGE, pace, pace * (1 - JOB_AVERAGE_SPREAD), pace * (1 + MIN_SPREAD), epochs);
    }

    static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(Double::compare);
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double relativeSpread(List<Double> values, double median) {
        if (values.size() < 2 || median <= 0) {
            return 0;
        }
        List<Double> deviations = new ArrayList<>();
        for (double v : values) {
            deviations.add(Math.abs(v - median));
        }
        // 1.4826 x MAD estimates a standard deviation; two of them cover most epochs
        return 2 * 1.4826 * median(deviations) / median;
    }

    /** Seconds from the end of the last completed epoch to the end of {@code remaining} more epochs. */
    public double remainingSeconds(int remaining) {
        return secondsPerEpoch * remaining;
    }
}

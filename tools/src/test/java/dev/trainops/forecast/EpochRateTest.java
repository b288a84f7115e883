package dev.trainops.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Forecast accuracy of the steady-state epoch rate on runs cut after epoch 1 and epoch 2. Measured
 * error = |predicted - actual| / actual of the time for the rest of the run.
 *
 * <p>The real H200 runs (tools/src/test/resources/h200-runs.jsonl, provenance in h200-runs.md next
 * to it) are asserted on their own: they are the only evidence of accuracy, since nobody chose
 * their noise. The synthetic runs are built on the estimator's own assumptions (a slow first epoch
 * whose warm-up sits in its first fifth of steps, symmetric jitter), so they check that the
 * estimator is consistent with its model of a run, not that the model is right.
 */
class EpochRateTest {

    record Case(String name, Instant start, List<MlflowRun.MetricPoint> epochs, List<MlflowRun.MetricPoint> steps, Integer stepsPerEpoch) {
    }

    /** The three real runs recorded on one NVIDIA H200. */
    static List<Case> realRuns() {
        List<Case> cases = new ArrayList<>();
        MlflowFixtures h200 = MlflowFixtures.h200();
        for (String name : List.of("mnist-bs32", "llm-bs64", "llm-bs128")) {
            MlflowRun run = h200.run(name);
            cases.add(new Case(name, run.startTime(), h200.history(name, "val_loss"), h200.history(name, "loss"),
                    run.params().containsKey("steps_per_epoch") ? Integer.valueOf(run.params().get("steps_per_epoch")) : null));
        }
        return cases;
    }

    /** Real and synthetic runs together, as ForecastThroughMlflowTest serves them. */
    static List<Case> cases() {
        List<Case> cases = new ArrayList<>(realRuns());
        cases.addAll(syntheticRuns());
        return cases;
    }

    /** 20 runs drawn from the estimator's own model of a run (see {@link #synthetic}). */
    static List<Case> syntheticRuns() {
        List<Case> cases = new ArrayList<>();
        Random random = new Random(2026);
        for (int i = 0; i < 20; i++) {
            cases.add(synthetic("synthetic-" + i, random));
        }
        return cases;
    }

    /** A run of 8 epochs: epoch 1 is 10-40% slower (warm-up), the rest jitter by up to +-6%, with a loss every 25 steps. */
    static Case synthetic(String name, Random random) {
        Instant start = Instant.parse("2026-11-01T00:00:00Z").plusSeconds(random.nextInt(100_000));
        double steady = 60 + random.nextInt(600);
        int stepsPerEpoch = 500;
        List<MlflowRun.MetricPoint> epochs = new ArrayList<>();
        List<MlflowRun.MetricPoint> steps = new ArrayList<>();
        Instant t = start;
        for (int e = 1; e <= 8; e++) {
            double duration = e == 1 ? steady * (1.1 + random.nextDouble() * 0.3) : steady * (1 + (random.nextDouble() - 0.5) * 0.12);
            Instant epochStart = t;
            for (int s = 25; s <= stepsPerEpoch; s += 25) {
                // warm-up: the first fifth of epoch 1 runs slow
                double fraction = (double) s / stepsPerEpoch;
                double elapsed = e == 1 ? warmupElapsed(fraction, duration, steady) : fraction * duration;
                steps.add(new MlflowRun.MetricPoint("loss", 1.0, epochStart.plusMillis((long) (elapsed * 1000)), (long) (e - 1) * stepsPerEpoch + s));
            }
            t = t.plusMillis((long) (duration * 1000));
            epochs.add(new MlflowRun.MetricPoint("val_loss", 1.0 / e, t, e));
        }
        return new Case(name, start, epochs, steps, stepsPerEpoch);
    }

    /** Epoch 1: the last 80% of its steps run at the steady rate; the first 20% absorb the warm-up. */
    static double warmupElapsed(double fraction, double duration, double steady) {
        double warm = 0.2;
        double steadyPart = steady * (1 - warm);
        double slowPart = duration - steadyPart;
        return fraction <= warm ? slowPart * fraction / warm : slowPart + steadyPart * (fraction - warm) / (1 - warm);
    }

    static double error(Case c, int cutAfter) {
        EpochTimeline full = EpochTimeline.of(c.start(), c.epochs(), c.steps(), c.stepsPerEpoch());
        List<Duration> durations = full.epochDurations();
        Instant cut = full.epochEnds().get(cutAfter - 1);
        EpochTimeline partial = EpochTimeline.of(c.start(), c.epochs().subList(0, cutAfter),
                c.steps().stream().filter(p -> !p.timestamp().isAfter(cut)).toList(), c.stepsPerEpoch());
        int remaining = durations.size() - cutAfter;
        double actual = durations.subList(cutAfter, durations.size()).stream().mapToDouble(d -> d.toMillis() / 1000.0).sum();
        double predicted = EpochRate.of(partial).remainingSeconds(remaining);
        return Math.abs(predicted - actual) / actual;
    }

    /**
     * Measured: mnist-bs32 18.1%, llm-bs64 7.1%, llm-bs128 11.7%, all three from epoch 1 alone (its
     * warm-up counted in full: as served, no run has both step-level loss and steps_per_epoch); the
     * median of the three, 11.7%, is above the 10% the synthetic runs reach.
     */
    @Test
    void onEachRealH200RunCutAfterEpochOneTheRestOfTheRunIsForecastWithinTwentyPercent() {
        for (Case c : realRuns()) {
            double error = error(c, 1);
            System.out.printf("real %s after epoch 1: error %.1f%%%n", c.name(), error * 100);
            assertThat(error).as(c.name()).isLessThanOrEqualTo(0.20);
        }
    }

    @Test
    void onTheRealH200RunsEpochOneAloneIsAnUpperBoundForTheRestOfTheRun() {
        for (Case c : realRuns()) {
            EpochTimeline full = EpochTimeline.of(c.start(), c.epochs(), c.steps(), c.stepsPerEpoch());
            Instant cut = full.epochEnds().get(0);
            EpochRate rate = EpochRate.of(EpochTimeline.of(c.start(), c.epochs().subList(0, 1),
                    c.steps().stream().filter(p -> !p.timestamp().isAfter(cut)).toList(), c.stepsPerEpoch()));
            assertThat(rate.method()).as(c.name()).isEqualTo(EpochRate.Method.FIRST_EPOCH_ONLY);
            int remaining = full.epochDurations().size() - 1;
            double actual = full.epochDurations().subList(1, remaining + 1).stream().mapToDouble(d -> d.toMillis() / 1000.0).sum();
            assertThat(rate.remainingSeconds(remaining)).as(c.name()).isGreaterThanOrEqualTo(actual);
        }
    }

    /**
     * llm-bs128 logged its loss every 25 optimizer steps, and an epoch is 83 steps (2,700,000 tokens /
     * (256 x 128) per step, rounded up; its step counter reads 83 at epoch 2's start): with that
     * step count, epoch 1's second half gives the rate without the warm-up.
     */
    @Test
    void onTheRealLlmRunWithStepsPerEpochTheStepRateAfterEpochOneIsWithinTenPercent() {
        Case logged = realRuns().stream().filter(c -> c.name().equals("llm-bs128")).findFirst().orElseThrow();
        assertThat(logged.steps()).extracting(MlflowRun.MetricPoint::step).contains(83L, 166L);
        Case c = new Case(logged.name(), logged.start(), logged.epochs(), logged.steps(), 83);
        Instant cut = c.epochs().get(0).timestamp();
        EpochTimeline first = EpochTimeline.of(c.start(), c.epochs().subList(0, 1),
                c.steps().stream().filter(p -> !p.timestamp().isAfter(cut)).toList(), 83);
        assertThat(EpochRate.of(first).method()).isEqualTo(EpochRate.Method.STEP_RATE_AFTER_WARMUP);
        double error = error(c, 1);
        System.out.printf("real llm-bs128 after epoch 1, step rate: error %.1f%%%n", error * 100);
        assertThat(error).isLessThanOrEqualTo(0.10);
    }

    @Test
    void onEachRealH200RunCutAfterEpochTwoTheRestOfTheRunIsForecastWithinTenPercent() {
        for (Case c : realRuns()) {
            double error = error(c, 2);
            System.out.printf("real %s after epoch 2: error %.1f%%%n", c.name(), error * 100);
            assertThat(error).as(c.name()).isLessThanOrEqualTo(0.10);
        }
    }

    @Test
    void onSyntheticRunsAfterEpochOneTheMedianErrorIsAtMostTenPercent() {
        List<Double> errors = syntheticRuns().stream().map(c -> error(c, 1)).sorted().toList();
        double median = errors.get(errors.size() / 2);
        System.out.printf("synthetic after epoch 1: median error %.1f%%, errors %s%n", median * 100, errors);
        assertThat(median).isLessThanOrEqualTo(0.10);
    }

    @Test
    void onSyntheticRunsAfterEpochTwoAtLeastEightyPercentAreWithinTenPercent() {
        List<Double> errors = syntheticRuns().stream().map(c -> error(c, 2)).toList();
        long within = errors.stream().filter(e -> e <= 0.10).count();
        System.out.printf("synthetic after epoch 2: %d of %d within 10%%%n", within, errors.size());
        assertThat((double) within / errors.size()).isGreaterThanOrEqualTo(0.80);
    }

    @Test
    void warmUpIsLeftOutOnceThereAreTwoEpochs() {
        Case c = synthetic("one", new Random(1));
        EpochTimeline t = EpochTimeline.of(c.start(), c.epochs().subList(0, 3), List.of(), null);
        EpochRate rate = EpochRate.of(t);
        assertThat(rate.method()).isEqualTo(EpochRate.Method.STEADY_STATE_MEDIAN);
        assertThat(rate.secondsPerEpoch()).isLessThan(t.epochDurations().get(0).toMillis() / 1000.0);
        assertThat(rate.lowSeconds()).isLessThan(rate.secondsPerEpoch());
        assertThat(rate.highSeconds()).isGreaterThan(rate.secondsPerEpoch());
    }

    @Test
    void afterOneEpochStepTimestampsGiveTheSteadyRate() {
        Case c = synthetic("steps", new Random(7));
        Instant cut = c.epochs().get(0).timestamp();
        EpochTimeline t = EpochTimeline.of(c.start(), c.epochs().subList(0, 1),
                c.steps().stream().filter(p -> !p.timestamp().isAfter(cut)).toList(), 500);
        assertThat(EpochRate.of(t).method()).isEqualTo(EpochRate.Method.STEP_RATE_AFTER_WARMUP);
        EpochTimeline noSteps = EpochTimeline.of(c.start(), c.epochs().subList(0, 1), List.of(), null);
        assertThat(EpochRate.of(noSteps).method()).isEqualTo(EpochRate.Method.FIRST_EPOCH_ONLY);
    }
}

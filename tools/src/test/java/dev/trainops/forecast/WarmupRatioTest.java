package dev.trainops.forecast;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Forecasts after one epoch on the real H200 runs (tools/src/test/resources/h200-runs.jsonl,
 * provenance in h200-runs.md beside it), leave-one-out: each run is cut after epoch 1, with no
 * step-level timing, and the rest of it is forecast from epoch 1 and the warm-up ratio learned from
 * the other finished runs of its model only. Error = |predicted - actual| / actual of the time the
 * rest of the run took.
 */
class WarmupRatioTest {
    static final List<String> REAL = List.of("mnist-bs32", "llm-bs64", "llm-bs128");
    final MlflowFixtures h200 = MlflowFixtures.h200();

    HistoricRun full(String name) {
        MlflowRun r = h200.run(name);
        return new HistoricRun(r.runId(), r.runName(), "FINISHED", r.startTime(), r.params(), h200.history(name, "val_loss"), List.of(),
                List.of());
    }

    /** The run as it stood when epoch 1 ended: running, one epoch, no step timing. */
    static HistoricRun cutAfterEpochOne(HistoricRun run) {
        return new HistoricRun(run.runId(), run.runName(), "RUNNING", run.start(), run.params(), run.epochMetric().subList(0, 1), List.of(),
                List.of());
    }

    static double restOfRun(HistoricRun run) {
        List<Duration> d = EpochTimeline.of(run.start(), run.epochMetric(), List.of(), null).epochDurations();
        return d.subList(1, d.size()).stream().mapToDouble(x -> x.toMillis() / 1000.0).sum();
    }

    static int epochs(HistoricRun run) {
        return EpochTimeline.of(run.start(), run.epochMetric(), List.of(), null).completedEpochs();
    }

    static double median(List<Double> values) {
        return EpochRate.median(values);
    }

    @Test
    void leaveOneOutOnTheRealH200RunsTheLearnedWarmUpRatioLowersTheMedianErrorAfterEpochOne() {
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        for (String name : REAL) {
            HistoricRun run = full(name);
            HistoricRun cut = cutAfterEpochOne(run);
            List<HistoricRun> others = REAL.stream().filter(n -> !n.equals(name)).map(this::full).toList();
            int remaining = epochs(run) - 1;
            double actual = restOfRun(run);

            EpochRate firstOnly = EpochRate.of(EpochTimeline.of(cut.start(), cut.epochMetric(), List.of(), null));
            DurationModel learned = DurationModel.of(cut, others);
            double errorBefore = Math.abs(firstOnly.remainingSeconds(remaining) - actual) / actual;
            // in seconds with fractions: these runs' epochs last seconds, so whole seconds would blur the comparison
            double errorAfter = Math.abs(learned.rate().remainingSeconds(remaining) - actual) / actual;
            before.add(errorBefore);
            after.add(errorAfter);
            System.out.printf("h200 leave-one-out %s after epoch 1: %s, error %.1f%% before, %.1f%% after%n", name,
                    learned.warmup().map(WarmupRatio::describe).orElse("no other run of its model"), errorBefore * 100, errorAfter * 100);
            if (learned.rate().method() == EpochRate.Method.FIRST_EPOCH_LEARNED_WARMUP) {
                assertThat(actual).as(name + ": the actual rest of the run lies in the widened interval")
                        .isBetween(learned.rate().lowSeconds() * remaining, learned.rate().highSeconds() * remaining);
            }
        }
        double medianBefore = median(before);
        double medianAfter = median(after);
        System.out.printf("h200 leave-one-out after epoch 1: median absolute error %.1f%% before, %.1f%% after%n", medianBefore * 100,
                medianAfter * 100);
        assertThat(medianBefore).as("the figure session 4 measured, 11.7%").isBetween(0.115, 0.119);
        assertThat(medianAfter).isLessThan(medianBefore).isLessThan(0.07);
        // mnist-mlp has one run only: nothing to learn from, so it keeps the old answer rather than borrowing another model's
        assertThat(after.get(0)).isEqualTo(before.get(0));
    }

    @Test
    void theRatioIsLearnedOnTheSameGpuTypeWhenThereAreRunsOnIt() {
        HistoricRun bs64 = full("llm-bs64");
        HistoricRun bs128 = full("llm-bs128");
        HistoricRun onA100 = withParam(bs64, "gpu_type", "A100");
        WarmupRatio sameType = WarmupRatio.learn(List.of(onA100, bs128), "H200", "none").orElseThrow();
        assertThat(sameType.runs()).containsExactly("llm-bs128");
        assertThat(sameType.gpuType()).isEqualTo("H200");
        WarmupRatio across = WarmupRatio.learn(List.of(onA100, bs128), "L4", "none").orElseThrow();
        assertThat(across.runs()).containsExactly("llm-bs64", "llm-bs128");
        assertThat(across.gpuType()).isNull();
        assertThat(across.describe()).contains("across GPU types");
        // llm-bs64: 2.865 s over a steady 2.713 s; llm-bs128: 1.909 s over 1.709 s
        assertThat(across.lowest()).isCloseTo(1.056, org.assertj.core.data.Offset.offset(0.002));
        assertThat(across.highest()).isCloseTo(1.117, org.assertj.core.data.Offset.offset(0.002));
    }

    @Test
    void runningRunsAndRunsWithOneEpochTeachNothing() {
        HistoricRun running = new HistoricRun("r1", "still-going", "RUNNING", full("llm-bs64").start(), full("llm-bs64").params(),
                full("llm-bs64").epochMetric(), List.of(), List.of());
        assertThat(WarmupRatio.learn(List.of(running, cutAfterEpochOne(full("llm-bs128"))), "H200", "none")).isEmpty();
    }

    @Test
    void aRunWithOneEpochAndOnlyOtherModelsRunsKeepsEpochOneAsItsPace() {
        HistoricRun mnist = cutAfterEpochOne(full("mnist-bs32"));
        DurationModel d = DurationModel.of(mnist, List.of(full("llm-bs64"), full("llm-bs128")));
        assertThat(d.rate().method()).isEqualTo(EpochRate.Method.FIRST_EPOCH_ONLY);
        assertThat(d.warmup()).isEmpty();
    }

    /**
     * Cost rule 7 and docs/money.md "Estimates and the bill": a new job pays its warm-up (epoch 1
     * beyond the steady pace) once; the remaining epochs of a running job are the steady pace only.
     */
    @Test
    void costRule7_aNewJobIncludesItsWarmUpAndTheRemainingEpochsOfARunningJobLeaveItOut() {
        Instant start = Instant.parse("2026-11-30T10:00:00Z");
        List<MlflowRun.MetricPoint> ends = new ArrayList<>();
        long at = 0;
        long[] seconds = {600, 400, 410, 390};
        for (int e = 0; e < seconds.length; e++) {
            at += seconds[e];
            ends.add(new MlflowRun.MetricPoint("val_loss", 1.0, start.plusSeconds(at), e + 1));
        }
        HistoricRun run = new HistoricRun("r", "llm-a", "FINISHED", start, Map.of("model", "llm"), ends, List.of(), List.of());
        DurationModel d = DurationModel.of(run, List.of());
        double first = 600;
        assertThat(d.rate().method()).isEqualTo(EpochRate.Method.STEADY_STATE_MEDIAN);
        assertThat(d.warmupSeconds()).isCloseTo(first - d.rate().secondsPerEpoch(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(d.warmupSeconds()).isEqualTo(200.0);
        assertThat(d.remainingSeconds(1000)).isEqualTo(Math.round(d.rate().secondsPerEpoch() * 1000));
        assertThat(d.newJobSeconds(1000)).isEqualTo(Math.round(d.warmupSeconds() + d.rate().secondsPerEpoch() * 1000));
        assertThat(d.newJobSeconds(1000)).isGreaterThan(d.remainingSeconds(1000));
        assertThat(d.newJobSeconds(0)).isZero();
        assertThat(d.remainingSeconds(0)).isZero();
    }

    @Test
    void aFinishedJobWithoutEpochTimingsIsPacedByItsRunTimeOverItsEpochs() {
        HistoricRun job = new HistoricRun("tj-0001", "llm-a", "FINISHED", Instant.parse("2026-11-30T10:00:00Z"), Map.of("model", "llm"),
                List.of(), List.of(), List.of(), new HistoricRun.Totals(4, 1000));
        assertThat(job.measurable()).isTrue();
        DurationModel d = DurationModel.of(job, List.of(job));
        assertThat(d.rate().method()).isEqualTo(EpochRate.Method.JOB_AVERAGE);
        assertThat(d.rate().secondsPerEpoch()).isEqualTo(250.0);
        assertThat(d.newJobSeconds(4)).isEqualTo(1000);
        assertThat(d.rate().lowSeconds()).isLessThan(250.0);
        assertThat(d.completedEpochs()).isEqualTo(4);
    }

    static HistoricRun withParam(HistoricRun r, String key, String value) {
        Map<String, String> params = new java.util.HashMap<>(r.params());
        params.put(key, value);
        return new HistoricRun(r.runId(), r.runName(), r.status(), r.start(), params, r.epochMetric(), r.stepMetric(), r.accuracyMetric());
    }
}

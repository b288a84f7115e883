package dev.trainops.recommend;

import static dev.trainops.recommend.RunBuilder.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Each strategy firing on the evidence it names and staying silent without it, boundaries
 * included (exactly 30% and 50% utilisation, exactly {@code patience} epochs, an improvement of
 * exactly min_delta), on synthetic runs read through an in-memory run source.
 */
class StrategiesTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T12:00:00Z"));
    final PriceBook prices;

    StrategiesTest() throws Exception {
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
    }

    /** Runs by name; siblings are the other runs of the same model. */
    static final class InMemory implements RunEvidenceSource {
        final List<RunEvidence> runs = new ArrayList<>();

        @Override
        public Lookup lookup(String runIdOrName, int maxSiblings) {
            RunEvidence run = runs.stream().filter(r -> r.runId().equals(runIdOrName) || r.runName().equals(runIdOrName)).findFirst()
                    .orElse(null);
            if (run == null) {
                return new Lookup(null, List.of(), null, false);
            }
            List<RunEvidence> siblings = runs.stream().filter(r -> r != run && r.experimentId().equals(run.experimentId())
                    && r.params().get("model").equals(run.params().get("model"))).toList();
            return new Lookup(run, siblings, null, false);
        }

        @Override
        public String name() {
            return "memory";
        }
    }

    Recommendations advise(RunBuilder target, RunBuilder... siblings) {
        return advise(null, null, JobContext.Lookup.NONE, target, siblings);
    }

    Recommendations advise(Integer patience, Double minDelta, JobContext.Lookup jobs, RunBuilder target, RunBuilder... siblings) {
        InMemory source = new InMemory();
        RunEvidence t = target.build();
        source.runs.add(t);
        for (RunBuilder s : siblings) {
            source.runs.add(s.build());
        }
        return new CostRecommender(source, prices, jobs, clock).recommend(new RecommendRequest(t.runName(), patience, minDelta));
    }

    /** The queue as it knows one job: by its run name and by its id. */
    static JobContext.Lookup lookup(JobContext job) {
        return new JobContext.Lookup() {
            @Override
            public Optional<JobContext> byRunName(String runName) {
                return runName.equals(job.runName()) ? Optional.of(job) : Optional.empty();
            }

            @Override
            public Optional<JobContext> byJobId(String jobId) {
                return jobId.equals(job.jobId()) ? Optional.of(job) : Optional.empty();
            }
        };
    }

    static Optional<Recommendations.Recommendation> find(Recommendations r, RecommendationType type) {
        return r.recommendations().stream().filter(x -> x.type() == type).findFirst();
    }

    static String why(Recommendations r, RecommendationType type) {
        return r.checked().stream().filter(c -> c.type() == type).findFirst().orElseThrow().why();
    }

    static void assertSilent(Recommendations r, RecommendationType type, String because) {
        assertThat(find(r, type)).as(type + " should be silent").isEmpty();
        assertThat(why(r, type)).contains(because);
    }

    @Test
    void anEfficientRunGetsAnEmptyListAndASentenceSayingWhy() {
        Recommendations r = advise(run("efficient"));
        assertThat(r.recommendations()).isEmpty();
        assertThat(r.efficient()).isTrue();
        assertThat(r.verdict()).startsWith("efficient is already efficient").contains("busy 92.0%").contains("still improving")
                .contains("entirely at off-peak rates");
        assertThat(r.checked()).hasSize(9).noneMatch(Recommendations.Check::fired);
        // 6,000 s of an H100 with its 8 cores and 64 GiB, all-in 7.404056/h, off-peak (x0.5): what the ledger bills
        assertThat(r.baselineCost()).isEqualByComparingTo("6.170047");
        assertThat(CostRecommender.summarize(r)).contains("already efficient").hasSizeLessThan(600);
    }

    // EARLY_STOPPING

    @Test
    void earlyStoppingOnAFinishedRunSavesTheEpochsAfterBestPlusPatience() {
        Recommendations r = advise(run("overfits").valLoss(1.0, 0.9, 0.8, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0));
        Recommendations.Recommendation es = find(r, RecommendationType.EARLY_STOPPING).orElseThrow();
        assertThat(es.trigger()).contains("val_loss did not improve").contains("after epoch 4 (patience 3)");
        assertThat(es.title()).contains("Stop at epoch 7 instead of 10");
        // epochs 8-10: 1,800 s of H100 (GPU, 8 cores, 64 GiB) off-peak = 1,800 x 7.404056 x 0.5 / 3,600
        assertThat(es.estimatedSavings().amount()).isEqualByComparingTo("1.851014");
        assertThat(es.estimatedSavings().percent()).isEqualByComparingTo("30.0");
        assertThat(es.action().tool()).isEqualTo("queue_training_job");
        assertThat(es.action().arguments()).containsEntry("epochs", 7).containsEntry("team", "team-a");
    }

    @Test
    void earlyStoppingFiresOnARunningJobAfterExactlyPatienceEpochsWithoutImprovement() {
        RunBuilder running = run("running").status("RUNNING").param("epochs", "10").valLoss(1.0, 0.9, 0.8, 0.85, 0.82, 0.81);
        Recommendations r = advise(3, null, JobContext.Lookup.NONE, running);
        Recommendations.Recommendation es = find(r, RecommendationType.EARLY_STOPPING).orElseThrow();
        assertThat(es.trigger()).contains("for 3 epochs after epoch 3");
        // the remaining 4 planned epochs: 2,400 s from the end of epoch 6 (23:30) on, all off-peak
        assertThat(es.estimatedSavings().amount()).isEqualByComparingTo("2.468019");
        assertThat(es.title()).startsWith("Stop running now");
    }

    @Test
    void earlyStoppingStaysSilentOneEpochShortOfPatience() {
        RunBuilder running = run("running").status("RUNNING").param("epochs", "10").valLoss(1.0, 0.9, 0.8, 0.85, 0.82, 0.81);
        Recommendations r = advise(4, null, JobContext.Lookup.NONE, running);
        assertSilent(r, RecommendationType.EARLY_STOPPING, "still improving");
    }

    @Test
    void anImprovementOfExactlyMinDeltaDoesNotCount() {
        // 1.5 -> 1.25 improves by exactly 0.25 (binary-exact): not an improvement with min_delta 0.25, one with 0.125
        RunBuilder r = run("delta").status("RUNNING").param("epochs", "10").valLoss(1.5, 1.25, 1.25, 1.25);
        assertThat(find(advise(3, 0.25, JobContext.Lookup.NONE, r), RecommendationType.EARLY_STOPPING)).isPresent();
        assertSilent(advise(3, 0.125, JobContext.Lookup.NONE, r), RecommendationType.EARLY_STOPPING, "still improving");
    }

    @Test
    void earlyStoppingIsSilentWhenTheRunEndedExactlyWhereItWouldHaveStopped() {
        Recommendations r = advise(run("stopped").valLoss(1.0, 0.9, 0.8, 0.7, 0.75, 0.8, 0.85));
        assertSilent(r, RecommendationType.EARLY_STOPPING, "the run ended right there (epoch 7)");
    }

    // BATCH_SIZE

    @Test
    void batchSizeFiresOnASmallBatchAtLowUtilisationWithMemoryHeadroom() {
        Recommendations r = advise(run("small-batch").param("batch_size", "32").utilization(20.0).memoryMb(4_000));
        Recommendations.Recommendation b = find(r, RecommendationType.BATCH_SIZE).orElseThrow();
        assertThat(b.title()).startsWith("Use batch_size=128 instead of 32");
        assertThat(b.confidence()).isEqualTo(Recommendations.Confidence.MEDIUM);
        // modelled: 0.8/4 + 0.2 = 0.4 of the time
        assertThat(b.estimatedSavings().percent()).isEqualByComparingTo("60.0");
        assertThat(b.action().arguments()).containsEntry("batch_size", 128);
    }

    @Test
    void batchSizeUsesASiblingRunAtTheLargerBatchAsMeasuredEvidence() {
        RunBuilder small = run("bs32").param("batch_size", "32").utilization(20.0).memoryMb(4_000);
        RunBuilder big = run("bs128").param("batch_size", "128").epochs(10, 150).utilization(85.0).memoryMb(14_000)
                .start("2026-11-29T22:30:00Z");
        Recommendations.Recommendation b = find(advise(small, big), RecommendationType.BATCH_SIZE).orElseThrow();
        assertThat(b.confidence()).isEqualTo(Recommendations.Confidence.HIGH);
        assertThat(b.evidence()).anySatisfy(e -> assertThat(e.source()).isEqualTo("run bs128"));
        assertThat(b.estimatedSavings().percent()).isEqualByComparingTo("75.0"); // 150 s vs 600 s per epoch
    }

    @Test
    void batchSizeStaysSilentAtExactlyFiftyPercentUtilisation() {
        assertSilent(advise(run("half-busy").param("batch_size", "32").utilization(50.0).memoryMb(4_000)), RecommendationType.BATCH_SIZE,
                "is not below 50.0%");
    }

    @Test
    void batchSizeStaysSilentAboveSixtyFourOrWithoutMemoryHeadroom() {
        assertSilent(advise(run("big-batch").param("batch_size", "128").utilization(20.0).memoryMb(4_000)), RecommendationType.BATCH_SIZE,
                "already above 64");
        assertSilent(advise(run("full-memory").param("batch_size", "32").utilization(20.0).memoryMb(45_000)), RecommendationType.BATCH_SIZE,
                "leaves no room");
    }

    // LEARNING_RATE

    @Test
    void learningRateFiresWhenASiblingReachesTheSameLossInFewerEpochs() {
        RunBuilder slow = run("lr-slow").param("learning_rate", "0.0001").valLoss(1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.5);
        RunBuilder fast = run("lr-fast").param("learning_rate", "0.0003").valLoss(0.9, 0.75, 0.6, 0.55, 0.5, 0.48, 0.47, 0.46, 0.46, 0.46)
                .start("2026-11-29T22:30:00Z");
        Recommendations.Recommendation lr = find(advise(slow, fast), RecommendationType.LEARNING_RATE).orElseThrow();
        assertThat(lr.trigger()).contains("run lr-fast at learning_rate 0.0003 reached val_loss 0.5").contains("at epoch 5")
                .contains("needed 8");
        // epochs 6-8 of lr-slow: 1,800 s off-peak, GPU, CPU and memory
        assertThat(lr.estimatedSavings().amount()).isEqualByComparingTo("1.851014");
        @SuppressWarnings("unchecked")
        Map<String, Object> params = (Map<String, Object>) lr.action().arguments().get("params");
        assertThat(params).containsEntry("learning_rate", "0.0003");
    }

    @Test
    void learningRateStaysSilentWhenNoSiblingIsFasterOrThereIsNone() {
        RunBuilder fast = run("lr-fast").param("learning_rate", "0.0003").valLoss(0.9, 0.75, 0.6, 0.55, 0.5, 0.48, 0.47, 0.46, 0.46, 0.46);
        RunBuilder slow = run("lr-slow").param("learning_rate", "0.0001").valLoss(1.0, 0.9, 0.8, 0.7, 0.65, 0.6, 0.55, 0.5, 0.5, 0.5)
                .start("2026-11-29T22:30:00Z");
        assertSilent(advise(fast, slow), RecommendationType.LEARNING_RATE, "None of 1 run(s) with another learning rate reached");
        assertSilent(advise(fast), RecommendationType.LEARNING_RATE, "No other run of resnet");
    }

    // LOW_GPU_UTILIZATION

    @Test
    void lowUtilisationOffersAMigSliceBilledAsItsShare() {
        Recommendations r = advise(run("idle").utilization(12.0).memoryMb(6_000));
        Recommendations.Recommendation low = find(r, RecommendationType.LOW_GPU_UTILIZATION).orElseThrow();
        assertThat(low.title()).contains("MIG 1g.10gb slice of the H100");
        assertThat(low.action().tool()).isNull();
        assertThat(low.action().description()).contains("nvidia.com/mig-1g.10gb: 1");
        // 1/7 of the GPU for 6000 x (0.88 + 0.12 x 7) = 10,320 s, with the run's own 8 cores and 64 GiB
        assertThat(low.estimatedSavings().durationSecondsAfter()).isEqualTo(10_320L);
        assertThat(low.estimatedSavings().costAfter()).isEqualByComparingTo(prices.cost(new dev.trainops.cost.UsageSegment("x",
                Instant.parse("2026-11-30T22:30:00Z"), Instant.parse("2026-11-30T22:30:00Z").plusSeconds(10_320), "H100",
                new BigDecimal("0.142857142857"), new BigDecimal("8"), new BigDecimal("64"), false)).amount());
    }

    @Test
    void lowUtilisationStaysSilentAtExactlyThirtyPercent() {
        assertSilent(advise(run("thirty").utilization(30.0).memoryMb(6_000)), RecommendationType.LOW_GPU_UTILIZATION,
                "30.0% is not below 30.0%");
        assertThat(find(advise(run("just-below").utilization(29.9).memoryMb(6_000)), RecommendationType.LOW_GPU_UTILIZATION)).isPresent();
    }

    // RIGHT_SIZE_GPU

    @Test
    void rightSizeMovesASmallRunOnABigGpuToACheaperOne() {
        Recommendations.Recommendation rs = find(advise(run("oversized").utilization(25.0).memoryMb(3_000)), RecommendationType.RIGHT_SIZE_GPU)
                .orElseThrow();
        assertThat(rs.action().arguments().get("gpu_type")).isIn("L4", "T4", "A10G", "A100-40GB", "A100-80GB");
        assertThat(rs.confidence()).isEqualTo(Recommendations.Confidence.LOW);
        assertThat(rs.estimatedSavings().durationSecondsAfter()).isGreaterThan(6_000L);
    }

    @Test
    void rightSizeNeverFiresForAComputeBoundRunWhateverItsMemory() {
        assertSilent(advise(run("compute-bound").utilization(50.0).memoryMb(3_000)), RecommendationType.RIGHT_SIZE_GPU, "compute-bound");
        assertSilent(advise(run("busy").utilization(95.0).memoryMb(1_000)), RecommendationType.RIGHT_SIZE_GPU, "compute-bound");
    }

    @Test
    void rightSizeStaysSilentWhenMemoryIsNotFarBelowTheGpus() {
        // 21,381 MB = 20,390 MiB = 25.0% of the H100's 81,559 MiB
        assertSilent(advise(run("quarter").utilization(25.0).memoryMb(21_385)), RecommendationType.RIGHT_SIZE_GPU, "not below 25.0%");
    }

    // OFF_PEAK

    @Test
    void offPeakFiresForADeferrableRunAtPeakAndHalvesItsPrice() {
        Recommendations.Recommendation op = find(advise(run("daytime").start("2026-11-30T09:00:00Z")), RecommendationType.OFF_PEAK)
                .orElseThrow();
        assertThat(op.estimatedSavings().percent()).isEqualByComparingTo("50.0");
        assertThat(op.action().arguments()).containsEntry("schedule", "off_peak");
        assertThat(op.confidence()).isEqualTo(Recommendations.Confidence.MEDIUM);
    }

    @Test
    void offPeakStaysSilentForAnUrgentJob() {
        JobContext urgent = new JobContext("tj-0123456789ab", "daytime", "resnet", "team-a", "URGENT", "H100", 1, 10, 256, false, null,
                "SUCCEEDED", Map.of());
        JobContext.Lookup jobs = lookup(urgent);
        Recommendations r = advise(null, null, jobs, run("daytime").start("2026-11-30T09:00:00Z"));
        assertSilent(r, RecommendationType.OFF_PEAK, "is URGENT");
        assertThat(r.run().jobId()).isEqualTo("tj-0123456789ab");
    }

    @Test
    void aSavingBelowOnePercentIsNotRecommended() {
        // 21:59 start: 60 of 6,000 s at peak; moving them off-peak saves 0.5%
        Recommendations r = advise(run("almost").start("2026-11-30T21:59:00Z"));
        assertSilent(r, RecommendationType.OFF_PEAK, "is below 1%");
    }

    // SPOT

    @Test
    void spotFiresForACheckpointingRunWithInterruptionsPriced() {
        Recommendations.Recommendation spot = find(advise(run("checkpoints").param("checkpoint_every_minutes", "15")),
                RecommendationType.SPOT).orElseThrow();
        assertThat(spot.trigger()).contains("checkpoint_every_minutes=15");
        assertThat(spot.evidence()).anySatisfy(e -> assertThat(e.observation()).contains("interruptions"));
        assertThat(spot.estimatedSavings().durationSecondsAfter()).isGreaterThan(6_000L);
        assertThat(spot.action().arguments()).containsEntry("spot", true);
    }

    @Test
    void spotStaysSilentWithoutCheckpointsOrWhenAlreadyOnSpot() {
        assertSilent(advise(run("no-checkpoints")), RecommendationType.SPOT, "No checkpointing");
        assertSilent(advise(run("on-spot").param("checkpoint_every_minutes", "15").param("spot", "true")), RecommendationType.SPOT,
                "already runs on spot");
    }

    // MIXED_PRECISION

    @Test
    void mixedPrecisionFiresForABusyFp32Run() {
        Recommendations.Recommendation mp = find(advise(run("fp32").param("precision", "32")), RecommendationType.MIXED_PRECISION)
                .orElseThrow();
        assertThat(mp.action().arguments().get("params")).isEqualTo(Map.of("precision", "bf16-mixed"));
        assertThat(mp.estimatedSavings().percent()).isEqualByComparingTo("46.0"); // busy 92% halved
    }

    @Test
    void mixedPrecisionStaysSilentWithoutEvidenceOrWhenAlreadyMixedOrIdle() {
        assertSilent(advise(run("unknown")), RecommendationType.MIXED_PRECISION, "no precision param");
        assertSilent(advise(run("amp").param("precision", "bf16-mixed")), RecommendationType.MIXED_PRECISION, "already trains in reduced");
        assertSilent(advise(run("idle-fp32").param("precision", "fp32").utilization(40.0)), RecommendationType.MIXED_PRECISION,
                "busy only 40.0%");
    }

    // DATA_LOADING

    @Test
    void dataLoadingFiresWhenUtilisationSwingsBetweenBusyAndIdle() {
        Recommendations.Recommendation dl = find(advise(run("stalls").param("num_workers", "0").utilization(95.0, 5.0, 90.0, 10.0)),
                RecommendationType.DATA_LOADING).orElseThrow();
        assertThat(dl.confidence()).isEqualTo(Recommendations.Confidence.HIGH);
        assertThat(dl.trigger()).contains("utilisation swings");
        assertThat(dl.action().arguments().get("params")).isEqualTo(Map.of("num_workers", "8", "pin_memory", "true"));
    }

    @Test
    void dataLoadingStaysSilentOnSteadyUtilisationOrTooFewSamples() {
        assertSilent(advise(run("steady").utilization(70.0, 75.0)), RecommendationType.DATA_LOADING, "steady");
        assertSilent(advise(run("few").utilization(95.0, 5.0).sampleEvery(1_000)), RecommendationType.DATA_LOADING, "Only 6 utilisation");
    }

    // the answer as a whole

    @Test
    void recommendationsAreSortedByTheirSavingAndEveryOneSavesMoney() {
        Recommendations r = advise(run("wasteful").start("2026-11-30T09:00:00Z").param("batch_size", "32").param("checkpoint_dir", "/ckpt")
                .utilization(12.0).memoryMb(3_000).valLoss(1.0, 0.9, 0.8, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1.0));
        assertThat(r.recommendations()).hasSizeGreaterThanOrEqualTo(5);
        List<BigDecimal> savings = r.recommendations().stream().map(x -> x.estimatedSavings().amount()).toList();
        assertThat(savings).isSortedAccordingTo(java.util.Comparator.reverseOrder());
        assertThat(savings).allSatisfy(s -> assertThat(s).isPositive());
        assertThat(r.verdict()).contains("saves");
        assertThat(r.notes()).anySatisfy(n -> assertThat(n).contains("do not add up"));
    }

    @Test
    void aJobIdFindsItsRunThroughTheQueue() {
        JobContext job = new JobContext("tj-00000000000a", "small", "resnet", "team-b", "BACKGROUND", "H100", 1, 10, 32, false, null,
                "SUCCEEDED", Map.of());
        JobContext.Lookup jobs = lookup(job);
        InMemory source = new InMemory();
        source.runs.add(run("small").start("2026-11-30T09:00:00Z").build());
        CostRecommender recommender = new CostRecommender(source, prices, jobs, clock);
        Recommendations r = recommender.recommend(new RecommendRequest("tj-00000000000a", null, null));
        assertThat(r.run().runName()).isEqualTo("small");
        Recommendations.Recommendation op = find(r, RecommendationType.OFF_PEAK).orElseThrow();
        assertThat(op.confidence()).isEqualTo(Recommendations.Confidence.HIGH);
        assertThat(op.action().arguments()).containsEntry("team", "team-b").containsEntry("priority", "BACKGROUND");
        assertThatThrownBy(() -> recommender.recommend(new RecommendRequest("tj-ffffffffffff", null, null)))
                .isInstanceOf(ToolException.class).hasMessage("No trainops job tj-ffffffffffff.")
                .satisfies(e -> assertThat(((ToolException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void aRunWithoutSystemMetricsIsJudgedOnItsJobsDcgmSeries() {
        JobContext job = new JobContext("tj-0a1b2c3d4e5f", "no-sysmetrics", "resnet", "team-a", "NORMAL", "H100", 1, 10, 256, false, null,
                "SUCCEEDED", Map.of());
        JobContext.Lookup jobs = lookup(job);
        InMemory source = new InMemory();
        source.runs.add(run("no-sysmetrics").noSystemMetrics().build());
        // without an outside source nothing can judge utilisation
        Recommendations blind = new CostRecommender(source, prices, jobs, clock).recommend(new RecommendRequest("no-sysmetrics", null, null));
        assertSilent(blind, RecommendationType.LOW_GPU_UTILIZATION, "No GPU utilisation metric");
        List<Instant[]> asked = new ArrayList<>();
        JobGpuUsage dcgm = (j, from, to) -> {
            asked.add(new Instant[] {from, to});
            return Optional.of(new JobGpuUsage.Measured(12, 2_861.0, "DCGM_FI_DEV_GPU_UTIL of job " + j.jobId() + "'s pods"));
        };
        Recommendations r = new CostRecommender(source, prices, jobs, clock, dcgm).recommend(new RecommendRequest("no-sysmetrics", null, null));
        Recommendations.Recommendation low = find(r, RecommendationType.LOW_GPU_UTILIZATION).orElseThrow();
        assertThat(low.evidence().get(0).source()).contains("DCGM_FI_DEV_GPU_UTIL of job tj-0a1b2c3d4e5f");
        assertThat(find(r, RecommendationType.RIGHT_SIZE_GPU)).isPresent(); // 2,861 MiB peak on an 80 GB H100
        assertThat(asked).singleElement().satisfies(w -> {
            assertThat(w[0]).isEqualTo(Instant.parse("2026-11-30T22:30:00Z"));
            assertThat(w[1]).isEqualTo(Instant.parse("2026-12-01T00:10:00Z"));
        });
    }

    @Test
    void badInputNamesTheArgumentAndTheFix() {
        CostRecommender recommender = new CostRecommender(new InMemory(), prices, JobContext.Lookup.NONE, clock);
        assertThatThrownBy(() -> recommender.recommend(new RecommendRequest("x'; drop", null, null))).isInstanceOf(ToolException.class)
                .hasMessageContaining("Argument 'run_id'");
        assertThatThrownBy(() -> recommender.recommend(new RecommendRequest("no-such-run", null, null))).isInstanceOf(ToolException.class)
                .hasMessage("No run 'no-such-run' in memory.");
    }

    @Test
    void aRunWithoutAPricedGpuTypeSaysWhatToLog() {
        Recommendations r = advise(run("unpriced").param("gpu_type", null));
        assertThat(r.recommendations()).isEmpty();
        assertThat(r.efficient()).isFalse();
        assertThat(r.verdict()).contains("logged no GPU type trainops prices").contains("H100");
    }
}

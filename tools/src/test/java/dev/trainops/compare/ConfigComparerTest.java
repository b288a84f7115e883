package dev.trainops.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.forecast.EpochRate;
import dev.trainops.forecast.EpochTimeline;
import dev.trainops.forecast.HistoricRun;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** compare_training_configs on the real H200 runs: llm-tiny at batch 64 and 128, mnist-mlp with val_accuracy. */
class ConfigComparerTest {
    final MlflowFixtures h200 = MlflowFixtures.h200();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));
    final List<HistoricRun> runs = new ArrayList<>();
    ConfigComparer comparer;
    RunHistorySource source;
    PriceBook prices;

    @BeforeEach
    void setUp() throws Exception {
        for (String n : List.of("mnist-bs32", "llm-bs64", "llm-bs128")) {
            MlflowRun r = h200.run(n);
            runs.add(new HistoricRun(r.runId(), r.runName(), r.status(), r.startTime(), r.params(), h200.history(n, "val_loss"),
                    h200.history(n, "loss"), h200.history(n, "val_accuracy")));
        }
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        source = new RunHistorySource() {
            @Override
            public Found find(String name) {
                return new Found(runs.stream().filter(r -> name.equals(r.params().get("model"))).toList(), clock.instant(), false);
            }

            @Override
            public String name() {
                return "test";
            }
        };
        comparer = new ConfigComparer(source, prices, clock);
    }

    static CompareRequest.Config config(String model, int epochs, Integer batch, String gpuType, Boolean spot, String schedule) {
        return new CompareRequest.Config(model, epochs, batch, gpuType, null, spot, schedule, null);
    }

    /** What the run's own timeline says: epoch 1's warm-up plus the steady rate for each epoch. */
    long expectedSeconds(String run, int epochs) {
        HistoricRun r = runs.stream().filter(x -> x.runName().equals(run)).findFirst().orElseThrow();
        EpochTimeline t = EpochTimeline.of(r.start(), r.epochMetric(), r.stepMetric(), Integer.valueOf(r.param("steps_per_epoch", "0")));
        double steady = EpochRate.of(t).secondsPerEpoch();
        double warm = Math.max(0, t.epochDurations().get(0).toMillis() / 1000.0 - steady);
        return Math.round(warm + steady * epochs);
    }

    @Test
    void eachConfigRestsOnTheRunWithItsBatchSizeAndIsPricedThreeWays() {
        Comparison c = comparer.compare(new CompareRequest(List.of(config("llm-tiny", 500, 64, null, null, null),
                config("llm-tiny", 500, 128, null, null, null))));
        Comparison.Option bs64 = c.options().get(0);
        Comparison.Option bs128 = c.options().get(1);
        assertThat(bs64.reference().runName()).isEqualTo("llm-bs64");
        assertThat(bs128.reference().runName()).isEqualTo("llm-bs128");
        assertThat(bs64.confidence()).isEqualTo("HIGH");
        assertThat(bs64.durationSeconds()).isEqualTo(expectedSeconds("llm-bs64", 500));
        assertThat(bs128.durationSeconds()).isEqualTo(expectedSeconds("llm-bs128", 500));
        // on demand now (12:00, all peak) vs the same time from 22:00 (all off-peak): exactly half, to the micro-unit;
        // all-in, as the ledger bills it: the H200 with its 8 cores and 64 GiB
        BigDecimal hourly = prices.current(clock.instant()).gpuRate("H200").add(new BigDecimal("0.031611").multiply(BigDecimal.valueOf(8)))
                .add(new BigDecimal("0.004237").multiply(BigDecimal.valueOf(64)));
        BigDecimal peak = hourly.multiply(BigDecimal.valueOf(bs64.durationSeconds())).divide(BigDecimal.valueOf(3600), 6, RoundingMode.HALF_EVEN);
        assertThat(bs64.onDemand().cost()).isEqualByComparingTo(peak);
        assertThat(bs64.offPeak().start()).isEqualTo(Instant.parse("2026-11-30T22:00:00Z"));
        assertThat(bs64.offPeak().offPeakSeconds()).isEqualTo(bs64.durationSeconds());
        assertThat(bs64.offPeak().cost()).isCloseTo(peak.divide(BigDecimal.valueOf(2), 6, RoundingMode.HALF_EVEN), within(new BigDecimal("0.000001")));
        assertThat(bs64.spot().expectedCost()).isLessThan(bs64.onDemand().cost());
        assertThat(bs64.spot().wastedCost()).isPositive();
        assertThat(bs64.spot().expectedDurationSeconds()).isGreaterThan(bs64.durationSeconds());
        // batch 128 is faster per epoch on the same GPU, so cheaper and earlier: it dominates
        assertThat(bs128.paretoOptimal()).isTrue();
        assertThat(bs64.paretoOptimal()).isFalse();
        assertThat(c.recommended()).isEqualTo(1);
        assertThat(c.recommendation()).contains("config 2").contains("beats every other option");
    }

    @Test
    void offPeakIsCheaperButLaterSoBothArePareto() {
        Comparison c = comparer.compare(new CompareRequest(List.of(config("llm-tiny", 500, 128, null, null, "now"),
                config("llm-tiny", 500, 128, null, null, "off_peak"))));
        Comparison.Option now = c.options().get(0);
        Comparison.Option night = c.options().get(1);
        assertThat(now.selected()).isEqualTo(Comparison.Mode.ON_DEMAND);
        assertThat(night.selected()).isEqualTo(Comparison.Mode.OFF_PEAK);
        assertThat(night.selectedCost()).isLessThan(now.selectedCost());
        assertThat(night.selectedFinish()).isAfter(now.selectedFinish());
        assertThat(now.paretoOptimal()).isTrue();
        assertThat(night.paretoOptimal()).isTrue();
        assertThat(c.recommended()).isEqualTo(1);
        assertThat(c.recommendation()).contains("config 1 finishes").contains("min earlier");
        assertThat(c.notes()).anyMatch(n -> n.startsWith("config 1 would cost") && n.contains("off-peak"));
    }

    @Test
    void anotherGpuTypeIsScaledByTensorThroughputWithLowConfidence() {
        Comparison c = comparer.compare(new CompareRequest(List.of(config("llm-tiny", 100, 128, "h100", null, null),
                config("llm-tiny", 100, 128, "A100-80GB", null, null), config("llm-tiny", 100, 128, "H200", null, null))));
        Comparison.Option h100 = c.options().get(0);
        Comparison.Option a100 = c.options().get(1);
        Comparison.Option h200 = c.options().get(2);
        assertThat(h100.gpuType()).isEqualTo("H100");
        assertThat(h100.confidence()).isEqualTo("LOW");
        assertThat(h100.assumptions()).anyMatch(a -> a.contains("peak tensor TFLOPS (989 vs 989)"));
        assertThat(h100.secondsPerEpoch()).isEqualTo(h200.secondsPerEpoch());
        assertThat(a100.secondsPerEpoch()).isCloseTo(h200.secondsPerEpoch() * 989 / 312, within(0.2));
        // H100 costs less per hour than H200 at the same speed: H200 is dominated
        assertThat(h200.paretoOptimal()).isFalse();
        assertThat(h100.paretoOptimal()).isTrue();
    }

    @Test
    void costRule8_costPerAccuracyPointInAComparisonIsCostOverGainAndNullWithoutGain() {
        Comparison c = comparer.compare(new CompareRequest(List.of(config("mnist-mlp", 2, null, null, null, null),
                config("mnist-mlp", 6, null, null, null, null), config("mnist-mlp", 1, null, null, null, null))));
        Comparison.Option two = c.options().get(0);
        assertThat(two.accuracy().metric()).isEqualTo("val_accuracy");
        assertThat(two.accuracy().gainPoints()).isPositive(); // 58.40% -> 58.46%
        assertThat(two.costPerAccuracyPoint()).isEqualByComparingTo(
                two.selectedCost().divide(two.accuracy().gainPoints(), 6, RoundingMode.HALF_EVEN));
        assertThat(c.options().get(1).accuracy().gainPoints()).isNegative(); // the run over-fits after epoch 2
        assertThat(c.options().get(1).costPerAccuracyPoint()).isNull();
        assertThat(c.options().get(2).accuracy().gainPoints()).isZero();
        assertThat(c.options().get(2).costPerAccuracyPoint()).isNull();
    }

    @Test
    void spotIsPricedWithInterruptionsAndAModelWithoutRunsIsNotEstimated() {
        Comparison c = comparer.compare(new CompareRequest(List.of(config("llm-tiny", 5000, 128, null, true, null),
                config("resnet", 3, null, null, null, null))));
        Comparison.Option spot = c.options().get(0);
        assertThat(spot.selected()).isEqualTo(Comparison.Mode.SPOT);
        assertThat(spot.selectedCost()).isEqualByComparingTo(spot.spot().expectedCost());
        Money onDemand = new Money(spot.onDemand().cost(), Currency.getInstance("USD"));
        assertThat(spot.selectedCost()).isLessThan(onDemand.amount().multiply(new BigDecimal("0.35")));
        Comparison.Option none = c.options().get(1);
        assertThat(none.estimated()).isFalse();
        assertThat(none.error()).contains("No past runs of model 'resnet'");
        assertThat(none.paretoOptimal()).isFalse();
        assertThat(c.recommended()).isEqualTo(0);
    }

    @Test
    void badInputNamesTheConfigAndTheFix() {
        assertThatThrownBy(() -> comparer.compare(new CompareRequest(List.of(config("llm-tiny", 5, null, null, null, null),
                config("llm-tiny", 5, null, "B200", null, null))))).isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).contains("configs[1].gpu_type").contains("B200");
                    assertThat(e.hint()).contains("H100");
                });
        assertThatThrownBy(() -> comparer.compare(new CompareRequest(List.of(config("llm-tiny", 5, null, null, null, "tonight")))))
                .hasMessageContaining("configs[0].schedule").hasMessageContaining("'now', 'off_peak'");
        assertThatThrownBy(() -> comparer.compare(new CompareRequest(List.of(config("llm-tiny", 5, null, null, null, "2026-11-29T22:00:00Z")))))
                .hasMessageContaining("is in the past");
        assertThatThrownBy(() -> comparer.compare(new CompareRequest(List.of(config("resnet", 5, null, null, null, null)))))
                .isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }

    @Test
    void theToolChecksNestedArgumentsAndNamesTheirPath() {
        ToolCatalog catalog = new ToolCatalog(List.of(ConfigComparer.tool(() -> comparer)), List.of());
        assertThat(error(catalog, Map.of("configs", List.of())).message()).contains("'configs' has 0 item(s)").contains("between 1 and 12");
        assertThat(error(catalog, Map.of("configs", List.of(Map.of("model", "llm-tiny")))).message())
                .isEqualTo("Missing required argument 'configs[0].epochs' (an integer).");
        ToolError unknown = error(catalog, Map.of("configs", List.of(Map.of("model", "llm-tiny", "epochs", 3, "gpus", 2))));
        assertThat(unknown.message()).isEqualTo("Unknown argument 'configs[0].gpus'.");
        assertThat(unknown.hint()).contains("Accepted arguments in configs[0]: model, epochs, batch_size, gpu_type, gpu_count");
        assertThat(error(catalog, Map.of("configs", List.of(Map.of("model", "llm-tiny", "epochs", 0)))).message())
                .isEqualTo("Argument 'configs[0].epochs' is 0; it must be between 1 and 10000.");
        assertThat(error(catalog, Map.of("configs", List.of(Map.of("model", "llm-tiny", "epochs", "five")))).message())
                .startsWith("Argument 'configs[0].epochs' must be an integer");
        ToolOutcome ok = catalog.invoke("compare_training_configs", Map.of("configs", List.of(Map.of("model", "llm-tiny", "epochs", 3))));
        assertThat(ok).isInstanceOf(ToolOutcome.Success.class);
        assertThat(((ToolOutcome.Success) ok).text()).contains("config 1: $").contains("Recommended: config 1");
    }

    static ToolError error(ToolCatalog catalog, Map<String, Object> args) {
        ToolOutcome outcome = catalog.invoke("compare_training_configs", args);
        assertThat(outcome).isInstanceOf(ToolOutcome.Failure.class);
        return ((ToolOutcome.Failure) outcome).error();
    }

    ConfigComparer comparer(dev.trainops.queue.JobFootprints.Shares shares) {
        return new ConfigComparer(source, prices, new dev.trainops.queue.JobFootprints(dev.trainops.queue.TestRequests.TWELVE_CORES_100_GIB,
                shares), clock);
    }

    /** Issue 13, "estimates equal the bill": compare prices the job's GPUs, CPU and memory as the ledger bills that segment. */
    @Test
    void estimatesEqualTheBill_compareOnDemandAndOffPeakAreTheLedgersPriceOfTheJobsSegment() {
        Comparison.Option o = comparer(dev.trainops.queue.JobFootprints.Shares.WHOLE)
                .compare(new CompareRequest(List.of(config("llm-tiny", 20, 64, null, null, null)))).options().get(0);
        for (Comparison.Priced p : List.of(o.onDemand(), o.offPeak())) {
            var segment = new dev.trainops.cost.UsageSegment("bill", p.start(), p.finish(), o.gpuType(), BigDecimal.valueOf(o.gpuCount()),
                    BigDecimal.valueOf(12L * o.gpuCount()), BigDecimal.valueOf(100L * o.gpuCount()), false);
            assertThat(p.cost()).isEqualByComparingTo(prices.cost(segment).amount());
            var gpuOnly = new dev.trainops.cost.UsageSegment("gpu", p.start(), p.finish(), o.gpuType(), BigDecimal.valueOf(o.gpuCount()),
                    BigDecimal.ZERO, BigDecimal.ZERO, false);
            assertThat(p.cost()).isGreaterThan(prices.cost(gpuOnly).amount());
        }
    }

    /**
     * The queue's estimator (queue_training_job and validate_job_resources) on a time-sliced GPU: a
     * replica of a GPU shared 4 ways is a quarter of it, runs 4 times as long as the whole-GPU run
     * it is scaled from, and holds its CPU and memory all that time; the estimate is what the
     * ledger bills for that segment.
     */
    @Test
    void estimatesEqualTheBill_theQueuesEstimateOnATimeSlicedGpuIsTheLedgersPriceOfAQuarterGpuWithItsCpuAndMemory() {
        dev.trainops.queue.JobFootprints.Shares quarter = (type, units) -> new BigDecimal("0.25").multiply(BigDecimal.valueOf(units));
        Instant start = clock.instant();
        var whole = new HistoryEstimator(comparer(dev.trainops.queue.JobFootprints.Shares.WHOLE))
                .estimate("llm-tiny", 20, 64, "H200", 1, false, start).orElseThrow();
        var shared = new HistoryEstimator(comparer(quarter)).estimate("llm-tiny", 20, 64, "H200", 1, false, start).orElseThrow();
        assertThat((double) shared.seconds()).isCloseTo(4.0 * whole.seconds(), org.assertj.core.api.Assertions.within(2.0));
        var billed = new dev.trainops.cost.UsageSegment("bill", start, start.plusSeconds(shared.seconds()), "H200", new BigDecimal("0.25"),
                new BigDecimal("12"), new BigDecimal("100"), false);
        assertThat(shared.cost().amount()).isEqualByComparingTo(prices.cost(billed).amount());
        // the GPU costs the same either way (a quarter of it for four times as long); the CPU and memory four times as much
        assertThat(shared.cost().amount()).isGreaterThan(whole.cost().amount());
    }

    @Test
    @SuppressWarnings("unchecked")
    void rule6_aComparisonRestsOnlyOnRunsTheCallerSees() {
        // llm-bs64 is team-a's, llm-bs128 team-b's, mnist-bs32 of no team
        runs.replaceAll(r -> r.ownedBy(r.runName().equals("llm-bs64") ? "team-a" : r.runName().equals("llm-bs128") ? "team-b" : null));
        ToolCatalog catalog = new ToolCatalog(List.of(ConfigComparer.tool(() -> comparer)), List.of());
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"), dev.trainops.access.Role.MEMBER);
        Map<String, Object> llm = Map.of("configs", List.of(Map.of("model", "llm-tiny", "epochs", 20, "batch_size", 128)));
        ToolOutcome asAlice = catalog.invoke("compare_training_configs", llm, dev.trainops.catalog.CallContext.of(alice));
        ToolOutcome asAdmin = catalog.invoke("compare_training_configs", llm, dev.trainops.catalog.CallContext.NONE);
        String aliceJson = dev.trainops.catalog.Json.write(((ToolOutcome.Success) asAlice).structured());
        assertThat(aliceJson).contains("llm-bs64").doesNotContain("llm-bs128");
        assertThat(dev.trainops.catalog.Json.write(((ToolOutcome.Success) asAdmin).structured())).contains("llm-bs128");
        ToolOutcome mnist = catalog.invoke("compare_training_configs", Map.of("configs", List.of(Map.of("model", "mnist-mlp", "epochs", 2))),
                dev.trainops.catalog.CallContext.of(alice));
        assertThat(((ToolOutcome.Failure) mnist).error().code()).isEqualTo(ErrorCode.NOT_FOUND);
    }
}

package dev.trainops.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.RateClass;
import dev.trainops.mlflow.MlflowFixtures;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.math.BigDecimal;
import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import org.junit.jupiter.api.Test;

/** docs/money.md cost rule 7 on the real H200 histories. */
class ForecastServiceTest {
    final MlflowFixtures h200 = MlflowFixtures.h200();
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    ForecastService service() throws Exception {
        return service(team -> Optional.empty());
    }

    ForecastService service(Function<String, Optional<BudgetStatus>> budgets) throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        return new ForecastService(h200Source(), prices, budgets, clock);
    }

    RunHistorySource h200Source() {
        return new RunHistorySource() {
            @Override
            public Found find(String name) {
                return new Found(List.of("mnist-bs32", "llm-bs64", "llm-bs128").stream().filter(n -> n.equals(name)).map(n -> {
                    MlflowRun r = h200.run(n);
                    Map<String, String> params = new java.util.HashMap<>(r.params());
                    params.put("team", "team-a");
                    return new HistoricRun(r.runId(), r.runName(), r.status(), r.startTime(), params, h200.history(n, "val_loss"),
                            h200.history(n, "loss"), h200.history(n, "val_accuracy"));
                }).toList(), clock.instant(), false);
            }

            @Override
            public String name() {
                return "test";
            }
        };
    }

    @Test
    void theBudgetImpactSaysThePaceTheCostAndTheStateAfter() throws Exception {
        BudgetStatus status = new BudgetStatus("team-a", Budget.Kind.TEAM, "USD", Budget.Period.MONTHLY, Instant.parse("2026-11-01T00:00:00Z"),
                Instant.parse("2026-12-01T00:00:00Z"), new BigDecimal("1.000000"), new BigDecimal("0.600000"), new BigDecimal("0.050000"),
                BigDecimal.ZERO, new BigDecimal("0.650000"), new BigDecimal("0.350000"), new BigDecimal("65.00"), BudgetState.OK, BudgetState.OK,
                List.of());
        Forecast f = service(team -> team.equals("team-a") ? Optional.of(status) : Optional.empty())
                .forecast(new ForecastRequest("llm-bs64", 100));
        Forecast.BudgetImpact impact = f.budgetImpact();
        assertThat(impact.team()).isEqualTo("team-a");
        assertThat(impact.summary()).startsWith("Current pace: $").contains("/epoch at peak").contains("Continuing 100 more epochs: $");
        BigDecimal after = new BigDecimal("0.650000").add(f.estimatedCost());
        assertThat(impact.remainingAfter()).isEqualByComparingTo(BigDecimal.ONE.subtract(after));
        assertThat(impact.percentUsedAfter()).isEqualByComparingTo(after.multiply(BigDecimal.valueOf(100)).setScale(2, java.math.RoundingMode.HALF_EVEN));
        assertThat(impact.stateAfter()).isEqualTo(BudgetState.of(new dev.trainops.cost.Money(after, java.util.Currency.getInstance("USD")),
                new dev.trainops.cost.Money(BigDecimal.ONE, java.util.Currency.getInstance("USD"))));
        assertThat(f.stale()).isFalse();

        Forecast noBudget = service().forecast(new ForecastRequest("llm-bs64", 2));
        assertThat(noBudget.budgetImpact().stateAfter()).isNull();
        assertThat(noBudget.budgetImpact().summary()).contains("Team team-a has no budget");
    }

    @Test
    void costRule7_forecastsLeaveWarmUpOutAndReturnAnInterval() throws Exception {
        Forecast f = service().forecast(new ForecastRequest("llm-bs64", 10));
        assertThat(f.method()).isEqualTo(EpochRate.Method.STEADY_STATE_MEDIAN);
        assertThat(f.secondsPerEpoch()).isLessThan(2.865); // epoch 1 took 2.865 s with warm-up
        assertThat(f.confidenceInterval().low()).isLessThanOrEqualTo(f.estimatedCost());
        assertThat(f.confidenceInterval().high()).isGreaterThanOrEqualTo(f.estimatedCost());
        assertThat(f.basedOn().gpuType()).isEqualTo("H200");
    }

    @Test
    void costRule7_forecastsAreZeroForZeroEpochs() throws Exception {
        Forecast f = service().forecast(new ForecastRequest("llm-bs64", 0));
        assertThat(f.estimatedCost()).isEqualByComparingTo("0");
        assertThat(f.estimatedDurationSeconds()).isZero();
        assertThat(f.spot()).isNull();
    }

    @Test
    void costRule7_forecastsSeeAnUpcoming2200() throws Exception {
        clock.set(Instant.parse("2026-11-30T21:59:00Z"));
        Forecast f = service().forecast(new ForecastRequest("mnist-bs32", 100)); // ~8 min
        assertThat(f.breakdown()).extracting(Forecast.Part::rateClass).containsExactly(RateClass.PEAK, RateClass.OFF_PEAK);
        assertThat(f.estimatedCost()).isLessThan(f.estimatedCostAtPeak());
    }

    @Test
    void aQueuedJobIsForecastFromItsModelsRunsAndARunningOneFromItsOwn() throws Exception {
        RunHistorySource inner = h200Source();
        RunHistorySource byModel = new RunHistorySource() {
            @Override
            public Found find(String name) {
                return name.equals("llm-tiny") ? inner.find("llm-bs128") : inner.find(name);
            }

            @Override
            public String name() {
                return "test";
            }
        };
        ForecastService jobs = new ForecastService(new JobAwareHistory(byModel, id -> id.equals("tj-0123456789ab")
                ? Optional.of(new ForecastService.JobRef("sweep-7", "llm-tiny")) : id.equals("tj-00000000beef")
                ? Optional.of(new ForecastService.JobRef("llm-bs64", "llm-tiny")) : Optional.empty()), PricingConfig.load(
                Path.of("../config/pricing.yaml")), clock);
        Forecast queued = jobs.forecast(new ForecastRequest("tj-0123456789ab", 3));
        assertThat(queued.basedOn().runName()).isEqualTo("llm-bs128");
        assertThat(queued.notes()).anyMatch(n -> n.contains("has no epochs of its own yet"));
        Forecast ownRun = jobs.forecast(new ForecastRequest("tj-00000000beef", 3));
        assertThat(ownRun.basedOn().runName()).isEqualTo("llm-bs64");
        assertThatThrownBy(() -> jobs.forecast(new ForecastRequest("tj-ffffffffffff", 3))).hasMessageContaining("or the job queue");
    }

    @Test
    void anUnknownJobIsNotFoundAndAnEmptyNameIsInvalid() throws Exception {
        assertThatThrownBy(() -> service().forecast(new ForecastRequest("nope", 3))).isInstanceOf(ToolException.class)
                .hasMessageContaining("No run, job or model named 'nope'");
        assertThatThrownBy(() -> service().forecast(new ForecastRequest(" ", 3))).hasMessageContaining("job_name");
        assertThat(Map.of()).isEmpty();
    }

    /** Issue 13, "estimates equal the bill": the forecast is the ledger's price of the job's GPUs, CPU and memory over its interval. */
    @Test
    void estimatesEqualTheBill_theForecastPricesGpuCpuAndMemoryAsTheLedgerBillsTheSameSegment() throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        ForecastService service = new ForecastService(h200Source(), prices,
                new dev.trainops.queue.JobFootprints(dev.trainops.queue.TestRequests.TWELVE_CORES_100_GIB, dev.trainops.queue.JobFootprints.Shares.WHOLE),
                team -> Optional.empty(), clock);
        clock.set(Instant.parse("2026-11-30T21:59:55Z")); // crosses 22:00: peak and off-peak slices
        Forecast f = service.forecast(new ForecastRequest("llm-bs64", 5));
        int gpus = f.basedOn().gpuCount();
        var segment = new dev.trainops.cost.UsageSegment("bill", f.estimatedStart(), f.estimatedEnd(), f.basedOn().gpuType(),
                BigDecimal.valueOf(gpus), BigDecimal.valueOf(12L * gpus), BigDecimal.valueOf(100L * gpus), false);
        assertThat(f.estimatedCost()).isEqualByComparingTo(prices.cost(segment).amount());
        var gpuOnly = new dev.trainops.cost.UsageSegment("gpu", f.estimatedStart(), f.estimatedEnd(), f.basedOn().gpuType(),
                BigDecimal.valueOf(gpus), BigDecimal.ZERO, BigDecimal.ZERO, false);
        assertThat(f.estimatedCost()).isGreaterThan(prices.cost(gpuOnly).amount());
        // at peak: the same segment's hourly rate (GPU, 12 cores, 100 GiB) for the whole time
        BigDecimal hourly = PriceBook.hourlyRate(prices.current(clock.instant()), segment);
        assertThat(f.estimatedCostAtPeak()).isEqualByComparingTo(hourly.multiply(BigDecimal.valueOf(f.estimatedDurationSeconds()))
                .divide(BigDecimal.valueOf(3600), 6, java.math.RoundingMode.HALF_EVEN));
        assertThat(f.breakdown()).extracting(Forecast.Part::rateClass).contains(RateClass.PEAK, RateClass.OFF_PEAK);
    }

    @Test
    void rule1_anotherTeamsJobIdIsTheSameNotFoundAsAnUnknownJob() throws Exception {
        // h200Source's runs carry team=team-a; the job tj-00000000beef is team-a's
        ForecastService jobs = new ForecastService(new JobAwareHistory(h200Source(), id -> id.equals("tj-00000000beef")
                ? Optional.of(new ForecastService.JobRef("llm-bs64", "llm-tiny", "team-a")) : Optional.empty()),
                PricingConfig.load(Path.of("../config/pricing.yaml")), clock);
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"), dev.trainops.access.Role.VIEWER);
        dev.trainops.access.Principal bob = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"), dev.trainops.access.Role.VIEWER);
        assertThat(jobs.forecast(new ForecastRequest("tj-00000000beef", 3), alice).basedOn().runName()).isEqualTo("llm-bs64");
        Throwable hidden = org.assertj.core.api.Assertions.catchThrowable(() -> jobs.forecast(new ForecastRequest("tj-00000000beef", 3), bob));
        Throwable unknown = org.assertj.core.api.Assertions.catchThrowable(() -> jobs.forecast(new ForecastRequest("tj-ffffffffffff", 3), bob));
        assertThat(hidden).isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND));
        assertThat(hidden.getMessage()).isEqualTo(unknown.getMessage().replace("tj-ffffffffffff", "tj-00000000beef"));
        // and a run name of team-a's is not found for bob either
        assertThatThrownBy(() -> jobs.forecast(new ForecastRequest("llm-bs64", 3), bob)).hasMessageContaining("No run, job or model named 'llm-bs64'");
    }
}

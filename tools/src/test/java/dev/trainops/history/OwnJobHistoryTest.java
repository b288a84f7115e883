package dev.trainops.history;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.compare.CompareRequest;
import dev.trainops.compare.Comparison;
import dev.trainops.compare.ConfigComparer;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.forecast.EpochRate;
import dev.trainops.forecast.Forecast;
import dev.trainops.forecast.ForecastRequest;
import dev.trainops.forecast.ForecastService;
import dev.trainops.forecast.HistoricRun;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.recommend.CostRecommender;
import dev.trainops.recommend.JobContext;
import dev.trainops.recommend.RecommendRequest;
import dev.trainops.recommend.Recommendations;
import dev.trainops.recommend.RunEvidenceSource;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/money.md "History without MLflow": forecast, compare and recommend from trainops's own finished jobs. */
class OwnJobHistoryTest {
    static final Instant DAY = Instant.parse("2026-11-29T09:00:00Z");
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    @TempDir
    Path dir;
    Store store;
    QueueStore queue;
    PriceBook prices;
    OwnJobHistory history;

    @BeforeEach
    void open() throws Exception {
        store = Store.sqlite(dir);
        queue = new QueueStore(store, clock);
        prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        history = new OwnJobHistory(queue, clock);
        FinishedJobs.store(queue,
                // llm: 4 epochs of 900 s at batch size 64, and 4 epochs of 700 s at 128, both on one H100
                FinishedJobs.succeeded("tj-00000000000a", "llm-bs64", "llm", "H100", 1, 4, 64, DAY, 3600),
                FinishedJobs.succeeded("tj-00000000000b", "llm-bs128", "llm", "H100", 1, 4, 128, DAY.plusSeconds(7200), 2800),
                FinishedJobs.ended("tj-00000000000c", "llm-failed", "llm", "H100", 1, 4, 64, DAY.plusSeconds(20000), 100, JobState.FAILED),
                FinishedJobs.preemptedThenSucceeded("tj-00000000000d", "llm-resumed", "llm", "H100", 4, 64, DAY.plusSeconds(30000), 500));
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void theModelsRunsAreItsJobsThatSucceededWithoutAPreemption() {
        List<HistoricRun> runs = history.find("llm").runs();
        assertThat(runs).extracting(HistoricRun::runName).containsExactly("llm-bs128", "llm-bs64");
        HistoricRun bs64 = runs.get(1);
        assertThat(bs64.runId()).isEqualTo("tj-00000000000a");
        assertThat(bs64.totals()).isEqualTo(new HistoricRun.Totals(4, 3600));
        assertThat(bs64.params()).containsEntry("gpu_type", "H100").containsEntry("gpu_count", "1").containsEntry("batch_size", "64")
                .containsEntry("model", "llm").containsEntry("team", "team-a").containsEntry("lr", "3e-4");
        assertThat(history.find("llm-bs64").runs()).extracting(HistoricRun::runId).containsExactly("tj-00000000000a");
        assertThat(history.find("tj-00000000000b").runs()).extracting(HistoricRun::runName).containsExactly("llm-bs128");
        assertThat(history.find("llm-failed").runs()).isEmpty();
        assertThat(history.find("llm-resumed").runs()).isEmpty();
        assertThat(history.find("nothing").runs()).isEmpty();
        assertThat(history.name()).isEqualTo("trainops-jobs");
    }

    @Test
    void aForecastFromOwnJobsSaysSoAndPacesByRunTimeOverEpochs() {
        Forecast f = new ForecastService(history, prices, clock).forecast(new ForecastRequest("llm-bs64", 5));
        assertThat(f.basedOn().source()).isEqualTo("trainops-jobs");
        assertThat(f.basedOn().runId()).isEqualTo("tj-00000000000a");
        assertThat(f.method()).isEqualTo(EpochRate.Method.JOB_AVERAGE);
        assertThat(f.secondsPerEpoch()).isEqualTo(900.0);
        assertThat(f.estimatedDurationSeconds()).isEqualTo(4500);
        assertThat(f.completedEpochs()).isEqualTo(4);
        assertThat(f.estimatedCost()).isPositive();
        assertThat(f.confidenceInterval().low()).isLessThan(f.estimatedCost());
        assertThat(f.notes()).anyMatch(n -> n.contains("own finished job tj-00000000000a"));
        // by model: the most recent job of it
        assertThat(new ForecastService(history, prices, clock).forecast(new ForecastRequest("llm", 2)).basedOn().runName()).isEqualTo("llm-bs128");
    }

    @Test
    void aComparisonFromOwnJobsTellsTheTwoBatchSizesApart() {
        Comparison c = new ConfigComparer(history, prices, clock).compare(new CompareRequest(List.of(
                new CompareRequest.Config("llm", 10, 64, "H100", 1, false, null, "bs64"),
                new CompareRequest.Config("llm", 10, 128, "H100", 1, false, null, "bs128"))));
        Comparison.Option bs64 = c.options().get(0);
        Comparison.Option bs128 = c.options().get(1);
        assertThat(bs64.reference().source()).isEqualTo("trainops-jobs");
        assertThat(bs64.reference().runName()).isEqualTo("llm-bs64");
        assertThat(bs128.reference().runName()).isEqualTo("llm-bs128");
        assertThat(bs64.durationSeconds()).isEqualTo(9000);
        assertThat(bs128.durationSeconds()).isEqualTo(7000);
        assertThat(bs128.selectedCost()).isLessThan(bs64.selectedCost());
        assertThat(c.recommended()).isEqualTo(1);
        assertThat(bs64.assumptions()).anyMatch(a -> a.contains("own finished job tj-00000000000a"));
    }

    @Test
    void aRecommendationFromOwnJobsNamesItsSourceAndPricesTheRunAsItRan() {
        Recommendations r = new CostRecommender(history, prices, JobContext.Lookup.NONE, clock).recommend(new RecommendRequest("llm-bs64", null,
                null));
        assertThat(r.run().source()).isEqualTo("trainops-jobs");
        assertThat(r.run().runId()).isEqualTo("tj-00000000000a");
        assertThat(r.run().gpuType()).isEqualTo("H100");
        assertThat(r.run().siblings()).containsExactly("llm-bs128");
        assertThat(r.baselineCost()).isGreaterThan(BigDecimal.ZERO);
        assertThat(r.checked()).isNotEmpty();
        RunEvidenceSource.Lookup byId = history.lookup("tj-00000000000b", 5);
        assertThat(byId.run().runName()).isEqualTo("llm-bs128");
        assertThat(history.lookup("llm", 5).run()).as("a model name is not a run").isNull();
    }
}

package dev.trainops.monitor;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.Money;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.JobStatus;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaStatus;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Currency;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exporter of the per-job and per-team gauges (docs/monitoring.md): an unknown utilisation is no
 * series, never 0; a capped job's cost over its cap; quota use per resource; and a warning once per
 * crossing of the quota and budget lines.
 */
class MonitorCollectorTest {
    static final Currency USD = Currency.getInstance("USD");
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T12:00:00Z"));

    static QueuedJob running(String id, String node, Long maxCostMicros) {
        JobSpec spec = new JobSpec("team-a", "run-" + id, "llm", "llm", Priority.NORMAL, 0, "H100", 1, 5, 64, Map.of(), false, null,
                maxCostMicros, 4_000_000, 3600, null, null, null);
        return new QueuedJob(id, spec, new JobStatus(JobState.RUNNING, null, null, Instant.parse("2026-11-30T11:00:05Z"), node, 1, true,
                Instant.parse("2026-11-30T11:00:00Z"), Instant.parse("2026-11-30T11:00:01Z"), Instant.parse("2026-11-30T11:00:05Z"), null,
                null, 0));
    }

    static QueueStore queueWith(Path dir, MutableClock clock, QueuedJob... jobs) throws Exception {
        Store store = Store.sqlite(dir);
        QueueStore queue = new QueueStore(store, clock);
        store.inTransaction(0, c -> {
            for (QueuedJob j : jobs) {
                queue.insert(c, j);
            }
            return null;
        });
        return queue;
    }

    /** The open queue's readings, with figures the test sets. */
    static final class Readings implements QueueReadings {
        final Map<String, Money> costs = new HashMap<>();
        final Map<String, List<QuotaStatus.Usage>> usage = new HashMap<>();

        @Override
        public Money costSoFar(QueuedJob job, Instant now) {
            return costs.getOrDefault(job.jobId(), Money.zero(USD));
        }

        @Override
        public Map<String, List<QuotaStatus.Usage>> quotaUsage() {
            return usage;
        }

        @Override
        public BigDecimal quotaWarnAt() {
            return new BigDecimal("0.80");
        }

        void gpus(String team, int used, int limit) {
            usage.put(team, List.of(new QuotaStatus.Usage("gpu", BigDecimal.valueOf(used), BigDecimal.valueOf(limit), null, null),
                    new QuotaStatus.Usage("cpu", BigDecimal.ONE, null, null, null)));
        }
    }

    @Test
    void aRunningJobWithoutDcgmDataHasNoUtilisationSeriesNotZero(@TempDir Path dir) throws Exception {
        QueueStore queue = queueWith(dir, clock, running("tj-000000000001", "h100-a-1", null));
        Metrics metrics = MetricsTest.fresh();
        new MonitorCollector(metrics, null, null, queue, GpuUtilization.UNKNOWN, clock).collect();

        String text = metrics.scrape();
        assertThat(text).doesNotContain("trainops_job_gpu_utilization_ratio{job_id=\"tj-000000000001\"")
                .doesNotContain("trainops_job_gpu_memory_ratio{job_id=\"tj-000000000001\"");
        assertThat(MetricsTest.value(text, "trainops_job_elapsed_seconds", "job_id=\"tj-000000000001\"")).isEqualTo(3595);
    }

    @Test
    void utilisationIsExportedWhereKnownAndItsSeriesGoesWhenTheSourceLosesIt(@TempDir Path dir) throws Exception {
        QueueStore queue = queueWith(dir, clock, running("tj-000000000001", "h100-a-1", null));
        Map<String, Double> dcgm = new HashMap<>(Map.of("h100-a-1", 12.0));
        GpuUtilization source = node -> dcgm.containsKey(node) ? OptionalDouble.of(dcgm.get(node)) : OptionalDouble.empty();
        Metrics metrics = MetricsTest.fresh();
        MonitorCollector collector = new MonitorCollector(metrics, null, null, queue, source, clock);

        collector.collect();
        assertThat(MetricsTest.value(metrics.scrape(), "trainops_job_gpu_utilization_ratio", "job_id=\"tj-000000000001\"")).isEqualTo(0.12);

        dcgm.clear();
        collector.collect();
        assertThat(metrics.scrape()).doesNotContain("trainops_job_gpu_utilization_ratio{job_id=\"tj-000000000001\"");
    }

    @Test
    void aCappedJobExportsItsCostOverItsCapAndAnUncappedOneHasNoSeries(@TempDir Path dir) throws Exception {
        QueueStore queue = queueWith(dir, clock, running("tj-000000000001", "h100-a-1", 5_000_000L),
                running("tj-000000000002", "h100-a-2", null));
        Readings readings = new Readings();
        readings.costs.put("tj-000000000001", Money.micros(4_000_000, USD));
        Metrics metrics = MetricsTest.fresh();
        new MonitorCollector(metrics, null, null, queue, () -> readings, GpuUtilization.UNKNOWN, w -> { }, clock).collect();

        String text = metrics.scrape();
        assertThat(MetricsTest.value(text, "trainops_job_cost_to_cap_ratio", "job_id=\"tj-000000000001\",team=\"team-a\"")).isEqualTo(0.8);
        assertThat(text).doesNotContain("trainops_job_cost_to_cap_ratio{job_id=\"tj-000000000002\"");
    }

    @Test
    void quotaUseIsExportedPerResourceAndWarnsOncePerCrossingOfEightyPercent(@TempDir Path dir) throws Exception {
        QueueStore queue = queueWith(dir, clock);
        Readings readings = new Readings();
        List<TeamWarning> warnings = new ArrayList<>();
        Metrics metrics = MetricsTest.fresh();
        MonitorCollector collector = new MonitorCollector(metrics, null, null, queue, () -> readings, GpuUtilization.UNKNOWN,
                warnings::add, clock);

        readings.gpus("team-a", 6, 8); // 75%: below the line
        collector.collect();
        assertThat(MetricsTest.value(metrics.scrape(), "trainops_quota_usage_ratio", "resource=\"gpu\",team=\"team-a\"")).isEqualTo(0.75);
        assertThat(metrics.scrape()).doesNotContain("resource=\"cpu\",team=\"team-a\"");
        assertThat(warnings).isEmpty();

        readings.gpus("team-a", 8, 10); // exactly 80%
        collector.collect();
        collector.collect();
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.kind()).isEqualTo(TeamWarning.Kind.QUOTA);
            assertThat(w.team()).isEqualTo("team-a");
            assertThat(w.resource()).isEqualTo("gpu");
            assertThat(w.message()).startsWith("team-a gpu quota at 80.0% (warns at 80%): team-a uses 8 of its 10 gpu quota.");
        });

        readings.gpus("team-a", 7, 10); // re-arms below
        collector.collect();
        readings.gpus("team-a", 9, 10);
        collector.collect();
        assertThat(warnings).hasSize(2);
    }

    @Test
    void aBudgetWarnsOnceWhenSpentPlusCommittedReachesExactlySeventyPercentAndExportsTheRatio(@TempDir Path dir) throws Exception {
        try (dev.trainops.testing.CrudMockServer mock = new dev.trainops.testing.CrudMockServer()) {
            dev.trainops.kube.ClusterIndex index = new dev.trainops.kube.ClusterIndex(clock).start(mock.client());
            assertThat(index.awaitSynced(java.time.Duration.ofSeconds(10))).isTrue();
            dev.trainops.cost.PriceBook prices = dev.trainops.cost.PricingConfig.load(Path.of("../config/pricing.yaml"));
            Store store = Store.sqlite(dir);
            java.util.concurrent.atomic.AtomicReference<Money> committed = new java.util.concurrent.atomic.AtomicReference<>(
                    Money.of("699.999999", "USD"));
            dev.trainops.budget.BudgetService budgets = new dev.trainops.budget.BudgetService(List.of(new dev.trainops.budget.Budget(
                    "team-a", dev.trainops.budget.Budget.Kind.TEAM, Money.of("1000", "USD"), dev.trainops.budget.Budget.Period.MONTHLY)),
                    new dev.trainops.cost.Ledger(store, prices, clock), prices, new dev.trainops.cost.ClusterUsage(index),
                    (b, p) -> committed.get(), store, clock);
            List<TeamWarning> warnings = new ArrayList<>();
            Metrics metrics = MetricsTest.fresh();
            MonitorCollector collector = new MonitorCollector(metrics, null, budgets, null, () -> null, GpuUtilization.UNKNOWN,
                    warnings::add, clock);

            collector.collect();
            assertThat(warnings).as("just below 70%").isEmpty();
            assertThat(MetricsTest.value(metrics.scrape(), "trainops_budget_used_ratio", "scope=\"team-a\"")).isEqualTo(0.699999999);

            committed.set(Money.of("700", "USD"));
            collector.collect();
            collector.collect();
            assertThat(MetricsTest.value(metrics.scrape(), "trainops_budget_used_ratio", "scope=\"team-a\"")).isEqualTo(0.7);
            assertThat(warnings).singleElement().satisfies(w -> {
                assertThat(w.kind()).isEqualTo(TeamWarning.Kind.BUDGET);
                assertThat(w.message()).startsWith("team-a budget at 70.0% (warns at 70%): spent 0 + committed 700 USD of 1000 (70%)");
            });
            index.close();
        }
    }
}

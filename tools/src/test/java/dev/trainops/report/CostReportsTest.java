package dev.trainops.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageSegment;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/money.md cost rules 8-9 as far as the ledger carries them: half-open UTC ranges, exact sums. */
class CostReportsTest {
    @TempDir
    Path dir;

    Ledger ledger;
    CostReports reports;

    @BeforeEach
    void fill() throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        ledger = new Ledger(Store.sqlite(dir), prices, new MutableClock(Instant.parse("2026-11-30T00:00:00Z")));
        reports = new CostReports(ledger, prices.currency());
        Random random = new Random(99);
        String[] teams = {"team-a", "team-b", "team-c"};
        String[] gpus = {"H100", "A100-80GB", "L4", "T4"};
        BigDecimal[] shares = {BigDecimal.ONE, new BigDecimal("4"), dev.trainops.gpu.GpuShares.share("nvidia.com/mig-1g.10gb", java.util.Map.of()), new BigDecimal("0.25")};
        for (int i = 0; i < 60; i++) {
            Instant start = Instant.parse("2026-11-09T00:00:00Z").plusSeconds(random.nextInt(14 * 86_400));
            Instant end = start.plusSeconds(60 + random.nextInt(30 * 3600));
            ledger.record(new UsageSegment("job-" + i, start, end, gpus[random.nextInt(gpus.length)], shares[random.nextInt(shares.length)],
                    new BigDecimal(random.nextInt(16)), new BigDecimal(random.nextInt(128)), random.nextInt(5) == 0),
                    teams[random.nextInt(teams.length)], random.nextBoolean() ? "llm" : "mnist");
        }
    }

    @Test
    void costRule9_aReportOverAnyPeriodEqualsTheSumOfItsDaysExactly() {
        LocalDate first = LocalDate.parse("2026-11-16");
        CostReport week = reports.report(new CostReportRequest(first.toString(), first.plusDays(7).toString(), CostReportRequest.GroupBy.day, null));
        BigDecimal days = BigDecimal.ZERO;
        for (int d = 0; d < 7; d++) {
            CostReport one = reports.report(new CostReportRequest(first.plusDays(d).toString(), first.plusDays(d + 1).toString(), null, null));
            days = days.add(one.total());
        }
        assertThat(week.total().signum()).isPositive();
        assertThat(days).isEqualTo(week.total());
        assertThat(week.lines().stream().map(CostReport.Line::cost).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualTo(week.total());
        assertThat(week.byRateClass().stream().map(CostReport.RateSplit::cost).reduce(BigDecimal.ZERO, BigDecimal::add)).isEqualTo(week.total());
        assertThat(week.total().scale()).isEqualTo(6);
    }

    @Test
    void costRule9_teamLinesSumExactlyAndTheTeamFilterAgrees() {
        CostReport all = reports.report(new CostReportRequest("2026-11-09", "2026-11-23", null, null));
        BigDecimal teams = BigDecimal.ZERO;
        for (CostReport.Line line : all.lines()) {
            teams = teams.add(reports.report(new CostReportRequest("2026-11-09", "2026-11-23", null, line.key())).total());
        }
        assertThat(teams).isEqualTo(all.total());
    }

    @Test
    void theTrendComparesWithThePreviousPeriodOfTheSameLength() {
        CostReport second = reports.report(new CostReportRequest("2026-11-16", "2026-11-23", null, null));
        CostReport first = reports.report(new CostReportRequest("2026-11-09", "2026-11-16", null, null));
        assertThat(second.trend().previousStart()).isEqualTo(Instant.parse("2026-11-09T00:00:00Z"));
        assertThat(second.trend().previousTotal()).isEqualTo(first.total());
        assertThat(second.trend().change()).isEqualTo(second.total().subtract(first.total()));
        CostReport empty = reports.report(new CostReportRequest("2026-01-01", "2026-01-08", null, null));
        assertThat(empty.trend().changePercent()).isNull();
        assertThat(empty.total()).isEqualByComparingTo("0");
    }

    @Test
    void costRule8_costPerAccuracyPointInAReportIsCostOverGainAndNullWithoutGain() throws Exception {
        PriceBook prices = PricingConfig.load(Path.of("../config/pricing.yaml"));
        java.util.Currency usd = prices.currency();
        // two runs of one hour on an H100 at peak: $6.88 each; one gained 12.5 points, one lost 2
        ledger.record(new UsageSegment("team-a/good-0", Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"), "H100",
                BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), "team-a", "mnist", "good");
        ledger.record(new UsageSegment("team-a/bad-0", Instant.parse("2026-12-01T10:00:00Z"), Instant.parse("2026-12-01T11:00:00Z"), "H100",
                BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), "team-a", "mnist", "bad");
        java.util.Map<String, java.util.List<dev.trainops.mlflow.MlflowRun.MetricPoint>> accuracy = java.util.Map.of(
                "good", java.util.List.of(point(0.80, 1), point(0.90, 2), point(0.925, 3)),
                "bad", java.util.List.of(point(0.60, 1), point(0.58, 2)));
        dev.trainops.budget.BudgetStatus teamA = new dev.trainops.budget.BudgetStatus("team-a", dev.trainops.budget.Budget.Kind.TEAM, "USD",
                dev.trainops.budget.Budget.Period.MONTHLY, Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2027-01-01T00:00:00Z"),
                new BigDecimal("100.000000"), new BigDecimal("13.760000"), BigDecimal.ZERO, BigDecimal.ZERO, new BigDecimal("13.760000"),
                new BigDecimal("86.240000"), new BigDecimal("13.76"), dev.trainops.budget.BudgetState.OK, dev.trainops.budget.BudgetState.OK,
                java.util.List.of());
        CostReports withRuns = new CostReports(ledger, usd,
                run -> java.util.Optional.ofNullable(accuracy.get(run)).map(points -> dev.trainops.compare.AccuracyGain.of(points, null, Long.MAX_VALUE)),
                team -> team.equals("team-a") ? java.util.Optional.of(teamA) : java.util.Optional.empty());
        CostReport december = withRuns.report(new CostReportRequest("2026-12-01", "2026-12-02", CostReportRequest.GroupBy.experiment, null));
        assertThat(december.total()).isEqualByComparingTo("13.760000");
        CostReport.RunCost good = december.runs().stream().filter(r -> r.runName().equals("good")).findFirst().orElseThrow();
        assertThat(good.cost()).isEqualByComparingTo("6.880000");
        assertThat(good.accuracy().gainPoints()).isEqualByComparingTo("12.5");
        assertThat(good.costPerAccuracyPoint()).isEqualByComparingTo("0.550400"); // 6.88 / 12.5
        CostReport.RunCost bad = december.runs().stream().filter(r -> r.runName().equals("bad")).findFirst().orElseThrow();
        assertThat(bad.accuracy().gainPoints()).isNegative();
        assertThat(bad.costPerAccuracyPoint()).isNull();
        assertThat(december.budgetConsumption()).singleElement().satisfies(b -> {
            assertThat(b.scope()).isEqualTo("team-a");
            assertThat(b.percentUsed()).isEqualByComparingTo("13.76");
            assertThat(b.state()).isEqualTo("OK");
        });
        ledger.record(new UsageSegment("team-b/plain-0", Instant.parse("2026-12-01T12:00:00Z"), Instant.parse("2026-12-01T12:30:00Z"), "L4",
                BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, false), "team-b", "llm", "plain");
        CostReport.RunCost plain = withRuns.report(new CostReportRequest("2026-12-01", "2026-12-02", null, null)).runs().stream()
                .filter(r -> r.runName().equals("plain")).findFirst().orElseThrow();
        assertThat(plain.accuracy()).isNull(); // it logged no accuracy metric
        assertThat(plain.costPerAccuracyPoint()).isNull();
        CostReport november = withRuns.report(new CostReportRequest("2026-11-09", "2026-11-23", null, null));
        assertThat(november.runs()).isEmpty(); // the random jobs above name no run
    }

    static dev.trainops.mlflow.MlflowRun.MetricPoint point(double value, long epoch) {
        return new dev.trainops.mlflow.MlflowRun.MetricPoint("val_accuracy", value, Instant.parse("2026-12-01T10:00:00Z").plusSeconds(epoch * 60), epoch);
    }

    @Test
    void anEndBeforeTheStartNamesTheFix() {
        assertThatThrownBy(() -> reports.report(new CostReportRequest("2026-11-10", "2026-11-10", null, null)))
                .isInstanceOf(ToolException.class)
                .hasMessage("end_date 2026-11-10 is not after start_date 2026-11-10.")
                .satisfies(e -> assertThat(((ToolException) e).hint()).contains("end_date to the next day (2026-11-11)"));
        assertThatThrownBy(() -> reports.report(new CostReportRequest("11/10/2026", "2026-11-12", null, null)))
                .hasMessage("Argument 'start_date' must be a date YYYY-MM-DD between 1970 and 9999.");
    }

    static final dev.trainops.access.Principal ALICE = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"),
            dev.trainops.access.Role.VIEWER);

    @Test
    @SuppressWarnings("unchecked")
    void rule1_aMembersCostReportCoversOnlyItsTeams() {
        dev.trainops.catalog.ToolCatalog catalog = new dev.trainops.catalog.ToolCatalog(java.util.List.of(CostReports.tool(() -> reports)));
        java.util.Map<String, Object> mine = ((dev.trainops.catalog.ToolOutcome.Success) catalog.invoke("generate_cost_report",
                java.util.Map.of("start_date", "2026-11-16", "end_date", "2026-11-23"), dev.trainops.catalog.CallContext.of(ALICE))).structured();
        CostReport teamA = reports.report(new CostReportRequest("2026-11-16", "2026-11-23", null, "team-a"));
        assertThat((java.util.List<java.util.Map<String, Object>>) mine.get("lines")).extracting(l -> l.get("key")).containsExactly("team-a");
        assertThat(new BigDecimal(mine.get("total").toString())).isEqualTo(teamA.total());
        assertThat(new BigDecimal(((java.util.Map<String, Object>) mine.get("trend")).get("previous_total").toString()))
                .isEqualTo(teamA.trend().previousTotal());
        assertThat(dev.trainops.catalog.Json.write(mine)).doesNotContain("team-b", "team-c");
        // rule 4: the admin's report has every team
        CostReport all = reports.report(new CostReportRequest("2026-11-16", "2026-11-23", null, null), dev.trainops.access.Principal.LOCAL);
        assertThat(all.lines()).extracting(CostReport.Line::key).contains("team-a", "team-b", "team-c");
    }

    @Test
    void rule1_anotherTeamInACostReportIsTheSameNotFoundAsAnUnknownTeam() {
        dev.trainops.catalog.ToolCatalog catalog = new dev.trainops.catalog.ToolCatalog(java.util.List.of(CostReports.tool(() -> reports)));
        dev.trainops.catalog.ToolOutcome.Failure other = (dev.trainops.catalog.ToolOutcome.Failure) catalog.invoke("generate_cost_report",
                java.util.Map.of("start_date", "2026-11-16", "end_date", "2026-11-23", "team", "team-b"), dev.trainops.catalog.CallContext.of(ALICE));
        dev.trainops.catalog.ToolOutcome.Failure unknown = (dev.trainops.catalog.ToolOutcome.Failure) catalog.invoke("generate_cost_report",
                java.util.Map.of("start_date", "2026-11-16", "end_date", "2026-11-23", "team", "team-z"), dev.trainops.catalog.CallContext.of(ALICE));
        assertThat(other.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.NOT_FOUND);
        assertThat(other.text()).isEqualTo(unknown.text().replace("team-z", "team-b"));
    }
}

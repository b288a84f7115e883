package dev.trainops.report;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import dev.trainops.compare.AccuracyGain;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The answer of generate_cost_report. Amounts are exact decimal strings; lines sum exactly to the total. */
public record CostReport(
        Instant start,
        Instant end,
        CostReportRequest.GroupBy groupBy,
        @Nullable String team,
        String currency,
        BigDecimal total,
        @JsonPropertyDescription("Total split by rate class: PEAK, OFF_PEAK, SPOT.") List<RateSplit> byRateClass,
        @JsonPropertyDescription("Spot interruptions in the range and the cost they wasted: the work from each interrupted pod's last "
                + "checkpoint to the interruption, at the spot rate (cost rule 4). Part of the total, shown apart.") SpotWaste spotWaste,
        List<Line> lines,
        @JsonPropertyDescription("The previous period of the same length, and the change.") Trend trend,
        long gpuSeconds,
        @JsonPropertyDescription("Cost per MLflow run in the range (most expensive first, at most 50), with the accuracy it "
                + "gained and the cost per accuracy point where the run logged an accuracy metric.") List<RunCost> runs,
        @JsonPropertyDescription("The current period of each team budget in the report: limit, used, state.") List<BudgetUse> budgetConsumption,
        List<String> notes) {

    public CostReport {
        byRateClass = List.copyOf(byRateClass);
        lines = List.copyOf(lines);
        runs = List.copyOf(runs);
        budgetConsumption = List.copyOf(budgetConsumption);
        notes = List.copyOf(notes);
    }

    public record RunCost(String runName, String team, String experiment, BigDecimal cost, long seconds,
                          @Nullable @JsonPropertyDescription("From the run's first logged accuracy (or its baseline_accuracy param) to its last.") AccuracyGain accuracy,
                          @Nullable @JsonPropertyDescription("cost / accuracy gain in percentage points; null when the run logged no accuracy or gained nothing.") BigDecimal costPerAccuracyPoint) {
    }

    public record BudgetUse(String scope, String period, Instant periodStart, Instant periodEnd, BigDecimal limit,
                            @JsonPropertyDescription("spent + committed in the current period.") BigDecimal used,
                            BigDecimal percentUsed, String state) {
    }

    public record RateSplit(String rateClass, BigDecimal cost, long seconds) {
    }

    public record SpotWaste(int interruptions, BigDecimal wastedCost, long lostSeconds, List<Interrupted> items) {
        public SpotWaste {
            items = List.copyOf(items);
        }
    }

    /** One interrupted spot pod: the queue job and attempt it ran, and what it lost. */
    public record Interrupted(String pod, @Nullable String jobId, @Nullable Integer attempt, @Nullable String runName, String team,
                              Instant interruptedAt, Instant lastCheckpoint, long lostSeconds, BigDecimal wastedCost) {
    }

    public record Line(String key, BigDecimal cost, long seconds, List<RateSplit> byRateClass) {
        public Line {
            byRateClass = List.copyOf(byRateClass);
        }
    }

    public record Trend(Instant previousStart, BigDecimal previousTotal, BigDecimal change,
                        @Nullable @JsonPropertyDescription("Percent change, null when the previous period cost nothing.") BigDecimal changePercent) {
    }
}

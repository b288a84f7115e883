package dev.trainops.forecast;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import dev.trainops.cost.RateClass;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The answer of forecast_training_cost. Amounts are exact decimal strings in {@code currency}. */
public record Forecast(
        String jobName,
        @JsonPropertyDescription("The run the forecast rests on, and the source it came from.") BasedOn basedOn,
        int completedEpochs,
        int remainingEpochs,
        @JsonPropertyDescription("Steady-state seconds per epoch, warm-up left out.") double secondsPerEpoch,
        EpochRate.Method method,
        @JsonPropertyDescription("From the end of the last completed epoch (or now, for a job not started) to the end of the last forecast epoch.") long estimatedDurationSeconds,
        Instant estimatedStart,
        Instant estimatedEnd,
        String currency,
        @JsonPropertyDescription("Priced against the tariff calendar ahead (peak and off-peak hours as they fall).") BigDecimal estimatedCost,
        ConfidenceInterval confidenceInterval,
        @JsonPropertyDescription("The same time, all at the peak on-demand rate.") BigDecimal estimatedCostAtPeak,
        BigDecimal costPerEpochAtPeak,
        List<Part> breakdown,
        @Nullable @JsonPropertyDescription("The same work on spot capacity, interruptions included (checkpoint every 30 min, 5 min restart).") Spot spot,
        @JsonPropertyDescription("Pace per epoch, the cost of continuing, and what it does to the team's budget when the run names a team that has one.") BudgetImpact budgetImpact,
        @JsonPropertyDescription("When the run history was read from its source.") Instant asOf,
        @JsonPropertyDescription("True when the source did not answer and an older cached copy of the history was used.") boolean stale,
        List<String> notes) {

    public Forecast {
        breakdown = List.copyOf(breakdown);
        notes = List.copyOf(notes);
    }

    public record BasedOn(String source, String runId, String runName, String status, String model, String gpuType, int gpuCount,
                          @Nullable Integer batchSize, List<String> otherRuns) {
        public BasedOn {
            otherRuns = List.copyOf(otherRuns);
        }
    }

    public record ConfidenceInterval(BigDecimal low, BigDecimal high, long lowSeconds, long highSeconds) {
    }

    public record Part(RateClass rateClass, long seconds, BigDecimal cost) {
    }

    public record BudgetImpact(
            @JsonPropertyDescription("One or two sentences for the user, e.g. 'Current pace: $1.30/epoch at peak. Continuing 5 more epochs: $6.50.'") String summary,
            @Nullable String team,
            @Nullable BigDecimal budgetLimit,
            @Nullable @JsonPropertyDescription("limit - spent - committed, before this work.") BigDecimal remainingBefore,
            @Nullable @JsonPropertyDescription("What is left once this forecast is spent too; negative when it would overrun.") BigDecimal remainingAfter,
            @Nullable BigDecimal percentUsedAfter,
            @Nullable dev.trainops.budget.BudgetState stateAfter) {
    }

    public record Spot(BigDecimal expectedCost, BigDecimal wastedCost, long expectedDurationSeconds, BigDecimal expectedInterruptions) {
    }
}

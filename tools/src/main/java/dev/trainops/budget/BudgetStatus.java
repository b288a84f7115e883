package dev.trainops.budget;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The answer of get_budget_status. Amounts are decimal strings with 6 fractional digits. */
public record BudgetStatus(
        String scope,
        Budget.Kind kind,
        String currency,
        Budget.Period period,
        Instant periodStart,
        Instant periodEnd,
        BigDecimal limit,
        @JsonPropertyDescription("Billed usage in the period so far, from the ledger.") BigDecimal spent,
        @JsonPropertyDescription("Admitted but not yet billed (the queue's reservations).") BigDecimal committed,
        @JsonPropertyDescription("Cost still to come this period from running pods outside the queue, by their expected ends (queue jobs count in committed).") BigDecimal projected,
        @JsonPropertyDescription("spent + committed + projected.") BigDecimal forecast,
        @JsonPropertyDescription("limit - spent - committed: what new work may still commit.") BigDecimal remaining,
        @JsonPropertyDescription("(spent + committed) / limit, in percent, 2 decimals.") BigDecimal percentUsed,
        @JsonPropertyDescription("OK below 70%, WARN from 70%, BLOCKED from 100% of spent + committed.") BudgetState state,
        @JsonPropertyDescription("State of the forecast (spent + committed + projected).") BudgetState forecastState,
        List<String> notes) {
    public BudgetStatus {
        notes = List.copyOf(notes);
    }
}

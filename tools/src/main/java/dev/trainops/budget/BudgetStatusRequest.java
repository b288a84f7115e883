package dev.trainops.budget;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Arguments of get_budget_status. */
record BudgetStatusRequest(
        @JsonPropertyDescription("A team (namespace, e.g. team-a) or an experiment name (e.g. llm) with a budget.")
        String scope) {
}

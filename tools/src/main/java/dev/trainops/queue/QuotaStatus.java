package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.util.List;

/** The answer of check_training_quota. */
public record QuotaStatus(
        String team,
        @JsonPropertyDescription("Where the limits come from: the namespace's ResourceQuota, or config/quotas.yaml.") String source,
        List<Usage> resources,
        @JsonPropertyDescription("Jobs of this team still waiting in the queue, and the GPUs they ask for.") int queuedJobs,
        int queuedGpus,
        @JsonPropertyDescription("Resources at or above 80% of their limit.") List<String> warnings,
        @Nullable BudgetStatus budget) {

    public QuotaStatus {
        resources = List.copyOf(resources);
        warnings = List.copyOf(warnings);
    }

    /** One resource: GPUs (count), cpu (cores), memory (GiB). */
    public record Usage(String resource, BigDecimal used, @Nullable BigDecimal limit, @Nullable BigDecimal remaining,
                        @Nullable BigDecimal percent) {
    }
}

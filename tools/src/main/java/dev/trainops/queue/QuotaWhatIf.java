package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.util.List;

/** The answer of calculate_quota. */
public record QuotaWhatIf(
        String team,
        int gpusAsked,
        int gpusInUse,
        @Nullable Integer quotaGpus,
        @JsonPropertyDescription("Whether the GPUs fit the quota on top of what the team holds now.") boolean fitsQuota,
        @Nullable @JsonPropertyDescription("GPUs left under the quota afterwards (negative: over it).") Integer remainingAfter,
        String gpuType,
        String currency,
        @JsonPropertyDescription("What the jobs would be billed started now: jobs x (gpu_count GPUs, with the default job template's CPU and memory per GPU) x hours, peak and off-peak hours as they fall.") BigDecimal estimatedCost,
        @JsonPropertyDescription("Whether that cost fits what is left of the team's budget (true when it has none).") boolean fitsBudget,
        @Nullable BigDecimal budgetRemainingAfter,
        @JsonPropertyDescription("The smallest GPU quota that would hold this on top of current use.") int suggestedQuotaGpus,
        List<String> notes) {
    public QuotaWhatIf {
        notes = List.copyOf(notes);
    }
}

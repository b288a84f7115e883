package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of calculate_quota. */
public record QuotaWhatIfRequest(
        String team,
        @Bounds(min = 1, max = 64) @JsonPropertyDescription("GPUs per job.") int gpuCount,
        @Nullable @Bounds(min = 0.01, max = 10000) @JsonPropertyDescription("Hours each job runs; default 1.") Double hours,
        @Nullable @Bounds(min = 1, max = 1000) @JsonPropertyDescription("How many such jobs at once; default 1.") Integer jobs,
        @Nullable @JsonPropertyDescription("GPU type to price; default: the type with the most GPUs in the cluster.") String gpuType) {
}

package dev.trainops.recommend;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of recommend_cost_optimization. */
public record RecommendRequest(
        @JsonPropertyDescription("The MLflow run id (32 hex digits) or run name of a finished or running training run.") String runId,
        @Nullable @Bounds(min = 1, max = 100) @JsonPropertyDescription("Early stopping: epochs without improvement before stopping. Default 3 (PyTorch Lightning's default).") Integer patience,
        @Nullable @Bounds(min = 0, max = 1000) @JsonPropertyDescription("Early stopping: the smallest change of the validation metric that counts as an improvement. Default 0.") Double minDelta) {
}

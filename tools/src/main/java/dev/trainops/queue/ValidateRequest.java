package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of validate_job_resources. */
public record ValidateRequest(
        @JsonPropertyDescription("The model, as its runs log it (e.g. llm).") String model,
        @Bounds(min = 1, max = 10000) int epochs,
        @Bounds(min = 1, max = 1048576) int batchSize,
        @Nullable @Bounds(min = 1, max = 64) @JsonPropertyDescription("GPUs on one node; default 1.") Integer gpuCount,
        @Nullable @JsonPropertyDescription("GPU type; default: the type of the model's most recent run.") String gpuType,
        @Nullable @JsonPropertyDescription("The team, to check its quota and budget too.") String team) {
}

package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of validate_job_resources. */
public record ValidateRequest(
        @JsonPropertyDescription("The model, as its runs log it (e.g. llm).") String model,
        @Bounds(min = 1, max = 10000) int epochs,
        @Bounds(min = 1, max = 1048576) int batchSize,
        @Nullable @Bounds(min = 1, max = 64) @JsonPropertyDescription("GPUs; default 1. More than one node holds runs on whole nodes of the type: a whole multiple of its GPUs per node, e.g. 16 on 8-GPU nodes (queue rule 13).") Integer gpuCount,
        @Nullable @JsonPropertyDescription("GPU type; default: the type of the model's most recent run.") String gpuType,
        @Nullable @JsonPropertyDescription("The team, to check its quota and budget too.") String team,
        @Nullable @JsonPropertyDescription("true: also answer with the batch/v1 Job queue_training_job would create for this request (job_manifest); needs team. Nothing is written either way. Default false.") Boolean dryRun,
        @Nullable @JsonPropertyDescription(QueueRequest.MIG_PROFILE) String migProfile) {

    /** A validation of whole or shared GPUs. */
    public ValidateRequest(String model, int epochs, int batchSize, Integer gpuCount, String gpuType, String team, Boolean dryRun) {
        this(model, epochs, batchSize, gpuCount, gpuType, team, dryRun, null);
    }

    /** A validation without the Job manifest. */
    public ValidateRequest(String model, int epochs, int batchSize, Integer gpuCount, String gpuType, String team) {
        this(model, epochs, batchSize, gpuCount, gpuType, team, null, null);
    }
}

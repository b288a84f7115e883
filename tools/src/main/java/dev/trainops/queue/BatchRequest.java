package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;
import java.util.List;
import java.util.Map;

/** Arguments of submit_batch_training. */
public record BatchRequest(
        @Bounds(min = 1, max = 100) @JsonPropertyDescription("The jobs, 1 to 100, each with queue_training_job's arguments.") List<Item> jobs,
        @Nullable @JsonPropertyDescription("true: each job is admitted on its own; false (default): one after another, each starting "
                + "only once the one before it has ended.") Boolean parallel,
        @Nullable @JsonPropertyDescription("A name for the batch.") String batchName,
        @Nullable @JsonPropertyDescription("Any string unique to this batch: submitting again with it returns the batch already stored.") String idempotencyKey) {

    public BatchRequest {
        jobs = jobs == null ? null : List.copyOf(jobs);
    }

    /** One job of the batch: the arguments of queue_training_job. */
    public record Item(
            String model,
            String runName,
            String team,
            @Bounds(min = 1, max = 10000) int epochs,
            @Bounds(min = 1, max = 1048576) int batchSize,
            @Nullable Priority priority,
            @Nullable @Bounds(min = 1, max = 64) Integer gpuCount,
            @Nullable String gpuType,
            @Nullable Map<String, String> params,
            @Nullable Boolean spot,
            @Nullable String schedule,
            @Nullable String maxCost,
            @Nullable @JsonPropertyDescription(QueueRequest.MIG_PROFILE) String migProfile) {

        /** An item of whole or shared GPUs. */
        public Item(String model, String runName, String team, int epochs, int batchSize, Priority priority, Integer gpuCount, String gpuType,
                    Map<String, String> params, Boolean spot, String schedule, String maxCost) {
            this(model, runName, team, epochs, batchSize, priority, gpuCount, gpuType, params, spot, schedule, maxCost, null);
        }

        QueueRequest toRequest() {
            return new QueueRequest(model, runName, team, epochs, batchSize, priority, gpuCount, gpuType, params, spot, schedule, maxCost, null,
                    null, migProfile);
        }
    }
}

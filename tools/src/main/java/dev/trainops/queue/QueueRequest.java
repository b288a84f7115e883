package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;
import java.util.Map;

/** Arguments of queue_training_job. */
public record QueueRequest(
        @JsonPropertyDescription("The model to train, as its runs log it (e.g. llm, mnist); it picks the default priority and the run history for estimates.") String model,
        @JsonPropertyDescription("The MLflow run name for this job.") String runName,
        @JsonPropertyDescription("The team (Kubernetes namespace) the job runs and is billed in, e.g. team-a.") String team,
        @Bounds(min = 1, max = 10000) int epochs,
        @Bounds(min = 1, max = 1048576) int batchSize,
        @Nullable @JsonPropertyDescription("URGENT, NORMAL or BACKGROUND; default by model (llm URGENT, mnist NORMAL, validation BACKGROUND).") Priority priority,
        @Nullable @Bounds(min = 1, max = 64) @JsonPropertyDescription("GPUs; default 1. More than one node holds runs on whole nodes of the type: a whole multiple of its GPUs per node, e.g. 16 on 8-GPU nodes (queue rule 13).") Integer gpuCount,
        @Nullable @JsonPropertyDescription("GPU type, e.g. H100, A100-80GB, L4, T4; default: the type of the model's most recent run.") String gpuType,
        @Nullable @JsonPropertyDescription("Training parameters passed to the job (learning_rate, checkpoint_dir, image, ...).") Map<String, String> params,
        @Nullable @JsonPropertyDescription("Run on spot capacity (cheaper, may be interrupted). Default false.") Boolean spot,
        @Nullable @JsonPropertyDescription("'now' (default), 'off_peak' (wait for the 22:00-06:00 window), or an ISO-8601 instant to start no earlier than.") String schedule,
        @Nullable @JsonPropertyDescription("A cap on this job's cost, a decimal string in the budget's currency (e.g. \"5.00\"): refused above it at submission, stopped with MAX_COST_REACHED when it gets there.") String maxCost,
        @Nullable @JsonPropertyDescription("Any string unique to this submission: submitting again with the same key returns the job already queued instead of a second one.") String idempotencyKey,
        @Nullable @JsonPropertyDescription("true: check and price the job and answer with the batch/v1 Job it would create (job_manifest), without queueing or writing anything. Default false.") Boolean dryRun,
        @Nullable @JsonPropertyDescription(MIG_PROFILE) String migProfile) {

    /** The description of mig_profile, the same on every tool that takes it. */
    public static final String MIG_PROFILE = "A MIG slice instead of whole GPUs: the profile, e.g. 1g.10gb or 3g.40gb, on a node of gpu_type "
            + "(e.g. A100-80GB) that offers it (get_gpu_availability lists them); gpu_count is then the number of slices. Billed and "
            + "estimated as its share of a GPU (a 1g slice is 1/7). Default: whole GPUs.";

    /** A submission of whole or shared GPUs. */
    public QueueRequest(String model, String runName, String team, int epochs, int batchSize, Priority priority, Integer gpuCount,
                        String gpuType, Map<String, String> params, Boolean spot, String schedule, String maxCost, String idempotencyKey,
                        Boolean dryRun) {
        this(model, runName, team, epochs, batchSize, priority, gpuCount, gpuType, params, spot, schedule, maxCost, idempotencyKey, dryRun,
                null);
    }

    /** A real submission (not a dry run). */
    public QueueRequest(String model, String runName, String team, int epochs, int batchSize, Priority priority, Integer gpuCount,
                        String gpuType, Map<String, String> params, Boolean spot, String schedule, String maxCost, String idempotencyKey) {
        this(model, runName, team, epochs, batchSize, priority, gpuCount, gpuType, params, spot, schedule, maxCost, idempotencyKey, null, null);
    }
}

package dev.trainops.queue;

import java.time.Instant;
import java.util.Map;

/**
 * What was asked for a queued job: fixed at submission, never changed by the scheduler. Amounts
 * are micro-units of the price list's currency.
 *
 * @param priorityValue       the PriorityClass value of {@code priority} (admission order, queue rule 1)
 * @param notBefore           the earliest start (off-peak or a given time), or null for now
 * @param maxCostMicros       the job's own cost cap, or null
 * @param estimatedCostMicros the estimate at submission (0 without run history)
 * @param estimatedSeconds    the estimated duration at submission (0 without run history)
 * @param idempotencyKey      the caller's key (a batch item's is batch-id/index), or null
 * @param batchIndex          the item's place in a sequential batch, or null
 */
public record JobSpec(String team, String runName, String model, String experiment, Priority priority, int priorityValue,
                      String gpuType, int gpuCount, int epochs, int batchSize, Map<String, String> params, boolean spot, Instant notBefore,
                      Long maxCostMicros, long estimatedCostMicros, long estimatedSeconds, String idempotencyKey, String batchId,
                      Integer batchIndex) {

    /** The param that holds the MIG profile a job asked for (docs/queue.md, "MIG slices"); trainops's own, never passed to the job. */
    public static final String MIG_PROFILE_PARAM = "trainops.mig_profile";

    public JobSpec {
        params = Map.copyOf(params);
    }

    /** The MIG profile each of its units is ({@code 1g.10gb}), or null for whole or shared GPUs. */
    public String migProfile() {
        return params.get(MIG_PROFILE_PARAM);
    }

    /** The same request under another priority (what-ifs and tests). */
    public JobSpec withPriority(Priority p, int value) {
        return new JobSpec(team, runName, model, experiment, p, value, gpuType, gpuCount, epochs, batchSize, params, spot, notBefore,
                maxCostMicros, estimatedCostMicros, estimatedSeconds, idempotencyKey, batchId, batchIndex);
    }
}

package dev.trainops.queue;

import dev.trainops.access.Principal;
import java.time.Instant;
import java.util.List;
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
 * @param submittedBy         the subject of the principal that queued it, or null (jobs queued before trainops recorded it)
 * @param submittedGroups     that principal's teams, sorted: the groups its Job is created as under {@code --kube-impersonate}
 *                            (DESIGN.md "Identity and tenancy", rule 9)
 */
public record JobSpec(String team, String runName, String model, String experiment, Priority priority, int priorityValue,
                      String gpuType, int gpuCount, int epochs, int batchSize, Map<String, String> params, boolean spot, Instant notBefore,
                      Long maxCostMicros, long estimatedCostMicros, long estimatedSeconds, String idempotencyKey, String batchId,
                      Integer batchIndex, String submittedBy, List<String> submittedGroups) {

    /** The param that holds the MIG profile a job asked for (docs/queue.md, "MIG slices"); trainops's own, never passed to the job. */
    public static final String MIG_PROFILE_PARAM = "trainops.mig_profile";

    public JobSpec {
        params = Map.copyOf(params);
        submittedBy = submittedBy == null || submittedBy.isBlank() ? null : submittedBy;
        submittedGroups = submittedBy == null || submittedGroups == null ? List.of() : List.copyOf(submittedGroups);
    }

    /** A request nobody is recorded to have submitted (what-ifs, dry runs, tests); {@link #withSubmitter} names one. */
    public JobSpec(String team, String runName, String model, String experiment, Priority priority, int priorityValue, String gpuType,
                   int gpuCount, int epochs, int batchSize, Map<String, String> params, boolean spot, Instant notBefore, Long maxCostMicros,
                   long estimatedCostMicros, long estimatedSeconds, String idempotencyKey, String batchId, Integer batchIndex) {
        this(team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs, batchSize, params, spot, notBefore,
                maxCostMicros, estimatedCostMicros, estimatedSeconds, idempotencyKey, batchId, batchIndex, null, List.of());
    }

    /** The MIG profile each of its units is ({@code 1g.10gb}), or null for whole or shared GPUs. */
    public String migProfile() {
        return params.get(MIG_PROFILE_PARAM);
    }

    /** The same request under another priority (what-ifs and tests). */
    public JobSpec withPriority(Priority p, int value) {
        return new JobSpec(team, runName, model, experiment, p, value, gpuType, gpuCount, epochs, batchSize, params, spot, notBefore,
                maxCostMicros, estimatedCostMicros, estimatedSeconds, idempotencyKey, batchId, batchIndex, submittedBy, submittedGroups);
    }

    /** The same request as submitted by {@code principal} (its subject and its teams); null leaves it as it is. */
    public JobSpec withSubmitter(Principal principal) {
        if (principal == null) {
            return this;
        }
        return new JobSpec(team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs, batchSize, params, spot,
                notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, idempotencyKey, batchId, batchIndex, principal.subject(),
                principal.teams().stream().sorted().toList());
    }
}

package dev.trainops.queue;

import java.time.Instant;
import java.util.Map;

/** A job in the durable queue, as stored. Amounts are micro-units of the price list's currency. */
public record QueuedJob(
        String jobId,
        String idempotencyKey,
        String team,
        String runName,
        String model,
        String experiment,
        Priority priority,
        int priorityValue,
        String gpuType,
        int gpuCount,
        int epochs,
        int batchSize,
        Map<String, String> params,
        boolean spot,
        Instant notBefore,
        Long maxCostMicros,
        long estimatedCostMicros,
        long estimatedSeconds,
        JobState state,
        Reason reason,
        String reasonDetail,
        String node,
        int attempt,
        boolean launched,
        Instant submitted,
        Instant admitted,
        Instant started,
        Instant ended,
        String preemptedBy,
        int preemptions,
        String batchId,
        Integer batchIndex) {

    public QueuedJob {
        params = Map.copyOf(params);
    }

    /** The batch/v1 Job's name for this attempt: derived from the job id, so a retry finds the same object. */
    public String kubeName() {
        return jobId + "-" + attempt;
    }

    public QueuedJob waiting(Reason why, String detail) {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, JobState.QUEUED, why, detail,
                null, attempt, false, submitted, admitted, started, ended, preemptedBy, preemptions, batchId, batchIndex);
    }

    public QueuedJob admittedTo(String onNode, Instant at) {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, JobState.SCHEDULED, null,
                "Admitted to " + onNode + " at " + at + ".", onNode, attempt, false, submitted, at, null, null, preemptedBy, preemptions,
                batchId, batchIndex);
    }

    public QueuedJob withState(JobState to, Reason why, String detail, Instant startedAt, Instant endedAt) {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, to, why, detail, node, attempt,
                launched, submitted, admitted, startedAt, endedAt, preemptedBy, preemptions, batchId, batchIndex);
    }

    public QueuedJob launchedNow() {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, state, reason, reasonDetail, node,
                attempt, true, submitted, admitted, started, ended, preemptedBy, preemptions, batchId, batchIndex);
    }

    /** Evicted by {@code by}: pods terminating; back to the queue with its original submit time once they are gone. */
    public QueuedJob preemptedBy(String by, String detail) {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, JobState.PREEMPTED,
                Reason.PREEMPTED, detail, node, attempt, launched, submitted, admitted, started, ended, by, preemptions + 1, batchId,
                batchIndex);
    }

    /** Back in the queue after a preemption: a new attempt (a new Job name), restarting from its last checkpoint. */
    public QueuedJob requeuedAfterPreemption(String detail) {
        return new QueuedJob(jobId, idempotencyKey, team, runName, model, experiment, priority, priorityValue, gpuType, gpuCount, epochs,
                batchSize, params, spot, notBefore, maxCostMicros, estimatedCostMicros, estimatedSeconds, JobState.QUEUED,
                Reason.PREEMPTED, detail, null, attempt + 1, false, submitted, null, null, null, preemptedBy, preemptions, batchId,
                batchIndex);
    }
}

package dev.trainops.queue;

import java.time.Instant;

/**
 * What has happened to a queued job so far. It changes only through {@link QueuedJob#transition},
 * which refuses a move its {@link JobState} does not allow (docs/architecture.md, "Queue state machine").
 *
 * @param reason       why it waits, or why it ended (null while it runs or when it succeeded)
 * @param detail       one sentence with the numbers behind the reason, for a person
 * @param changedAt    when the state or the waiting reason last changed
 * @param node         the node admission chose (null while queued)
 * @param attempt      1, then one more for every return to the queue after a preemption (the Job name carries it)
 * @param launched     whether this attempt's batch/v1 Job was created (a SCHEDULED job not launched is launched again)
 * @param preemptedBy  the URGENT job that last evicted it, or null
 */
public record JobStatus(JobState state, Reason reason, String detail, Instant changedAt, String node, int attempt, boolean launched,
                        Instant submitted, Instant admitted, Instant started, Instant ended, String preemptedBy, int preemptions) {

    /** A job just submitted: first attempt, in the queue. */
    public static JobStatus queued(Instant at) {
        return new JobStatus(JobState.QUEUED, null, "Queued at " + at + ".", at, null, 1, false, at, null, null, null, null, 0);
    }

    /** The same status with its launched flag set (no state change: the Job of a SCHEDULED attempt was created, or not). */
    public JobStatus withLaunched(boolean value) {
        return new JobStatus(state, reason, detail, changedAt, node, attempt, value, submitted, admitted, started, ended, preemptedBy,
                preemptions);
    }
}

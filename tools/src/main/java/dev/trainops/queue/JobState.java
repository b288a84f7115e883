package dev.trainops.queue;

/**
 * QUEUED -> SCHEDULED (admitted, Job created) -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.
 * PREEMPTED: evicted for an URGENT job, its pods terminating; it returns to QUEUED once they are
 * gone (its quota is held until then).
 */
public enum JobState {
    QUEUED, SCHEDULED, RUNNING, PREEMPTED, SUCCEEDED, FAILED, CANCELLED;

    /** Holds (or is about to hold) GPUs and quota. */
    public boolean active() {
        return this == SCHEDULED || this == RUNNING || this == PREEMPTED;
    }

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }
}

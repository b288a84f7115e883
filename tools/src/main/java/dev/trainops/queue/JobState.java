package dev.trainops.queue;

/**
 * QUEUED -> SCHEDULED (admitted, Job created) -> RUNNING -> SUCCEEDED | FAILED | CANCELLED.
 * PREEMPTED: evicted for an URGENT job, its pods terminating; it returns to QUEUED once they are
 * gone (its quota is held until then). docs/architecture.md, "Queue state machine".
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

    /**
     * The moves the queue makes, and no others. QUEUED -> QUEUED is a waiting job's reason being
     * updated by a pass. A SCHEDULED job may end before its pods were seen running (a short Job, or
     * one deleted outside trainops) and may be preempted before it starts; a PREEMPTED job only
     * returns to the queue or is cancelled; every non-terminal state may be cancelled; an ended job
     * never moves again.
     */
    public boolean canMoveTo(JobState to) {
        return switch (this) {
            case QUEUED -> to == QUEUED || to == SCHEDULED || to == CANCELLED;
            case SCHEDULED -> to == RUNNING || to == SUCCEEDED || to == FAILED || to == PREEMPTED || to == CANCELLED;
            case RUNNING -> to == SUCCEEDED || to == FAILED || to == PREEMPTED || to == CANCELLED;
            case PREEMPTED -> to == QUEUED || to == CANCELLED;
            case SUCCEEDED, FAILED, CANCELLED -> false;
        };
    }
}

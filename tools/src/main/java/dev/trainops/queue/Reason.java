package dev.trainops.queue;

/** Why a job waits (machine-readable, with the numbers in the detail), or why it ended. */
public enum Reason {
    NO_CAPACITY, QUOTA_EXCEEDED, BUDGET_EXCEEDED, UTILIZATION_GATE, OFF_PEAK_WAIT, SCHEDULED_START, WAITING_FOR_PREEMPTION,
    BATCH_ORDER, PREEMPTED, MAX_COST_REACHED, CANCELLED_BY_USER, JOB_FAILED, JOB_DELETED
}

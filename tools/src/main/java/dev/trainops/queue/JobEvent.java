package dev.trainops.queue;

import java.time.Instant;
import java.util.Objects;

/**
 * Something that happened to one job, told to observers after it was committed: the MCP adapter
 * sends it to the sessions allowed to see the job as a log notification (docs/architecture.md,
 * "Events").
 *
 * @param kind    what happened
 * @param jobId   the queue's job id
 * @param team    the job's team (who may see it)
 * @param runName the job's run name
 * @param detail  one sentence with the numbers, for a person
 * @param at      when it happened
 */
public record JobEvent(Kind kind, String jobId, String team, String runName, String detail, Instant at) {

    /** The MCP resource of one job; subscribers hear of every event of the job (docs/monitoring.md). */
    public static final String RESOURCE_PREFIX = "trainops://jobs/";

    /**
     * The kinds of event, each a change a user waiting on a job wants to hear about. NEAR_MAX_COST
     * is a running job's cost reaching 80% of its max_cost (once per attempt); MAX_COST_REACHED is
     * its stop at 100%.
     */
    public enum Kind { ADMITTED, STARTED, SUCCEEDED, FAILED, PREEMPTED, CANCELLED, NEAR_MAX_COST, MAX_COST_REACHED }

    public JobEvent {
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(jobId, "jobId must not be null");
        Objects.requireNonNull(team, "team must not be null");
        Objects.requireNonNull(at, "at must not be null");
        runName = runName == null ? "" : runName;
        detail = detail == null ? "" : detail;
    }

    /** {@code trainops://jobs/{job_id}}: the resource whose subscribers are told of this event. */
    public String resourceUri() {
        return RESOURCE_PREFIX + jobId;
    }

    /** A line for a log notification: "job q-1a2b (llm-5ep, team-a) STARTED: ...". */
    public String message() {
        return "job " + jobId + " (" + (runName.isEmpty() ? "" : runName + ", ") + team + ") " + kind + (detail.isEmpty() ? "" : ": " + detail);
    }
}

package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of get_job_queue_status. */
public record QueueStatus(
        Instant asOf,
        @JsonPropertyDescription("Jobs queued, admitted, running, or ended in the last 24 h; waiting ones in admission order first.") List<QueueAnswer> jobs,
        @JsonPropertyDescription("How many jobs are in each state.") Map<JobState, Integer> counts,
        String currency,
        @JsonPropertyDescription("Sum of the estimated cost of the jobs still QUEUED.") BigDecimal totalQueuedCost) {
    public QueueStatus {
        jobs = List.copyOf(jobs);
        counts = Map.copyOf(counts);
    }
}

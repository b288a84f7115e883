package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of get_job_queue_status. */
public record QueueStatusRequest(
        @Nullable @JsonPropertyDescription("Only this team's jobs.") String team,
        @Nullable @JsonPropertyDescription("Only this job (as returned by queue_training_job).") String jobId) {
}

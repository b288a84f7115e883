package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Arguments of cancel_training_job. */
public record CancelRequest(
        @JsonPropertyDescription("The job to cancel (as returned by queue_training_job).") String jobId,
        @JsonPropertyDescription("Why, for the record (shown in the job's status).") String reason) {
}

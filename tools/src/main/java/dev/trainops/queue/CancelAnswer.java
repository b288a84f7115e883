package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.math.BigDecimal;

/** The answer of cancel_training_job. */
public record CancelAnswer(
        String jobId,
        JobState previousState,
        JobState newState,
        @JsonPropertyDescription("What was cleaned up in the cluster.") String cleanup,
        String currency,
        @JsonPropertyDescription("What the job cost until it was cancelled (its GPUs at the rates in force; zero if it never ran).") BigDecimal costSoFar) {
}

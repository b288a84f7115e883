package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of decide_job_priority. */
public record PriorityRequest(
        @JsonPropertyDescription("The model to train (e.g. llm, mnist, validation).") String model,
        @Nullable @JsonPropertyDescription("The kind of job when it differs from the model name (e.g. validation, sweep).") String jobType,
        @Nullable @JsonPropertyDescription("When the result is needed, ISO-8601; within 6 hours makes it URGENT.") String deadline,
        @Nullable @JsonPropertyDescription("The priority the user asked for; honoured, with what it implies.") Priority requestedPriority) {
}

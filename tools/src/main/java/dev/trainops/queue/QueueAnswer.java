package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A job in the queue as tools report it. Amounts are exact decimal strings in {@code currency}. */
public record QueueAnswer(
        String jobId,
        String runName,
        String team,
        String model,
        JobState state,
        Priority priority,
        String priorityClass,
        String gpuType,
        int gpuCount,
        int epochs,
        @Nullable @JsonPropertyDescription("1-based place among waiting jobs, in admission order; null unless QUEUED.") Integer position,
        @Nullable @JsonPropertyDescription("When it should start (waiting) or end (admitted or running), when that can be told.") Instant eta,
        @Nullable @JsonPropertyDescription("Why it waits or how it ended, machine-readable.") Reason reason,
        @Nullable @JsonPropertyDescription("The numbers behind the reason, for the user.") String reasonDetail,
        @Nullable String node,
        String currency,
        BigDecimal estimatedCost,
        long estimatedDurationSeconds,
        @Nullable BigDecimal maxCost,
        @Nullable @JsonPropertyDescription("What a running job has cost so far, what max_cost is checked against; null unless RUNNING.") BigDecimal costSoFar,
        @Nullable Instant notBefore,
        Instant submitted,
        @Nullable @JsonPropertyDescription("Who queued it (the caller's subject); null for jobs queued before trainops recorded it.") String submittedBy,
        @Nullable Instant started,
        @Nullable Instant ended,
        @Nullable @JsonPropertyDescription("The URGENT job that preempted it, if any.") String preemptedBy,
        int preemptions,
        @Nullable String batchId,
        @JsonPropertyDescription("Things to know that never block: a quota at 80%, a running job at 80% of its max_cost, ...") List<String> warnings,

        @Nullable @JsonPropertyDescription("dry_run only: the batch/v1 Job this submission would create, as sent to the API server (its node is chosen at admission).") Map<String, Object> jobManifest) {
    public QueueAnswer {
        warnings = List.copyOf(warnings);
    }
}

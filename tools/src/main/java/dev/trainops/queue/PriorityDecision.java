package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import dev.trainops.cost.RateClass;
import java.time.Instant;
import java.util.List;

/** The answer of decide_job_priority. */
public record PriorityDecision(
        Priority priority,
        String priorityClass,
        int value,
        String preemptionPolicy,
        @JsonPropertyDescription("Why this priority, in a sentence or two.") String explanation,
        @JsonPropertyDescription("Running BACKGROUND jobs an URGENT job could evict right now (empty for NORMAL and BACKGROUND).") List<Preemptible> mayPreempt,
        @JsonPropertyDescription("What the choice means for cost.") List<String> costImplications,
        RateClass rateNow,
        @Nullable @JsonPropertyDescription("When the next off-peak window starts (null when it is off-peak now).") Instant nextOffPeak) {

    public PriorityDecision {
        mayPreempt = List.copyOf(mayPreempt);
        costImplications = List.copyOf(costImplications);
    }

    public record Preemptible(String jobId, String runName, String team, String gpuType, int gpus, @Nullable Instant started) {
    }
}

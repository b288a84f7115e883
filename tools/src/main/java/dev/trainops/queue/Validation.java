package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;

/** The answer of validate_job_resources: an infeasible request is an answer (feasible: false), not an error. */
public record Validation(
        boolean feasible,
        @JsonPropertyDescription("Every check with its outcome and the numbers behind it.") List<Check> checks,
        @Nullable String gpuType,
        int gpuCount,
        @JsonPropertyDescription("Nodes of that GPU type big enough for the job.") List<String> fitsOn,
        @JsonPropertyDescription("Of those, the ones with that many GPUs free right now.") List<String> freeNowOn,
        @Nullable Long estimatedDurationSeconds,
        @Nullable BigDecimal estimatedCost,
        String currency,
        @JsonPropertyDescription("Cheaper ways to run the same training that are feasible, cheapest first: each with the queue_training_job arguments to change.") List<Alternative> cheaperAlternatives,
        @Nullable @JsonPropertyDescription("dry_run only: the batch/v1 Job queue_training_job would create for this request (its node is chosen at admission).") Map<String, Object> jobManifest) {

    public Validation {
        checks = List.copyOf(checks);
        fitsOn = List.copyOf(fitsOn);
        freeNowOn = List.copyOf(freeNowOn);
        cheaperAlternatives = List.copyOf(cheaperAlternatives);
    }

    public record Check(String check, boolean ok, String detail) {
    }

    public record Alternative(String description, @Nullable String gpuType, @Nullable String schedule, boolean spot,
                              BigDecimal estimatedCost, long estimatedDurationSeconds, BigDecimal saving,
                              @Nullable @JsonPropertyDescription("The batch size to use instead, when the change is one.") Integer batchSize) {
    }
}

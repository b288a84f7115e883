package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import dev.trainops.compare.AccuracyGain;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The answer of get_model_lineage (and the lineage in register_model's): a model version, the run
 * it was registered from, the trainops job(s) that ran it with every attempt, and what the ledger
 * billed for them, down to cost per accuracy point (cost rule 8).
 */
public record ModelLineage(
        String name,
        String version,
        @Nullable @JsonPropertyDescription("The owning team (the run's), kept in the model's trainops.team tag.") String team,
        @JsonPropertyDescription("Where the registry is: mlflow, or sandbox (the embedded one).") String registry,
        @Nullable @JsonPropertyDescription("Where the model's files are: runs:/<run_id>/<path>, or models:/<model_id> for an MLflow 3 logged model.") String source,
        @Nullable @JsonPropertyDescription("MLflow 3's logged model the version was registered from.") String modelId,
        @JsonPropertyDescription("The stage aliases this version holds (dev, staging, production), and any other alias.") List<String> aliases,
        @Nullable String registeredBy,
        @Nullable Instant registeredAt,
        @JsonPropertyDescription("Every promotion of this version, oldest first.") List<Promotion> promotions,
        @Nullable @JsonPropertyDescription("The run, when it can still be read.") Run run,
        @JsonPropertyDescription("The trainops jobs that logged to the run, every attempt (preempted and interrupted ones too); empty for a run trainops did not launch.") List<Job> jobs,
        String currency,
        @Nullable @JsonPropertyDescription("GPU-hours billed for the jobs (GPUs held x hours; a MIG slice or shared GPU as its fraction); null without a trainops job.") BigDecimal gpuHours,
        @Nullable @JsonPropertyDescription("What the ledger billed for the jobs, every attempt; null without a trainops job.") BigDecimal cost,
        @JsonPropertyDescription("The same GPU-hours and cost by rate class (PEAK, OFF_PEAK, SPOT).") List<RateLine> byRateClass,
        @Nullable @JsonPropertyDescription("The accuracy the run ended with, as logged (a fraction or a percent).") Double accuracy,
        @Nullable @JsonPropertyDescription("From the run's baseline (its baseline_accuracy param, else its first logged accuracy) to its last, in points.") AccuracyGain accuracyGain,
        @Nullable @JsonPropertyDescription("cost / accuracy gain in percentage points (cost rule 8); null when nothing was billed, no accuracy was logged or it gained nothing.") BigDecimal costPerAccuracyPoint,
        @JsonPropertyDescription("The version's tags, trainops's (trainops.*) among them.") Map<String, String> tags,
        List<String> notes) {

    public ModelLineage {
        aliases = List.copyOf(aliases);
        promotions = List.copyOf(promotions);
        jobs = List.copyOf(jobs);
        byRateClass = List.copyOf(byRateClass);
        tags = Map.copyOf(tags);
        notes = List.copyOf(notes);
    }

    /** A promotion of the version, from its trainops.promoted.* tags. */
    public record Promotion(String stage, String by, Instant at, String reason, @Nullable @JsonPropertyDescription("The version that held the stage before; null when it was empty.") String previousHolder,
                            boolean forced) {
    }

    public record Run(String runId, @Nullable String runName, @Nullable String experimentId, @Nullable String status, @Nullable Instant start,
                      @Nullable Instant end, Map<String, String> params,
                      @JsonPropertyDescription("The latest value of each metric.") Map<String, Double> metrics) {
        public Run {
            params = Map.copyOf(params);
            metrics = Map.copyOf(metrics);
        }
    }

    /** A trainops job behind the run, and what the ledger billed for it. */
    public record Job(String jobId, String team, String state, @Nullable String gpuType, int gpuCount,
                      @JsonPropertyDescription("Attempts started: more than one after a preemption or a spot interruption.") int attempts,
                      int preemptions, @Nullable Instant submitted, @Nullable Instant started, @Nullable Instant ended,
                      BigDecimal gpuHours, BigDecimal cost,
                      @JsonPropertyDescription("Each attempt's pod as the ledger books it, by rate class.") List<AttemptLine> ledger) {
        public Job {
            ledger = List.copyOf(ledger);
        }
    }

    public record AttemptLine(@JsonPropertyDescription("The ledger's id of the attempt's pod: team/<job id>-<attempt>-<suffix>.") String ledgerId,
                              String rateClass, long seconds, BigDecimal gpuHours, BigDecimal cost) {
    }

    public record RateLine(String rateClass, long seconds, BigDecimal gpuHours, BigDecimal cost) {
    }
}

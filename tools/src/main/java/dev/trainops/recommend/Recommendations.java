package dev.trainops.recommend;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of recommend_cost_optimization. Amounts are exact decimal strings in {@code currency}. */
public record Recommendations(
        @JsonPropertyDescription("The run advised on.") RunSummary run,
        String currency,
        @JsonPropertyDescription("What the run cost (finished) or will cost as planned (running), GPU time priced by the tariff calendar at the price list in force; every saving is against this.") BigDecimal baselineCost,
        long baselineDurationSeconds,
        @JsonPropertyDescription("Largest saving first. Each is an alternative to the run as it is: savings overlap and do not add up. Empty when the run is already efficient.") List<Recommendation> recommendations,
        @JsonPropertyDescription("True when no strategy found a saving of at least 1%.") boolean efficient,
        @JsonPropertyDescription("One sentence: the best saving, or why the run is already efficient.") String verdict,
        @JsonPropertyDescription("Every strategy with whether it fired and why, so a silent one can be explained.") List<Check> checked,
        @JsonPropertyDescription("When the run history was read from its source.") Instant asOf,
        @JsonPropertyDescription("True when the source did not answer and an older cached copy was used.") boolean stale,
        List<String> notes) {

    public Recommendations {
        recommendations = List.copyOf(recommendations);
        checked = List.copyOf(checked);
        notes = List.copyOf(notes);
    }

    public record RunSummary(String source, String runId, String runName, String status, @Nullable String model,
                             @Nullable String experimentId, @Nullable String gpuType, int gpuCount, @Nullable Integer batchSize,
                             int completedEpochs, @Nullable Integer plannedEpochs,
                             @Nullable @JsonPropertyDescription("The trainops job that ran it, when the queue knows it.") String jobId,
                             @JsonPropertyDescription("Other runs of the same model in the same experiment that were compared.") List<String> siblings) {
        public RunSummary {
            siblings = List.copyOf(siblings);
        }
    }

    /** How sure the estimate is: HIGH rests on this run's or a sibling's measurements, LOW on a model of the hardware. */
    public enum Confidence { HIGH, MEDIUM, LOW }

    public record Recommendation(
            RecommendationType type,
            String title,
            @JsonPropertyDescription("The condition that fired, with its threshold, e.g. 'mean GPU utilisation 16.6% < 50% at batch_size 32 <= 64'.") String trigger,
            @JsonPropertyDescription("Why, with the numbers, in two or three sentences.") String rationale,
            List<Evidence> evidence,
            EstimatedSavings estimatedSavings,
            Confidence confidence,
            Action action) {
        public Recommendation {
            evidence = List.copyOf(evidence);
        }
    }

    public record Evidence(
            @JsonPropertyDescription("Where it comes from: 'metric <key>', 'param <key>', 'run <name>', 'queue job <id>', 'price list <version>'.") String source,
            @JsonPropertyDescription("What was observed, e.g. 'mean 16.6% over 6 samples, max 18.8%'.") String observation) {
    }

    public record EstimatedSavings(
            @JsonPropertyDescription("Saved per run like this one, 6 fractional digits (a small run saves fractions of a cent).") BigDecimal amount,
            @JsonPropertyDescription("amount / baseline_cost x 100, one decimal.") BigDecimal percent,
            String currency,
            @JsonPropertyDescription("The run with this change, priced by the same engine.") BigDecimal costAfter,
            @Nullable @JsonPropertyDescription("Expected duration with this change, when it changes the duration.") Long durationSecondsAfter,
            @JsonPropertyDescription("How the saving was computed.") String basis) {
    }

    public record Action(
            @Nullable @JsonPropertyDescription("The trainops tool to call, when the change is one its arguments can express; null for a change to the training script or the cluster.") String tool,
            @JsonPropertyDescription("The arguments for that tool (e.g. queue_training_job's), empty when tool is null.") Map<String, Object> arguments,
            @JsonPropertyDescription("What to do, concretely.") String description) {
        public Action {
            arguments = Map.copyOf(arguments);
        }
    }

    public record Check(RecommendationType type, boolean fired, @JsonPropertyDescription("The trigger, or why it stayed silent.") String why) {
    }
}

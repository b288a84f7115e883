package dev.trainops.compare;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** The answer of compare_training_configs. Amounts are exact decimal strings in {@code currency}. */
public record Comparison(
        String currency,
        @JsonPropertyDescription("One entry per requested configuration, in the order given.") List<Option> options,
        @Nullable @JsonPropertyDescription("Index (0-based) of the recommended configuration; null when none could be estimated.") Integer recommended,
        @JsonPropertyDescription("Why that one, in a sentence.") String recommendation,
        Instant asOf,
        boolean stale,
        List<String> notes) {

    public Comparison {
        options = List.copyOf(options);
        notes = List.copyOf(notes);
    }

    /** How a configuration runs when priced. */
    public enum Mode { ON_DEMAND, OFF_PEAK, SPOT }

    public record Option(
            int index,
            String label,
            String model,
            int epochs,
            @Nullable Integer batchSize,
            @Nullable String gpuType,
            @Nullable Integer gpuCount,
            @JsonPropertyDescription("False when it could not be estimated; 'error' says why.") boolean estimated,
            @Nullable String error,
            @Nullable @JsonPropertyDescription("The past run the estimate scales from.") Reference reference,
            @JsonPropertyDescription("Steady-state seconds per epoch on this configuration.") double secondsPerEpoch,
            @JsonPropertyDescription("Compute time of the whole run (warm-up of the first epoch included), without interruptions.") long durationSeconds,
            @Nullable @JsonPropertyDescription("Starting now, priced against the tariff calendar.") Priced onDemand,
            @Nullable @JsonPropertyDescription("Starting at the next off-peak window (22:00-06:00), priced against the tariff calendar.") Priced offPeak,
            @Nullable @JsonPropertyDescription("Starting now on spot: expected cost and time with interruptions (5%/h, checkpoint every 30 min, 5 min restart).") SpotPriced spot,
            @Nullable @JsonPropertyDescription("The mode this configuration asked for (spot, schedule).") Mode selected,
            @Nullable BigDecimal selectedCost,
            @Nullable Instant selectedFinish,
            @Nullable @JsonPropertyDescription("Accuracy the reference run reached at this many epochs, over its baseline.") AccuracyGain accuracy,
            @Nullable @JsonPropertyDescription("selected_cost / accuracy gain in points; null when unknown or when there is no gain.") BigDecimal costPerAccuracyPoint,
            @JsonPropertyDescription("No other configuration is at least as cheap, as early and as accurate, and better in one of them.") boolean paretoOptimal,
            @JsonPropertyDescription("HIGH: same GPU type, count and batch size as a past run; MEDIUM: scaled in GPU count; LOW: scaled across GPU types or batch sizes.") String confidence,
            List<String> assumptions) {
        public Option {
            assumptions = List.copyOf(assumptions);
        }
    }

    public record Reference(String source, String runId, String runName, String gpuType, int gpuCount, @Nullable Integer batchSize,
                            int completedEpochs, double secondsPerEpoch) {
    }

    public record Priced(BigDecimal cost, Instant start, Instant finish, long durationSeconds, long offPeakSeconds) {
    }

    public record SpotPriced(BigDecimal expectedCost, BigDecimal wastedCost, Instant finish, long expectedDurationSeconds,
                             BigDecimal expectedInterruptions) {
    }
}

package dev.trainops.compare;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import dev.trainops.cost.Money;
import dev.trainops.mlflow.MlflowRun;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.List;

/**
 * What a run's accuracy gained, in percentage points: from the baseline (the run's
 * {@code baseline_accuracy} param when it logged one, else its first logged accuracy) to its value
 * at an epoch. Accuracies logged as fractions (0..1) are read as percent x 100.
 */
public record AccuracyGain(
        String metric,
        @JsonPropertyDescription("Baseline accuracy in percent.") BigDecimal baselinePercent,
        @JsonPropertyDescription("Accuracy reached, in percent.") BigDecimal reachedPercent,
        @JsonPropertyDescription("The epoch whose accuracy this is.") long atEpoch,
        @JsonPropertyDescription("reached - baseline, in percentage points.") BigDecimal gainPoints) {

    /** The gain at {@code epoch} (or the last logged epoch before it); null when nothing usable is logged. */
    public static AccuracyGain of(List<MlflowRun.MetricPoint> accuracy, String baselineParam, long epoch) {
        List<MlflowRun.MetricPoint> finite = accuracy.stream().filter(p -> Double.isFinite(p.value())).toList();
        if (finite.isEmpty()) {
            return null;
        }
        boolean fraction = finite.stream().allMatch(p -> p.value() <= 1.0);
        MlflowRun.MetricPoint reached = null;
        for (MlflowRun.MetricPoint p : finite) {
            if (p.step() <= epoch && (reached == null || p.step() >= reached.step())) {
                reached = p;
            }
        }
        if (reached == null) {
            return null;
        }
        BigDecimal baseline = null;
        if (baselineParam != null) {
            try {
                baseline = new BigDecimal(baselineParam.trim());
            } catch (NumberFormatException e) {
                baseline = null;
            }
        }
        if (baseline == null) {
            baseline = BigDecimal.valueOf(finite.get(0).value());
        }
        BigDecimal scale = fraction ? BigDecimal.valueOf(100) : BigDecimal.ONE;
        BigDecimal base = baseline.multiply(scale).setScale(4, RoundingMode.HALF_EVEN);
        BigDecimal value = BigDecimal.valueOf(reached.value()).multiply(scale).setScale(4, RoundingMode.HALF_EVEN);
        return new AccuracyGain(reached.key(), base, value, reached.step(), value.subtract(base));
    }

    /** Cost rule 8: cost / gain in points; null when the gain is zero or negative, never Infinity or NaN. */
    public static @Nullable BigDecimal costPerPoint(Money cost, AccuracyGain gain) {
        if (gain == null || gain.gainPoints().signum() <= 0) {
            return null;
        }
        return cost.amount().divide(gain.gainPoints(), Money.SCALE, RoundingMode.HALF_EVEN);
    }
}

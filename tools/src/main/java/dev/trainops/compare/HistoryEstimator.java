package dev.trainops.compare;

import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Money;
import dev.trainops.forecast.HistoricRun;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.names.SafeName;
import dev.trainops.queue.Estimator;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The queue's estimates, from the same engine as compare_training_configs: the model's closest
 * past run, scaled to the GPU type and count, priced from the start time (spot with interruptions).
 */
public final class HistoryEstimator implements Estimator {
    private final ConfigComparer comparer;
    private final RunHistorySource source;

    public HistoryEstimator(ConfigComparer comparer) {
        this(comparer, null);
    }

    /** With {@code source}, the comparer's history, it also says which batch sizes the model has runs at. */
    public HistoryEstimator(ConfigComparer comparer, RunHistorySource source) {
        this.comparer = comparer;
        this.source = source;
    }

    @Override
    public List<Integer> batchSizes(String model, String gpuType) {
        if (source == null || !SafeName.isValid(model)) {
            return List.of();
        }
        List<HistoricRun> runs = source.find(model).runs().stream().filter(HistoricRun::measurable).toList();
        List<HistoricRun> onType = runs.stream().filter(r -> gpuType != null && gpuType.equals(r.param("gpu_type", null))).toList();
        return (onType.isEmpty() ? runs : onType).stream().map(r -> r.param("batch_size", null)).filter(b -> b != null && b.matches("\\d{1,6}"))
                .map(Integer::valueOf).filter(b -> b > 0).distinct().sorted().toList();
    }

    @Override
    public Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, int gpuCount, boolean spot, Instant start) {
        return estimate(model, epochs, batchSize, gpuType, null, gpuCount, spot, start);
    }

    /** {@code migProfile}: slices of that MIG profile, each its share of a GPU (null: whole or shared GPUs). */
    @Override
    public Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, String migProfile, int gpuCount, boolean spot,
                                       Instant start) {
        Comparison c;
        try {
            c = comparer.compare(new CompareRequest(List.of(new CompareRequest.Config(model, epochs, batchSize, gpuType, gpuCount, spot,
                    start.toString(), null))), migProfile);
        } catch (ToolException notFound) {
            return Optional.empty();
        }
        Comparison.Option o = c.options().get(0);
        if (!o.estimated()) {
            return Optional.empty();
        }
        long seconds = spot && o.spot() != null ? o.spot().expectedDurationSeconds() : o.durationSeconds();
        return Optional.of(new Estimate(o.gpuType(), seconds, new Money(o.selectedCost(), comparer.currency()),
                "scaled from " + o.reference().runName() + " in " + o.reference().source() + " (" + o.confidence() + " confidence)"));
    }
}

package dev.trainops.queue;

import dev.trainops.cost.PriceBook;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * The estimate from history when the model has some; else, when its job template sets a time limit
 * ({@code activeDeadlineSeconds}), the job priced as running that long: the most it can cost
 * (docs/money.md, "History without MLflow"). With neither there is no estimate, and the queue says
 * that max_cost cannot be checked before the job runs.
 */
public final class TimeLimitEstimator implements Estimator {
    private final Estimator history;
    private final Function<String, Optional<Duration>> timeLimit;
    private final PriceBook prices;
    private final JobFootprints footprints;

    /** @param timeLimit a model's time limit from its job template, when it sets one */
    public TimeLimitEstimator(Estimator history, Function<String, Optional<Duration>> timeLimit, PriceBook prices,
            JobFootprints footprints) {
        this.history = history;
        this.timeLimit = timeLimit;
        this.prices = prices;
        this.footprints = footprints;
    }

    @Override
    public java.util.List<Integer> batchSizes(String model, String gpuType) {
        return history.batchSizes(model, gpuType);
    }

    @Override
    public Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, int gpuCount, boolean spot, Instant start) {
        return estimate(model, epochs, batchSize, gpuType, null, gpuCount, spot, start);
    }

    @Override
    public Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, String migProfile, int gpuCount, boolean spot,
                                       Instant start) {
        Optional<Estimate> fromHistory = history.estimate(model, epochs, batchSize, gpuType, migProfile, gpuCount, spot, start);
        if (fromHistory.isPresent() || gpuType == null) {
            return fromHistory;
        }
        Optional<Duration> limit = timeLimit.apply(model).filter(d -> !d.isNegative() && !d.isZero());
        if (limit.isEmpty()) {
            return Optional.empty();
        }
        long seconds = limit.get().toSeconds();
        // on-demand: a spot job can land on on-demand capacity too, so the cap holds either way
        // priced all-in (GPU share, CPU, memory) through the same engine as the bill
        return Optional.of(new Estimate(gpuType, seconds, prices.cost(footprints.of(model, gpuType, migProfile, gpuCount), start, seconds, false), "no run history of " + model + ": priced at its "
                + "template's time limit, activeDeadlineSeconds " + seconds + " s, the most it can cost", true));
    }
}

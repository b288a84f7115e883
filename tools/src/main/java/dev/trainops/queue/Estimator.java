package dev.trainops.queue;

import dev.trainops.cost.Money;
import java.time.Instant;
import java.util.Optional;

/** How long a job will run and what it will cost, from its model's run history. */
@FunctionalInterface
public interface Estimator {

    /**
     * The estimate, and the GPU type it assumed (the model's most recent run's when none was given);
     * {@code atTimeLimit} when it is the most the job can cost, priced at its time limit for want of history.
     */
    record Estimate(String gpuType, long seconds, Money cost, String basis, boolean atTimeLimit) {
        public Estimate(String gpuType, long seconds, Money cost, String basis) {
            this(gpuType, seconds, cost, basis, false);
        }
    }

    /** Empty when the model has no run history to estimate from. */
    Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, int gpuCount, boolean spot, Instant start);

    /**
     * The estimate for {@code gpuCount} units of MIG profile {@code migProfile} (null: whole or
     * shared GPUs, as above). An estimator that does not know MIG slices has none for them.
     */
    default Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, String migProfile, int gpuCount, boolean spot,
                                        Instant start) {
        return migProfile == null ? estimate(model, epochs, batchSize, gpuType, gpuCount, spot, start) : Optional.empty();
    }

    /** The batch sizes the model's history has runs at (on {@code gpuType} when it has some there), for cheaper options; none by default. */
    default java.util.List<Integer> batchSizes(String model, String gpuType) {
        return java.util.List.of();
    }
}

package dev.trainops.queue;

import dev.trainops.cost.Money;
import java.time.Instant;
import java.util.Optional;

/** How long a job will run and what it will cost, from its model's run history. */
@FunctionalInterface
public interface Estimator {

    /** The estimate, and the GPU type it assumed (the model's most recent run's when none was given). */
    record Estimate(String gpuType, long seconds, Money cost, String basis) {
    }

    /** Empty when the model has no run history to estimate from. */
    Optional<Estimate> estimate(String model, int epochs, int batchSize, String gpuType, int gpuCount, boolean spot, Instant start);
}

package dev.trainops.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * What a job holds while it runs, as the ledger bills it (docs/money.md, "Estimates and the bill"):
 * its GPU type, its share of physical GPUs (whole GPUs, MIG slices and shared replicas as
 * fractions), and the CPU cores and memory its pods request. An estimate is this footprint over
 * the forecast interval, priced by {@link PriceBook#price(JobFootprint, Instant, long, boolean)}:
 * the same usage segment the ledger will record, through the same engine.
 */
public record JobFootprint(String gpuType, BigDecimal gpus, BigDecimal cpuCores, BigDecimal memoryGib) {
    public JobFootprint {
        Objects.requireNonNull(gpus, "gpus must not be null");
        Objects.requireNonNull(cpuCores, "cpuCores must not be null");
        Objects.requireNonNull(memoryGib, "memoryGib must not be null");
    }

    /** The same CPU and memory on {@code gpus} GPUs of {@code type} (another GPU, a share of one). */
    public JobFootprint onGpus(String type, BigDecimal share) {
        return new JobFootprint(type, share, cpuCores, memoryGib);
    }

    /** The usage segment this footprint makes over [start, start + seconds); no seconds is an empty segment. */
    public UsageSegment over(String id, Instant start, long seconds, boolean spot) {
        return new UsageSegment(id, start, start.plusSeconds(Math.max(0, seconds)), gpuType, gpus, cpuCores, memoryGib, spot);
    }
}

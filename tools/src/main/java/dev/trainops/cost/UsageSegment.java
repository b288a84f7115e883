package dev.trainops.cost;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Objects;

/**
 * What a job used over [start, end): {@code gpus} whole-GPU equivalents of one type (a MIG slice
 * or a time-sliced replica is a fraction: docs/money.md cost rule 5), CPU cores, memory, and whether
 * it ran on spot capacity.
 */
public record UsageSegment(String jobId, Instant start, Instant end, String gpuType, BigDecimal gpus,
                           BigDecimal cpuCores, BigDecimal memoryGib, boolean spot) {
    public UsageSegment {
        Objects.requireNonNull(jobId, "jobId must not be null");
        Objects.requireNonNull(start, "start must not be null");
        Objects.requireNonNull(end, "end must not be null");
        if (end.isBefore(start)) {
            throw new IllegalArgumentException("a usage segment must not end (" + end + ") before it starts (" + start + ")");
        }
        Objects.requireNonNull(gpus, "gpus must not be null");
        if (gpus.signum() < 0 || cpuCores.signum() < 0 || memoryGib.signum() < 0) {
            throw new IllegalArgumentException("resources must not be negative");
        }
        if (gpus.signum() > 0) {
            Objects.requireNonNull(gpuType, "a segment with GPUs must name the GPU type");
        }
    }
}

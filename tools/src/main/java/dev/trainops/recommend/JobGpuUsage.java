package dev.trainops.recommend;

import java.time.Instant;
import java.util.Optional;

/**
 * GPU utilisation and memory of a trainops job's pods over a window, from outside the run (the DCGM
 * exporter through Prometheus): what the recommender uses when a run logged no MLflow system metrics.
 */
@FunctionalInterface
public interface JobGpuUsage {

    /** Mean utilisation in percent over the window, peak framebuffer use in MiB (null when unknown), and where it came from. */
    record Measured(double meanPercent, Double peakMemoryMib, String source) {
    }

    Optional<Measured> of(JobContext job, Instant from, Instant to);

    JobGpuUsage NONE = (job, from, to) -> Optional.empty();
}

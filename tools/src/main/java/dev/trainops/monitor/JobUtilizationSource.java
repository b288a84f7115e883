package dev.trainops.monitor;

import dev.trainops.cost.Ledger;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Where a report finds how busy a job's GPUs were over a range: DCGM through Prometheus, or the run's own system metrics. */
interface JobUtilizationSource {

    /** Mean GPU utilisation (percent) and memory use (percent, null when unknown) of a job over its time in the range. */
    record Measured(double gpuPercent, Double memoryPercent, String source) {
    }

    /** What it knows for these jobs; jobs it has no data for are absent. */
    Map<String, Measured> measure(List<Ledger.JobUsage> jobs, Instant from, Instant to);
}

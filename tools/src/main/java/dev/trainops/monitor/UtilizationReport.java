package dev.trainops.monitor;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;

/** The answer of get_resource_utilization_report. GPU-hours are GPU-equivalents (a MIG slice counts its share). */
record UtilizationReport(
        LocalDate startDate,
        LocalDate endDate,
        @Nullable String team,
        @JsonPropertyDescription("All jobs in the range together.") Totals totals,
        @JsonPropertyDescription("Per team, least efficient first.") List<TeamUsage> teams,
        @JsonPropertyDescription("Per job, most idle GPU-hours first.") List<JobUsage> jobs,
        List<String> notes,
        Instant asOf) {

    public UtilizationReport {
        teams = List.copyOf(teams);
        jobs = List.copyOf(jobs);
        notes = List.copyOf(notes);
    }

    public record Totals(
            @JsonPropertyDescription("GPU-hours allocated (billed) in the range.") double allocatedGpuHours,
            @JsonPropertyDescription("Allocated GPU-hours of jobs whose utilisation is known.") double measuredGpuHours,
            @JsonPropertyDescription("measured GPU-hours x utilisation: the GPU-hours actually busy.") double usedGpuHours,
            @JsonPropertyDescription("measured - used: GPU-hours paid for and idle.") double idleGpuHours,
            @Nullable @JsonPropertyDescription("used / measured, 0-1; null when nothing was measured.") Double efficiency,
            int jobs,
            int jobsWithoutUtilization) {
    }

    public record TeamUsage(String team, double allocatedGpuHours, double usedGpuHours, double idleGpuHours, @Nullable Double efficiency,
                            @Nullable Double gpuUtilizationPercent, int jobs) {
    }

    public record JobUsage(
            String jobId,
            String team,
            String experiment,
            @Nullable String runName,
            @Nullable String gpuType,
            double allocatedGpuHours,
            @Nullable @JsonPropertyDescription("Mean GPU utilisation over the job's time in the range, percent.") Double gpuUtilizationPercent,
            @Nullable @JsonPropertyDescription("Mean GPU memory used / total, percent.") Double memoryPercent,
            @Nullable Double usedGpuHours,
            @Nullable Double idleGpuHours,
            @Nullable @JsonPropertyDescription("used / allocated, 0-1.") Double efficiency,
            @JsonPropertyDescription("Where utilisation came from: dcgm (Prometheus), mlflow or sandbox (the run's system metrics), or none.") String source,
            String cost) {
    }
}

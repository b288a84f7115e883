package dev.trainops.monitor;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of get_training_health_status. */
public record HealthStatus(
        @JsonPropertyDescription("HEALTHY, DEGRADED (a backend stale or down, a background loop failing, GPU usage without a price, a warning alert, a failed job, an anomaly) or CRITICAL (a critical alert).") String status,
        @JsonPropertyDescription("One or two sentences for the user.") String summary,
        @Nullable String team,
        List<Backend> backends,
        @JsonPropertyDescription("Alerts firing now, from Alertmanager's webhook, each with a suggested remediation.") List<ActiveAlert> alerts,
        @JsonPropertyDescription("Jobs that failed in the last 24 h.") List<FailingJob> failingJobs,
        @JsonPropertyDescription("Running jobs that look wrong now: GPU utilisation below 30%, or running over twice their expected time.") List<Anomaly> anomalies,
        @JsonPropertyDescription("Background loops (admission, usage recording, metrics, training poller, DCGM refresh) failing for longer than two of their periods.") List<FailingLoop> failingLoops,
        @JsonPropertyDescription("GPU types in use that the price list has no rate for: their usage is not billed until config/pricing.yaml prices them.") List<UnpricedUsage> unpricedUsage,
        Instant asOf) {

    public HealthStatus {
        backends = List.copyOf(backends);
        alerts = List.copyOf(alerts);
        failingJobs = List.copyOf(failingJobs);
        anomalies = List.copyOf(anomalies);
        failingLoops = List.copyOf(failingLoops);
        unpricedUsage = List.copyOf(unpricedUsage);
    }

    public record FailingLoop(@JsonPropertyDescription("The loop's name, e.g. usage-recorder.") String loop,
                              @JsonPropertyDescription("When its current run of failures began.") Instant failingSince,
                              @JsonPropertyDescription("What its last failure said.") String lastError,
                              @JsonPropertyDescription("How often it runs, seconds.") long periodSeconds) {
    }

    public record UnpricedUsage(String gpuType, @JsonPropertyDescription("GPU-seconds used and not billed since trainops started.") double gpuSeconds,
                                @JsonPropertyDescription("Pods that used it.") int pods,
                                @JsonPropertyDescription("When trainops first saw it unpriced.") Instant since) {
    }

    public record Backend(String name, boolean up, boolean stale, String detail) {
    }

    public record ActiveAlert(String fingerprint, String alertname, @Nullable String severity, @Nullable String team,
                              @Nullable String summary, @Nullable String description, @Nullable String runbook, Map<String, String> labels,
                              @Nullable Instant startsAt, int notifications,
                              @JsonPropertyDescription("What to do about it, naming the trainops tool to call where one helps.") String remediation) {
        public ActiveAlert {
            labels = Map.copyOf(labels);
        }
    }

    public record FailingJob(String jobId, String runName, String team, String reason, String detail, @Nullable Instant ended) {
    }

    public record Anomaly(String kind, String jobId, String runName, String team, String detail, String remediation) {
    }
}

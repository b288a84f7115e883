package dev.trainops.monitor;

import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.names.TeamName;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * get_training_health_status: the backends, the alerts Alertmanager has sent and not resolved
 * (each with a remediation an agent can act on), the jobs that failed in the last day, and the
 * running jobs that look wrong now.
 */
public final class HealthService {
    static final double LOW_UTILIZATION_PERCENT = 30;
    static final double OVERRUN_FACTOR = 2;

    private final AlertStore alerts;
    private final QueueStore queue;
    private final GpuUtilization utilization;
    private final Supplier<List<HealthStatus.Backend>> backends;
    private final Supplier<List<HealthStatus.FailingLoop>> loops;
    private final Supplier<List<HealthStatus.UnpricedUsage>> unpriced;
    private final Clock clock;

    /** {@code queue} may be null before the queue is open. */
    public HealthService(AlertStore alerts, QueueStore queue, GpuUtilization utilization, Supplier<List<HealthStatus.Backend>> backends,
                         Clock clock) {
        this(alerts, queue, utilization, backends, List::of, List::of, clock);
    }

    /**
     * With the background loops failing for longer than two periods, and the GPU types used without
     * a price: each makes the state DEGRADED (docs/architecture.md, "Background loops").
     */
    public HealthService(AlertStore alerts, QueueStore queue, GpuUtilization utilization, Supplier<List<HealthStatus.Backend>> backends,
                         Supplier<List<HealthStatus.FailingLoop>> loops, Supplier<List<HealthStatus.UnpricedUsage>> unpriced, Clock clock) {
        this.loops = loops;
        this.unpriced = unpriced;
        this.alerts = alerts;
        this.queue = queue;
        this.utilization = utilization;
        this.backends = backends;
        this.clock = clock;
    }

    HealthStatus status(HealthRequest request) {
        return status(request, Principal.LOCAL);
    }

    /**
     * Health as {@code principal} sees it (rules 1 and 4): backends and loops for everyone; alerts
     * labelled with a team, failing jobs and anomalies only of its teams; another team is NOT_FOUND.
     */
    HealthStatus status(HealthRequest request, Principal principal) {
        String team = visibleTeam(request.team(), principal);
        Instant now = clock.instant();
        List<HealthStatus.Backend> b = backends.get();
        List<HealthStatus.ActiveAlert> active = new ArrayList<>();
        for (AlertStore.Alert a : alerts.firing(team)) {
            if (a.team() != null && !a.team().isBlank() && !principal.sees(a.team())) {
                continue;
            }
            active.add(new HealthStatus.ActiveAlert(a.fingerprint(), a.alertname(), a.severity(), a.team(), a.annotations().get("summary"),
                    a.annotations().get("description"), a.annotations().get("runbook"), a.labels(), a.startsAt(), a.notifications(),
                    remediation(a)));
        }
        List<HealthStatus.FailingJob> failing = new ArrayList<>();
        List<HealthStatus.Anomaly> anomalies = new ArrayList<>();
        if (queue != null) {
            List<QueuedJob> recent = queue.read(c -> queue.currentAndSince(c, now.minus(Duration.ofHours(24))));
            for (QueuedJob j : recent) {
                if (team != null && !team.equals(j.team()) || !principal.sees(j.team())) {
                    continue;
                }
                if (j.state() == JobState.FAILED) {
                    failing.add(new HealthStatus.FailingJob(j.jobId(), j.runName(), j.team(), j.reason() == null ? "FAILED" : j.reason().name(),
                            j.reasonDetail() == null ? "" : j.reasonDetail(), j.ended()));
                }
                if (j.state() == JobState.RUNNING) {
                    anomalies(j, now, anomalies);
                }
            }
        }
        List<HealthStatus.FailingLoop> failingLoops = loops.get();
        List<HealthStatus.UnpricedUsage> unpricedUsage = unpriced.get();
        boolean critical = active.stream().anyMatch(a -> "critical".equalsIgnoreCase(a.severity()));
        boolean degraded = !active.isEmpty() || !failing.isEmpty() || !anomalies.isEmpty() || !failingLoops.isEmpty()
                || !unpricedUsage.isEmpty() || b.stream().anyMatch(x -> !x.up() || x.stale());
        String status = critical ? "CRITICAL" : degraded ? "DEGRADED" : "HEALTHY";
        List<String> parts = problems(b, active, failing, anomalies);
        for (HealthStatus.FailingLoop l : failingLoops) {
            parts.add("background loop " + l.loop() + " failing since " + l.failingSince() + " (" + l.lastError() + ")");
        }
        for (HealthStatus.UnpricedUsage u : unpricedUsage) {
            parts.add(u.gpuType() + " GPUs in use without a price (" + Math.round(u.gpuSeconds()) + " GPU-seconds not billed; add "
                    + u.gpuType() + " to gpu_hour in config/pricing.yaml)");
        }
        return new HealthStatus(status, summary(status, parts), team, b, active, failing, anomalies, failingLoops, unpricedUsage, now);
    }

    /** An optional team argument: null when absent, else a namespace name or INVALID_ARGUMENT naming it. */
    static String optionalTeam(String given) {
        return TeamName.parseOptional("team", given).map(TeamName::value).orElse(null);
    }

    /** An optional team argument {@code principal} sees; another team is the same NOT_FOUND as one it does not know (rule 1). */
    static String visibleTeam(String given, Principal principal) {
        String team = optionalTeam(given);
        if (team != null) {
            Access.requireVisible(principal, team, () -> new ToolException(ErrorCode.NOT_FOUND, "No team '" + team + "'.",
                    "Ask about one of your teams (" + String.join(", ", principal.teams()) + "), or omit team.", false,
                    Map.of("argument", "team")));
        }
        return team;
    }

    private void anomalies(QueuedJob j, Instant now, List<HealthStatus.Anomaly> out) {
        if (j.node() != null) {
            java.util.OptionalDouble util = utilization.nodePercent(j.node());
            if (util.isPresent() && util.getAsDouble() < LOW_UTILIZATION_PERCENT) {
                out.add(new HealthStatus.Anomaly("LOW_GPU_UTILIZATION", j.jobId(), j.runName(), j.team(),
                        "GPU utilisation " + Math.round(util.getAsDouble()) + "% on " + j.node() + " (below " + (int) LOW_UTILIZATION_PERCENT
                                + "%, source " + utilization.source() + ").",
                        "Job " + j.jobId() + " at " + Math.round(util.getAsDouble()) + "% GPU: requeue with batch_size " + j.batchSize() * 4
                                + " or on a smaller GPU; recommend_cost_optimization run_id=" + j.runName() + " prices the options."));
            }
        }
        if (j.started() != null && j.estimatedSeconds() > 0) {
            long ran = Duration.between(j.started(), now).toSeconds();
            if (ran > OVERRUN_FACTOR * j.estimatedSeconds()) {
                out.add(new HealthStatus.Anomaly("RUNNING_LONG", j.jobId(), j.runName(), j.team(),
                        "Running " + ran / 60 + " min, over twice the " + j.estimatedSeconds() / 60 + " min its history predicts.",
                        "Check job " + j.jobId() + " for a hang (data loader, NCCL); cancel_training_job if it is stuck, or "
                                + "forecast_training_cost job_name=" + j.jobId() + " for what finishing it costs."));
            }
        }
    }

    /** A remediation for the alerts config/prometheus ships, and the runbook or summary for any other. */
    static String remediation(AlertStore.Alert a) {
        Map<String, String> l = a.labels();
        String job = l.getOrDefault("job_id", "the job");
        String team = l.getOrDefault("team", l.getOrDefault("namespace", "the team"));
        String value = a.annotations().getOrDefault("value", "");
        return switch (a.alertname()) {
            case "TrainingJobLowGpuUtilization" -> "Job " + job + (value.isEmpty() ? "" : " at " + value) + " GPU: requeue it with a larger "
                    + "batch_size (e.g. 4x) or move it to a smaller GPU or a MIG slice; call recommend_cost_optimization with its run for "
                    + "the saving of each.";
            case "TrainingJobRunningLong" -> "Job " + job + " runs over twice its expected time: look for a hang (data loader, NCCL); "
                    + "cancel_training_job if it is stuck, or forecast_training_cost with job_name=" + job + " for the cost of finishing.";
            case "GpuMemoryPressure" -> "GPU memory above 80% on " + l.getOrDefault("Hostname", l.getOrDefault("hostname", "the node"))
                    + ": an out-of-memory crash is close; lower batch_size, or use gradient checkpointing or mixed precision.";
            case "BudgetForecastOverBudget" -> "The forecast of " + l.getOrDefault("scope", team) + " exceeds its budget: get_budget_status "
                    + "shows by how much; pause BACKGROUND work, or move it to off-peak (schedule=off_peak) or spot.";
            case "TrainingJobFailed" -> "Jobs of " + team + " failed: get_job_queue_status team=" + team + " shows each reason; fix and "
                    + "requeue with queue_training_job.";
            case "TrainingJobNearMaxCost" -> "Job " + job + " has spent " + (value.isEmpty() ? "80% or more" : value) + " of its max_cost and "
                    + "stops at 100%: forecast_training_cost job_name=" + job + " prices the rest; queue it again with a larger max_cost "
                    + "to finish it, or cancel_training_job.";
            case "TeamQuotaAbove80Percent" -> team + " holds " + (value.isEmpty() ? "80% or more" : value) + " of its "
                    + l.getOrDefault("resource", "") + " quota: check_training_quota team=" + team + " shows what holds it; further "
                    + "jobs wait with QUOTA_EXCEEDED.";
            case "BudgetAbove70Percent" -> l.getOrDefault("scope", team) + " has spent and committed " + (value.isEmpty() ? "70% or more" : value)
                    + " of its budget: get_budget_status shows the forecast; move deferrable work to off-peak (schedule=off_peak) or spot.";
            case "ContainerMemoryPressure" -> "Container " + l.getOrDefault("container", "?") + " of " + l.getOrDefault("namespace", "?") + "/"
                    + l.getOrDefault("pod", "?") + " is close to its memory limit (OOM kill at 100%): lower batch_size or the data "
                    + "loader's workers, or give the job more memory per GPU.";
            case "QueueWaitTooLong" -> "Jobs at priority " + l.getOrDefault("priority", "?") + " wait too long: get_job_queue_status shows "
                    + "why (NO_CAPACITY, QUOTA_EXCEEDED, BUDGET_EXCEEDED); get_gpu_availability shows when GPUs free up.";
            default -> a.annotations().getOrDefault("runbook", a.annotations().getOrDefault("summary", "See the alert's generator URL."));
        };
    }

    private static List<String> problems(List<HealthStatus.Backend> backends, List<HealthStatus.ActiveAlert> alerts,
                                         List<HealthStatus.FailingJob> failing, List<HealthStatus.Anomaly> anomalies) {
        List<String> parts = new ArrayList<>();
        long down = backends.stream().filter(b -> !b.up()).count();
        long stale = backends.stream().filter(b -> b.up() && b.stale()).count();
        if (down > 0) {
            parts.add(down + " backend(s) down");
        }
        if (stale > 0) {
            parts.add(stale + " backend(s) stale");
        }
        if (!alerts.isEmpty()) {
            parts.add(alerts.size() + " alert(s) firing (" + String.join(", ", alerts.stream().map(HealthStatus.ActiveAlert::alertname)
                    .distinct().toList()) + ")");
        }
        if (!failing.isEmpty()) {
            parts.add(failing.size() + " job(s) failed in the last 24 h");
        }
        if (!anomalies.isEmpty()) {
            parts.add(anomalies.size() + " running job(s) look wrong");
        }
        return parts;
    }

    private static String summary(String status, List<String> parts) {
        return status.charAt(0) + status.substring(1).toLowerCase(Locale.ROOT) + (parts.isEmpty() ? ": every backend up, no alert, "
                + "no failed job, no anomaly." : ": " + String.join("; ", parts) + ".");
    }

    public static Tool<?, ?> tool(Supplier<HealthService> service) {
        return new Tool<HealthRequest, HealthStatus>("get_training_health_status", "Training health: backends, alerts, failures",
                "Is training healthy? The backends (Kubernetes, MLflow, the store, Prometheus) up or stale, trainops's own background "
                        + "loops failing, GPU usage the price list cannot bill, the alerts firing now "
                        + "(from Alertmanager: low GPU utilisation, jobs running long, GPU or container memory pressure, a job near its "
                        + "max_cost, a quota at 80%, a budget at 70% or forecast over budget, failed jobs, long queue waits) each with a suggested remediation, the jobs that failed in the last 24 h with "
                        + "their reasons, and running jobs that look wrong now. Optionally for one team.",
                HealthRequest.class, HealthStatus.class, ToolHints.READ_ONLY,
                (r, call) -> service.get().status(r, call.principal()), HealthService::text, java.util.Set.of());
    }

    static String text(HealthStatus h) {
        StringBuilder sb = new StringBuilder(h.summary());
        int shown = 0;
        for (HealthStatus.ActiveAlert a : h.alerts()) {
            if (shown++ == 3) {
                sb.append("\n... more in the structured content");
                break;
            }
            sb.append("\n- ").append(a.alertname()).append(a.severity() == null ? "" : " (" + a.severity() + ")").append(": ")
                    .append(a.remediation());
        }
        return sb.toString();
    }
}

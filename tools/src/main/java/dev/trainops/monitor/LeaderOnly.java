package dev.trainops.monitor;

import java.util.Set;

/** What a replica that does not lead leaves out of {@code /metrics} (docs/monitoring.md, "In a cluster"). */
final class LeaderOnly {
    private LeaderOnly() {
    }

    /**
     * The families only the control loops feed (the admission pass, the usage recorder, the
     * collector, the training poller): with several replicas they come from the leader alone, so
     * Prometheus sees one series per team or job, not one per replica (a replica that lost the
     * Lease stops exporting its last values at once). The others (tool calls, caches, backends,
     * loops, leader) describe the replica itself and come from each.
     */
    static final Set<String> FAMILIES = Set.of("trainops_queue_depth", "trainops_queue_oldest_wait_seconds",
            "trainops_queue_wait_seconds", "trainops_job_duration_seconds", "trainops_jobs_admitted_total", "trainops_jobs_preempted_total",
            "trainops_jobs_failed_total", "trainops_jobs_succeeded_total", "trainops_gpu_usage_seconds_total",
            "trainops_cpu_usage_seconds_total", "trainops_cost_total", "trainops_budget_consumption_ratio", "trainops_budget_forecast_ratio",
            "trainops_job_cost_forecast_total", "trainops_job_cost_actual_total", "trainops_job_cost_actual_to_forecast_ratio",
            "trainops_training_loss", "trainops_training_accuracy", "trainops_training_perplexity", "trainops_job_gpu_utilization_ratio",
            "trainops_job_gpu_memory_ratio", "trainops_job_elapsed_seconds", "trainops_job_expected_seconds", "trainops_running_jobs",
            "trainops_unpriced_gpu_seconds_total", "trainops_job_cost_to_cap_ratio", "trainops_quota_usage_ratio",
            "trainops_budget_used_ratio", "trainops_queue_unschedulable_gpus");

    /** {@code text} (the exposition format) without the samples and metadata of {@link #FAMILIES}. */
    static String without(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (String line : text.split("\\n", -1)) {
            String name = line.startsWith("# HELP ") || line.startsWith("# TYPE ") ? line.substring(7) : line;
            int end = 0;
            while (end < name.length() && name.charAt(end) != ' ' && name.charAt(end) != '{') {
                end++;
            }
            if (!matches(name.substring(0, end))) {
                out.append(line).append('\n');
            }
        }
        out.setLength(Math.max(0, out.length() - 1));
        return out.toString();
    }

    /** A sample or metadata name of a leader-only family: the family itself, its _total-less name, or a suffixed sample (_bucket, _count, ...). */
    static boolean matches(String name) {
        if (!name.startsWith("trainops_")) {
            return false;
        }
        for (String family : FAMILIES) {
            if (name.equals(family) || name.startsWith(family + "_")
                    || (family.endsWith("_total") && name.equals(family.substring(0, family.length() - "_total".length())))) {
                return true;
            }
        }
        return false;
    }
}

package dev.trainops.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

/**
 * The Prometheus metrics trainops exports, through Micrometer's Prometheus registry: base units
 * (seconds), histograms with fixed buckets (never summaries), and every family registered at start
 * with zero values, so dashboards and alert rules see it before the first job. A changed value is
 * visible on the next scrape: the registry renders live meters.
 *
 * <p>Label cardinality is bounded: tools, priorities and backends are fixed sets; teams and
 * experiments come from configuration and the ledger; training gauges exist only for active runs
 * and per-job gauges only for running jobs, and both drop out when they end.
 */
public final class Metrics {
    public static final List<String> BACKENDS = List.of("kubernetes", "mlflow", "store", "prometheus");
    /** The backends read through a cache: the informers' store, and the MLflow reader. */
    public static final List<String> CACHED_BACKENDS = List.of("kubernetes", "mlflow");
    public static final List<String> PRIORITIES = List.of("URGENT", "NORMAL", "BACKGROUND");
    static final Duration[] LATENCY_BUCKETS = {Duration.ofMillis(1), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofSeconds(2), Duration.ofSeconds(5)};
    static final Duration[] WAIT_BUCKETS = {Duration.ofSeconds(10), Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15),
            Duration.ofMinutes(30), Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(6), Duration.ofHours(12), Duration.ofHours(24)};
    static final Duration[] DURATION_BUCKETS = {Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(15), Duration.ofMinutes(30),
            Duration.ofHours(1), Duration.ofHours(2), Duration.ofHours(4), Duration.ofHours(8), Duration.ofHours(24), Duration.ofHours(72)};
    static final double[] RATIO_BUCKETS = {0.5, 0.75, 0.9, 1.0, 1.1, 1.25, 1.5, 2.0, 3.0};

    /** The families, by their Prometheus names, as a test and the dashboards check them. */
    public static final Set<String> FAMILIES = Set.of("trainops_tool_calls_seconds", "trainops_cache_requests_total", "trainops_backend_up",
            "trainops_backend_stale", "trainops_queue_depth", "trainops_queue_oldest_wait_seconds", "trainops_queue_wait_seconds",
            "trainops_job_duration_seconds", "trainops_jobs_admitted_total", "trainops_jobs_preempted_total", "trainops_jobs_failed_total",
            "trainops_jobs_succeeded_total", "trainops_gpu_usage_seconds_total", "trainops_cpu_usage_seconds_total", "trainops_cost_total",
            "trainops_budget_consumption_ratio", "trainops_budget_forecast_ratio", "trainops_job_cost_forecast_total",
            "trainops_job_cost_actual_total", "trainops_job_cost_actual_to_forecast_ratio", "trainops_training_loss",
            "trainops_training_accuracy", "trainops_training_perplexity", "trainops_job_gpu_utilization_ratio",
            "trainops_job_gpu_memory_ratio", "trainops_job_elapsed_seconds", "trainops_job_expected_seconds", "trainops_running_jobs",
            "trainops_background_loop_failures_total", "trainops_background_loop_last_success_timestamp_seconds",
            "trainops_unpriced_gpu_seconds_total", "trainops_job_cost_to_cap_ratio", "trainops_quota_usage_ratio",
            "trainops_budget_used_ratio", "trainops_leader", "trainops_queue_unschedulable_gpus");
    /** The background loops of the app (docs/architecture.md, "Background loops"): a fixed set, so a bounded label. */
    public static final List<String> BACKGROUND_LOOPS = List.of("admission", "usage-recorder", "metrics-collector", "training-poller",
            "dcgm-refresh", "queue-plan", "event-relay", "event-log-cleanup", "kueue-budget-check", "trainingjob-controller");

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final String currency;
    private final Gauges gauges = new Gauges(registry);
    private final UnschedulableGpus unschedulable = new UnschedulableGpus(gauges);
    private final Map<String, double[]> usage = new ConcurrentHashMap<>();
    private final Map<String, double[]> unpriced = new ConcurrentHashMap<>();

    /**
     * @param tools  the catalog's tool names (a latency series each, from the start)
     * @param teams  the teams configuration knows (budgets, quotas)
     * @param currency the price list's currency, a label of the cost families
     */
    public Metrics(Collection<String> tools, Collection<String> teams, String currency) {
        this.currency = currency;
        registerTools(tools);
        for (String loop : BACKGROUND_LOOPS) {
            loopRegistered(loop);
        }
        unpricedCounter("none");
        for (String backend : CACHED_BACKENDS) {
            cacheCounter(backend, "hit");
            cacheCounter(backend, "miss");
        }
        for (String backend : BACKENDS) {
            gauge("trainops.backend.up", Tags.of("backend", backend), 0, "1 when the backend answered its last call.");
            gauge("trainops.backend.stale", Tags.of("backend", backend), 0, "1 when answers come from a cache the backend could not refresh.");
        }
        for (String p : PRIORITIES) {
            gauge("trainops.queue.depth", Tags.of("priority", p), 0, "Jobs waiting in the queue.");
            gauge("trainops.queue.oldest.wait", Tags.of("priority", p), 0, "Age of the oldest waiting job, seconds.");
            queueWait(p);
        }
        gauge("trainops.running.jobs", Tags.empty(), 0, "Jobs admitted and not ended.");
        gauge("trainops.leader", Tags.empty(), 0, "1 while this replica runs the control loops (it holds the Lease trainops-leader, "
                + "or its store is local), else 0.");
        for (String team : teams) {
            jobDuration(team, "SUCCEEDED");
            for (String event : List.of("admitted", "preempted", "failed", "succeeded")) {
                jobCounter(event, team);
            }
            usageCounters(team, "none", "PEAK");
            forecastCounters(team);
            gauge("trainops.budget.consumption", Tags.of("scope", team), 0, "Spent / limit of the current budget period.");
            gauge("trainops.budget.used", Tags.of("scope", team), 0,
                    "(Spent + committed) / limit of the current period: what the 70% warning and the 100% block count.");
            gauge("trainops.budget.forecast", Tags.of("scope", team), 0, "(Spent + committed + projected) / limit of the current period.");
        }
        // families whose series exist only while a run or job is active get a placeholder-free
        // zero series keyed "none", so the family is visible before the first run
        training("none", "none", "none", 0, 0, 0);
        jobGauges("none", "none", OptionalDouble.of(0), OptionalDouble.of(0), 0, 0);
        jobCostToCap("none", "none", 0);
        quotaUsage("none", "none", OptionalDouble.of(0));
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    private volatile BooleanSupplier leading = () -> true;

    /** The Prometheus text exposition format (0.0.4); without the {@link LeaderOnly#FAMILIES} on a replica that does not lead. */
    public String scrape() {
        String all = registry.scrape();
        return leading.getAsBoolean() ? all : LeaderOnly.without(all);
    }

    // --- tool calls -------------------------------------------------------------------------

    /** A latency series for each tool, from the start (zero calls). */
    public void registerTools(Collection<String> tools) {
        for (String tool : tools) {
            toolTimer(tool, "ok");
        }
    }

    public void toolCall(String tool, String outcome, long nanos) {
        toolTimer(tool, outcome).record(Duration.ofNanos(nanos));
    }

    private Timer toolTimer(String tool, String outcome) {
        return Timer.builder("trainops.tool.calls").description("Tool calls by tool and outcome (ok or the error code).")
                .tags("tool", tool, "outcome", outcome).serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
    }

    // --- backends -----------------------------------------------------------------------------

    public void cacheRequest(String backend, boolean hit) {
        cacheCounter(backend, hit ? "hit" : "miss").increment();
    }

    private Counter cacheCounter(String backend, String result) {
        return Counter.builder("trainops.cache.requests").description("Cached reads by backend: hit (a value was there) or miss.")
                .tags("backend", backend, "result", result).register(registry);
    }

    /** Reads a backend's state at every scrape. */
    public void backend(String backend, BooleanSupplier up, BooleanSupplier stale) {
        gauges.supply("trainops.backend.up", Tags.of("backend", backend), () -> up.getAsBoolean() ? 1 : 0);
        gauges.supply("trainops.backend.stale", Tags.of("backend", backend), () -> stale.getAsBoolean() ? 1 : 0);
    }

    /** Reads at every scrape whether this replica runs the control loops. */
    public void leader(BooleanSupplier leading) {
        this.leading = leading;
        gauges.supply("trainops.leader", Tags.empty(), () -> leading.getAsBoolean() ? 1 : 0);
    }

    // --- background loops ----------------------------------------------------------------------

    /** A loop's failure counter and last-success gauge, at zero until it runs. */
    public void loopRegistered(String loop) {
        loopFailures(loop);
        if (!gauges.contains("trainops.background.loop.last.success.timestamp", Tags.of("loop", loop))) {
            gauge("trainops.background.loop.last.success.timestamp", Tags.of("loop", loop), 0,
                    "When the loop last ran without failing, seconds since the epoch (0: not yet).");
        }
    }

    public void loopFailed(String loop) {
        loopFailures(loop).increment();
    }

    public void loopSucceeded(String loop, double epochSeconds) {
        set("trainops.background.loop.last.success.timestamp", Tags.of("loop", loop), epochSeconds);
    }

    private Counter loopFailures(String loop) {
        return Counter.builder("trainops.background.loop.failures").description("Passes of a background loop that failed, by loop.")
                .tags("loop", loop).register(registry);
    }

    /**
     * GPU time the ledger could not bill because the price list has no rate for its GPU type (a
     * running total per type; a smaller value is ignored).
     */
    public void unpricedGpuSeconds(String gpuType, double totalSeconds) {
        double[] t = unpricedCounter(gpuType);
        synchronized (t) {
            t[0] = Math.max(t[0], totalSeconds);
        }
    }

    private double[] unpricedCounter(String gpuType) {
        return unpriced.computeIfAbsent(gpuType, type -> {
            double[] t = new double[1];
            FunctionCounter.builder("trainops.unpriced.gpu", t, a -> a[0]).baseUnit("seconds")
                    .description("GPU time used on a GPU type the price list has no rate for, so not billed (GPU-seconds).")
                    .tags("gpu_type", type).register(registry);
            return t;
        });
    }

    // --- queue ----------------------------------------------------------------------------------

    public void queue(Map<String, Long> depthByPriority, Map<String, Duration> oldestWaitByPriority, int running) {
        for (String p : PRIORITIES) {
            set("trainops.queue.depth", Tags.of("priority", p), depthByPriority.getOrDefault(p, 0L));
            set("trainops.queue.oldest.wait", Tags.of("priority", p), oldestWaitByPriority.getOrDefault(p, Duration.ZERO).toMillis() / 1000.0);
        }
        set("trainops.running.jobs", Tags.empty(), running);
    }

    /** Per GPU type, the GPUs waiting jobs ask for that no node has room for (NO_CAPACITY), after a pass ({@link UnschedulableGpus}). */
    public void unschedulableGpus(Map<String, Integer> gpusByType) {
        unschedulable.set(gpusByType);
    }

    public void jobAdmitted(String team, String priority, Duration waited) {
        jobCounter("admitted", team).increment();
        queueWait(priority).record(waited.isNegative() ? Duration.ZERO : waited);
    }

    public void jobPreempted(String team) {
        jobCounter("preempted", team).increment();
    }

    /** A job ended: SUCCEEDED, FAILED or CANCELLED, after running {@code ran}. */
    public void jobEnded(String team, String state, Duration ran) {
        if (state.equals("FAILED")) {
            jobCounter("failed", team).increment();
        } else if (state.equals("SUCCEEDED")) {
            jobCounter("succeeded", team).increment();
        }
        jobDuration(team, state).record(ran.isNegative() ? Duration.ZERO : ran);
    }

    private Counter jobCounter(String event, String team) {
        return Counter.builder("trainops.jobs." + event).description("Jobs " + event + ", by team.").tags("team", team).register(registry);
    }

    private Timer queueWait(String priority) {
        return Timer.builder("trainops.queue.wait").description("Time from submission to admission, by priority.")
                .tags("priority", priority).serviceLevelObjectives(WAIT_BUCKETS).register(registry);
    }

    private Timer jobDuration(String team, String state) {
        return Timer.builder("trainops.job.duration").description("Run time of ended jobs, by team and final state.")
                .tags("team", team, "state", state).serviceLevelObjectives(DURATION_BUCKETS).register(registry);
    }

    // --- usage and money ---------------------------------------------------------------------

    /**
     * The ledger's running totals for one (team, experiment, rate class): GPU-seconds, CPU
     * core-seconds and cost in micro-units. Totals only grow; a smaller value is ignored.
     */
    public void usage(String team, String experiment, String rateClass, double gpuSeconds, double cpuSeconds, long costMicros) {
        double[] t = usageCounters(team, experiment, rateClass);
        synchronized (t) {
            t[0] = Math.max(t[0], gpuSeconds);
            t[1] = Math.max(t[1], cpuSeconds);
            t[2] = Math.max(t[2], costMicros / 1_000_000.0);
        }
    }

    private double[] usageCounters(String team, String experiment, String rateClass) {
        String k = team + "\u0000" + experiment + "\u0000" + rateClass;
        return usage.computeIfAbsent(k, x -> {
            double[] t = new double[3];
            Tags tags = Tags.of("team", team, "experiment", experiment, "rate_class", rateClass.toLowerCase(Locale.ROOT));
            FunctionCounter.builder("trainops.gpu.usage", t, a -> a[0]).baseUnit("seconds")
                    .description("GPU time billed (GPU-seconds; a MIG slice counts its share).").tags(tags).register(registry);
            FunctionCounter.builder("trainops.cpu.usage", t, a -> a[1]).baseUnit("seconds")
                    .description("CPU time billed (core-seconds).").tags(tags).register(registry);
            FunctionCounter.builder("trainops.cost", t, a -> a[2]).description("Cost billed, in the price list's currency.")
                    .tags(tags.and("currency", currency)).register(registry);
            return t;
        });
    }

    /**
     * A budget's ratios this period: spent, spent + committed (what get_budget_status's state and
     * the 70% warning count; BudgetAbove70Percent fires from 0.7), and the forecast.
     */
    public void budget(String scope, double consumption, double used, double forecast) {
        set("trainops.budget.consumption", Tags.of("scope", scope), consumption);
        set("trainops.budget.used", Tags.of("scope", scope), used);
        set("trainops.budget.forecast", Tags.of("scope", scope), forecast);
    }

    /** A finished job's estimate at submission against what the ledger billed. */
    public void forecastVsActual(String team, double forecast, double actual) {
        forecastCounters(team);
        Counter.builder("trainops.job.cost.forecast").tags("team", team, "currency", currency).register(registry).increment(forecast);
        Counter.builder("trainops.job.cost.actual").tags("team", team, "currency", currency).register(registry).increment(actual);
        if (forecast > 0) {
            forecastRatio(team).record(actual / forecast);
        }
    }

    private void forecastCounters(String team) {
        Counter.builder("trainops.job.cost.forecast").description("Estimated cost of finished jobs, at submission.")
                .tags("team", team, "currency", currency).register(registry);
        Counter.builder("trainops.job.cost.actual").description("Billed cost of finished jobs.")
                .tags("team", team, "currency", currency).register(registry);
        forecastRatio(team);
    }

    private DistributionSummary forecastRatio(String team) {
        return DistributionSummary.builder("trainops.job.cost.actual.to.forecast").baseUnit("ratio")
                .description("Billed / estimated cost of finished jobs.").tags("team", team).serviceLevelObjectives(RATIO_BUCKETS)
                .register(registry);
    }

    // --- training and running jobs -------------------------------------------------------------

    public void training(String run, String experiment, String team, double loss, double accuracy, double perplexity) {
        Tags tags = Tags.of("run", run, "experiment", experiment, "team", team);
        set("trainops.training.loss", tags, loss);
        set("trainops.training.accuracy", tags, accuracy);
        set("trainops.training.perplexity", tags, perplexity);
    }

    /** Removes the training gauges of runs not in {@code active}. */
    public void retainTraining(Set<String> active) {
        retain(List.of("trainops.training.loss", "trainops.training.accuracy", "trainops.training.perplexity"), "run", active);
    }

    /**
     * A running job's gauges. Utilisation and memory that no source knows (no DCGM series for its
     * node, no sandbox) are no series at all, never 0: a 0 would read as an idle GPU and fire
     * TrainingJobLowGpuUtilization for every job on a cluster without DCGM (docs/monitoring.md).
     */
    public void jobGauges(String jobId, String team, OptionalDouble gpuUtilization, OptionalDouble gpuMemory, double elapsedSeconds,
                          double expectedSeconds) {
        Tags tags = Tags.of("job_id", jobId, "team", team);
        setOrClear("trainops.job.gpu.utilization", tags, gpuUtilization);
        setOrClear("trainops.job.gpu.memory", tags, gpuMemory);
        set("trainops.job.elapsed", tags, elapsedSeconds);
        set("trainops.job.expected", tags, expectedSeconds);
    }

    /**
     * A running job's accrued cost over its max_cost (0-1, and above once it overshoots before the
     * stop); jobs without a cap have no series. TrainingJobNearMaxCost fires from 0.8.
     */
    public void jobCostToCap(String jobId, String team, double ratio) {
        set("trainops.job.cost.to.cap", Tags.of("job_id", jobId, "team", team), ratio);
    }

    /** Keeps the per-job gauges of {@code running} only: a job that ended drops out. */
    public void retainJobs(Set<String> running) {
        retain(List.of("trainops.job.gpu.utilization", "trainops.job.gpu.memory", "trainops.job.elapsed", "trainops.job.expected",
                "trainops.job.cost.to.cap"), "job_id", running);
    }

    /**
     * A team's use of one quota resource over its limit ({@code gpu}, {@code cpu}, {@code memory_gib},
     * as check_training_quota names them); a resource without a limit has no series.
     * TeamQuotaAbove80Percent fires from 0.8.
     */
    public void quotaUsage(String team, String resource, OptionalDouble ratio) {
        setOrClear("trainops.quota.usage", Tags.of("team", team, "resource", resource), ratio);
    }

    private void gauge(String name, Tags tags, double initial, String description) {
        gauges.register(name, tags, initial, description);
    }

    private void set(String name, Tags tags, double value) {
        gauges.set(name, tags, value);
    }

    private void setOrClear(String name, Tags tags, OptionalDouble value) {
        gauges.setOrClear(name, tags, value);
    }

    private void retain(List<String> names, String label, Set<String> keep) {
        gauges.retain(names, label, keep);
    }
}

package dev.trainops.app;

import dev.trainops.budget.BudgetService;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.compare.AccuracyGain;
import dev.trainops.compare.ConfigComparer;
import dev.trainops.cost.PriceBook;
import dev.trainops.forecast.ForecastService;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.gpu.GpuTools;
import dev.trainops.monitor.HealthService;
import dev.trainops.monitor.Metrics;
import dev.trainops.monitor.UtilizationReports;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.QueuedJob;
import dev.trainops.recommend.CostRecommender;
import dev.trainops.recommend.JobContext;
import dev.trainops.recommend.JobGpuUsage;
import dev.trainops.report.CostReports;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tool catalog MCP and the agent share: every tool and resource, each bound to the module
 * that serves it. A tool whose backend is still starting waits for it, bounded, and answers
 * UPSTREAM_UNAVAILABLE when it is not there in time.
 */
final class CatalogModule {
    private CatalogModule() {
    }

    static ToolCatalog catalog(List<String> teams, ClusterModule cluster, HistoryModule history, CostModule cost, QueueModule queue,
                               MonitoringModule monitoring, Metrics metrics, Gates gates,
                               Optional<java.util.function.Supplier<dev.trainops.registry.ModelService>> models) {
        Clock clock = cluster.clock;
        PriceBook prices = cost.prices();
        List<Tool<?, ?>> tools = new ArrayList<>();
        tools.add(GpuTools.getGpuAvailability(cluster.inventory));
        tools.add(BudgetService.tool(() -> cost.await().budgets()));
        tools.add(CostReports.tool(() -> new CostReports(cost.await().ledger(), prices.currency(),
                // trainops's own jobs log no accuracy: only a history with metrics is asked
                runName -> history.metrics ? accuracyOf(history.runs.get(), runName) : Optional.empty(),
                cost.await().budgets()::peek)));
        tools.add(ForecastService.tool(() -> new ForecastService(ForecastService.knowingJobs(history.runs.get(),
                id -> queue.find(id).map(j -> new ForecastService.JobRef(j.runName(), j.model(), j.team()))), prices, queue.footprints(),
                cost.await().budgets()::peek, clock)));
        tools.add(ConfigComparer.tool(() -> new ConfigComparer(history.runs.get(), prices, queue.footprints(), clock)));
        JobGpuUsage outside = cluster.prometheus == null ? JobGpuUsage.NONE : new dev.trainops.prometheus.DcgmJobGpuUsage(cluster.prometheus);
        tools.add(CostRecommender.tool(() -> new CostRecommender(history.evidence.get(), prices, queue.footprints(), jobContexts(queue), clock, outside)));
        tools.addAll(JobQueue.tools(() -> queue.await().jobs()));
        tools.add(HealthService.tool(monitoring::health));
        tools.add(UtilizationReports.tool(monitoring::utilizationReports));
        // the registry tools only where there is a registry: MLflow's, or the sandbox's embedded one
        models.ifPresent(m -> tools.addAll(dev.trainops.registry.ModelService.tools(m)));
        tools.add(dev.trainops.audit.AuditLog.tool(() -> cost.await().audit()));
        if (gates.readOnly()) {
            // --read-only: MCP and the agent see only the tools that change nothing
            tools.removeIf(t -> !t.hints().readOnly());
        }
        return new ToolCatalog(tools, resources(prices, clock), metrics::toolCall, CompletionSources.of(teams, history, cost, queue, models, clock),
                // --read-only writes nothing, the audit log included (its store is opened read-only)
                new ToolCatalog.Guards(gates.limiter(), gates.readOnly() ? dev.trainops.audit.AuditTrail.NONE : cost.auditTrail(), clock));
    }

    private static List<CatalogResource> resources(PriceBook prices, Clock clock) {
        return List.of(new CatalogResource("trainops://gpus", "GPU availability",
                        "The live GPU inventory (get_gpu_availability with no filters) as JSON.", "get_gpu_availability", Map.of()),
                new CatalogResource("trainops://queue", "Job queue",
                        "Every job queued, running or ended in the last 24 h (get_job_queue_status with no filters) as JSON.",
                        "get_job_queue_status", Map.of()),
                CatalogResource.ofContent("trainops://pricing", "Price list",
                        "The price list in force (GPU, CPU and memory rates, the off-peak windows and discount, spot discount and "
                                + "interruption rate) and every version, as JSON.",
                        () -> {
                            Map<String, Object> out = new LinkedHashMap<>();
                            out.put("currency", prices.currency().getCurrencyCode());
                            out.put("current", prices.current(clock.instant()));
                            out.put("versions", prices.versions());
                            return out;
                        }),
                new CatalogResource(dev.trainops.queue.JobEvent.RESOURCE_PREFIX + "{job_id}", "Training job",
                        "One job (get_job_queue_status with job_id) as JSON: state, reason, cost so far and, from 80% of its max_cost, "
                                + "a warning. Subscribable: notifications/resources/updated on every state change and at 80% and 100% of "
                                + "its max_cost.", "get_job_queue_status", vars -> Map.of("job_id", vars.get("job_id")), null),
                new CatalogResource("trainops://budgets/{team}", "Team budget",
                        "A team's budget for the current period (get_budget_status with scope=team) as JSON.", "get_budget_status",
                        vars -> Map.of("scope", vars.get("team")), null),
                new CatalogResource("trainops://reports/cost/{month}", "Monthly cost report",
                        "The cost report of a month, YYYY-MM (generate_cost_report from its first day to the next month's, by team) as JSON.",
                        "generate_cost_report", vars -> monthReport(vars.get("month")), null));
    }

    /** generate_cost_report's arguments for a month given as YYYY-MM. */
    static Map<String, Object> monthReport(String month) {
        YearMonth m;
        try {
            m = YearMonth.parse(month);
        } catch (DateTimeParseException e) {
            throw ToolException.invalidArgument("month", "The month in trainops://reports/cost/{month} must be YYYY-MM, got "
                    + dev.trainops.catalog.Json.shorten(month) + ".", "For example trainops://reports/cost/2026-11.");
        }
        return Map.of("start_date", m.atDay(1).toString(), "end_date", m.plusMonths(1).atDay(1).toString(), "group_by", "team");
    }

    /** What a run gained in accuracy over its whole history (cost per accuracy point in reports). */
    private static Optional<AccuracyGain> accuracyOf(RunHistorySource history, String runName) {
        return history.find(runName).runs().stream().filter(r -> r.runName().equals(runName)).findFirst()
                .map(r -> AccuracyGain.of(r.accuracyMetric(), r.param("baseline_accuracy", null), Long.MAX_VALUE));
    }

    /** What the queue knows of the job behind a run, for the recommender (empty until the queue is open). */
    private static JobContext.Lookup jobContexts(QueueModule queue) {
        return new JobContext.Lookup() {
            @Override
            public Optional<JobContext> byRunName(String runName) {
                return queue.latestByRunName(runName).map(CatalogModule::context);
            }

            @Override
            public Optional<JobContext> byJobId(String jobId) {
                return queue.find(jobId).map(CatalogModule::context);
            }
        };
    }

    private static JobContext context(QueuedJob j) {
        return new JobContext(j.jobId(), j.runName(), j.model(), j.team(), j.priority().name(), j.gpuType(), j.gpuCount(), j.epochs(),
                j.batchSize(), j.spot(), j.notBefore(), j.state().name(), j.params());
    }
}

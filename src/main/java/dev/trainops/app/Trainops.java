package dev.trainops.app;

import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.app.sandbox.SandboxRunEvidence;
import dev.trainops.app.sandbox.SandboxRunHistory;
import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetAlarms;
import dev.trainops.budget.BudgetService;
import dev.trainops.budget.BudgetsConfig;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.compare.ConfigComparer;
import dev.trainops.compare.HistoryEstimator;
import dev.trainops.queue.Estimator;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobState;
import dev.trainops.queue.PriorityConfig;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QuotaConfig;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.forecast.ForecastService;
import dev.trainops.forecast.MlflowRunHistory;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.monitor.AlertStore;
import dev.trainops.monitor.DcgmJobUtilization;
import dev.trainops.monitor.HealthService;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.monitor.JobUtilizationSource;
import dev.trainops.monitor.Metrics;
import dev.trainops.monitor.MonitorCollector;
import dev.trainops.monitor.QueueMetrics;
import dev.trainops.monitor.RunMetricsUtilization;
import dev.trainops.monitor.TrainingPoller;
import dev.trainops.monitor.UtilizationReports;
import dev.trainops.prometheus.DcgmUtilization;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.recommend.CostRecommender;
import dev.trainops.server.MonitoringEndpoints;
import dev.trainops.recommend.JobContext;
import dev.trainops.recommend.MlflowRunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import dev.trainops.report.CostReports;
import dev.trainops.store.Store;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.gpu.GpuTools;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.server.Readiness;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: every backend and capability is constructed here, once, and handed to
 * what needs it. Nothing else news up a backend; no statics hold state.
 */
public final class Trainops implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Trainops.class);
    /** How long the first inventory call waits for the initial sync before it answers UPSTREAM_UNAVAILABLE. */
    static final Duration INITIAL_SYNC_WAIT = Duration.ofSeconds(15);

    /** What the CLI decides; everything else is derived. */
    public record Settings(Path configDir, Path dataDir, boolean sandbox, double sandboxSpeed) {
    }

    private final Settings settings;
    private final CompletableFuture<CostStack> cost;
    private final ScheduledExecutorService background = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "usage-recorder");
        t.setDaemon(true);
        return t;
    });
    private final Clock clock;
    private final SandboxCluster sandbox;
    private final CompletableFuture<KubernetesClient> kube;
    private final ClusterIndex index;
    private final ToolCatalog catalog;
    private final CompletableFuture<QueueStack> queue;
    private final java.util.function.Supplier<RunHistorySource> history;
    private final GpuUtilization utilization;
    private final GpuInventory inventory;
    private final Monitoring monitoring;
    private final ScheduledExecutorService admission = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "admission");
        t.setDaemon(true);
        return t;
    });

    private Trainops(Settings settings, Clock clock, SandboxCluster sandbox, CompletableFuture<KubernetesClient> kube,
                     ClusterIndex index, CompletableFuture<CostStack> cost, ToolCatalog catalog, CompletableFuture<QueueStack> queue,
                     java.util.function.Supplier<RunHistorySource> history, GpuUtilization utilization, GpuInventory inventory,
                     Monitoring monitoring) {
        this.monitoring = monitoring;
        this.inventory = inventory;
        this.queue = queue;
        this.history = history;
        this.utilization = utilization;
        this.settings = settings;
        this.cost = cost;
        this.clock = clock;
        this.sandbox = sandbox;
        this.kube = kube;
        this.index = index;
        this.catalog = catalog;
    }

    /** Wires everything; nothing connects until {@link #connect()}. */
    public static Trainops create(Settings settings) throws Exception {
        Files.createDirectories(settings.dataDir());
        if (!Files.isDirectory(settings.configDir())) {
            throw new IllegalArgumentException("Config directory " + settings.configDir() + " does not exist; pass --config-dir "
                    + "pointing at trainops's config/ folder.");
        }
        SandboxCluster sandbox = null;
        Clock clock;
        GpuUtilization utilization = GpuUtilization.UNKNOWN;
        CompletableFuture<KubernetesClient> kube;
        if (settings.sandbox()) {
            sandbox = new SandboxCluster(settings.configDir(), settings.dataDir(), settings.sandboxSpeed(), Clock.systemUTC());
            clock = sandbox.clock();
            utilization = sandbox.utilization();
            kube = sandbox.seeded();
        } else {
            clock = Clock.systemUTC();
            kube = new CompletableFuture<>();
        }
        // GPU utilisation: DCGM through Prometheus when PROMETHEUS_URL is set (it wins in the sandbox too)
        DcgmUtilization dcgm = null;
        PrometheusClient prometheus = null;
        java.util.Optional<PrometheusClient.Config> prometheusConfig = PrometheusClient.Config.fromEnvironment(System.getenv());
        if (prometheusConfig.isPresent()) {
            prometheus = new PrometheusClient(prometheusConfig.get());
            dcgm = new DcgmUtilization(prometheus, clock);
            utilization = dcgm;
        }
        ClusterIndex index = new ClusterIndex(clock);
        kube.thenAccept(index::start).exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.error("cannot connect to Kubernetes: {}", cause.getMessage());
            index.connectFailed(cause.getMessage());
            return null;
        });
        GpuInventory inventory = new GpuInventory(index, utilization, clock, INITIAL_SYNC_WAIT);
        CompletableFuture<CostStack> cost = new CompletableFuture<>();
        List<Tool<?, ?>> tools = new ArrayList<>();
        tools.add(GpuTools.getGpuAvailability(inventory));
        tools.add(BudgetService.tool(() -> await(cost, "the cost store").budgets()));
        // Run history: MLflow when MLFLOW_TRACKING_URI is set (it wins in the sandbox too), else the
        // sandbox's run store; with neither there is no history, so no forecast or comparison tool.
        java.util.function.Supplier<RunHistorySource> history = null;
        java.util.function.Supplier<RunEvidenceSource> evidence = null;
        MlflowReader mlflowReader = null;
        java.util.Optional<MlflowClient.Config> mlflowConfig = MlflowClient.Config.fromEnvironment(System.getenv());
        if (mlflowConfig.isPresent()) {
            MlflowClient mlflow = new MlflowClient(mlflowConfig.get());
            MlflowReader reader = new MlflowReader(mlflow, clock, Duration.ofMinutes(1), com.github.benmanes.caffeine.cache.Ticker.systemTicker(),
                    java.util.concurrent.ForkJoinPool.commonPool());
            mlflowReader = reader;
            RunHistorySource fromMlflow = new MlflowRunHistory(reader);
            history = () -> fromMlflow;
            RunEvidenceSource evidenceFromMlflow = new MlflowRunEvidence(reader);
            evidence = () -> evidenceFromMlflow;
        } else if (sandbox != null) {
            SandboxCluster sb = sandbox;
            RunHistorySource fromSandbox = new SandboxRunHistory(sb::runs);
            history = () -> {
                await(sb.seeded(), "the sandbox run history");
                return fromSandbox;
            };
            RunEvidenceSource evidenceFromSandbox = new SandboxRunEvidence(sb::runs);
            evidence = () -> {
                await(sb.seeded(), "the sandbox run history");
                return evidenceFromSandbox;
            };
        }
        java.util.function.Supplier<RunHistorySource> runs = history;
        CompletableFuture<QueueStack> queue = new CompletableFuture<>();
        tools.add(CostReports.tool(() -> {
            CostStack stack = await(cost, "the cost store");
            return new CostReports(stack.ledger(), stack.prices().currency(),
                    runName -> runs == null ? java.util.Optional.empty() : accuracyOf(runs.get(), runName), stack.budgets()::peek);
        }));
        if (runs != null) {
            tools.add(ForecastService.tool(() -> forecasts(new dev.trainops.forecast.JobAwareHistory(runs.get(), id -> queued(queue, id)),
                    await(cost, "the cost store"), clock)));
            tools.add(ConfigComparer.tool(() -> new ConfigComparer(runs.get(), await(cost, "the cost store").prices(), clock)));
            java.util.function.Supplier<RunEvidenceSource> evidenceSource = evidence;
            dev.trainops.recommend.JobGpuUsage outside = prometheus == null ? dev.trainops.recommend.JobGpuUsage.NONE
                    : new dev.trainops.prometheus.DcgmJobGpuUsage(prometheus);
            tools.add(CostRecommender.tool(() -> new CostRecommender(evidenceSource.get(), await(cost, "the cost store").prices(),
                    jobContexts(queue), clock, outside)));
        }
        tools.addAll(JobQueue.tools(() -> await(queue, "the job queue").jobs()));
        GpuUtilization util = utilization;
        java.util.function.Supplier<List<HealthStatus.Backend>> backends = backends(index, mlflowReader, cost, dcgm);
        tools.add(HealthService.tool(() -> new HealthService(await(cost, "the store").alerts(), queueStoreIfOpen(queue), util, backends, clock)));
        List<JobUtilizationSource> utilizationSources = new ArrayList<>();
        if (prometheus != null) {
            utilizationSources.add(new DcgmJobUtilization(prometheus));
        }
        if (evidence != null) {
            utilizationSources.add(new RunMetricsUtilization(evidence));
        }
        tools.add(UtilizationReports.tool(() -> new UtilizationReports(await(cost, "the cost store").ledger(), utilizationSources, clock)));
        Metrics metrics = new Metrics(tools.stream().map(Tool::name).toList(), configuredTeams(settings.configDir()),
                currencyOf(settings.configDir()));
        for (HealthStatus.Backend b : List.of(new HealthStatus.Backend("kubernetes", false, false, ""),
                new HealthStatus.Backend("mlflow", false, false, ""), new HealthStatus.Backend("store", false, false, ""),
                new HealthStatus.Backend("prometheus", false, false, ""))) {
            metrics.backend(b.name(), () -> backends.get().stream().anyMatch(x -> x.name().equals(b.name()) && x.up()),
                    () -> backends.get().stream().anyMatch(x -> x.name().equals(b.name()) && x.stale()));
        }
        if (mlflowReader != null) {
            mlflowReader.onRead(hit -> metrics.cacheRequest("mlflow", hit));
        }
        inventory.onRead(hit -> metrics.cacheRequest("kubernetes", hit));
        Monitoring monitoring = new Monitoring(metrics, dcgm, evidence);
        List<CatalogResource> resources = List.of(new CatalogResource("trainops://gpus", "GPU availability",
                "The live GPU inventory (get_gpu_availability with no filters) as JSON.", "get_gpu_availability", Map.of()),
                new CatalogResource("trainops://queue", "Job queue",
                        "Every job queued, running or ended in the last 24 h (get_job_queue_status with no filters) as JSON.",
                        "get_job_queue_status", Map.of()),
                CatalogResource.ofContent("trainops://pricing", "Price list",
                        "The price list in force (GPU, CPU and memory rates, the off-peak windows and discount, spot discount and "
                                + "interruption rate) and every version, as JSON.",
                        () -> {
                            PriceBook book = await(cost, "the cost store").prices();
                            Map<String, Object> out = new java.util.LinkedHashMap<>();
                            out.put("currency", book.currency().getCurrencyCode());
                            out.put("current", book.current(clock.instant()));
                            out.put("versions", book.versions());
                            return out;
                        }),
                new CatalogResource("trainops://budgets/{team}", "Team budget",
                        "A team's budget for the current period (get_budget_status with scope=team) as JSON.", "get_budget_status",
                        vars -> Map.of("scope", vars.get("team")), null),
                new CatalogResource("trainops://reports/cost/{month}", "Monthly cost report",
                        "The cost report of a month, YYYY-MM (generate_cost_report from its first day to the next month's, by team) as JSON.",
                        "generate_cost_report", vars -> monthReport(vars.get("month")), null));
        return new Trainops(settings, clock, sandbox, kube, index, cost, new ToolCatalog(tools, resources, metrics::toolCall), queue, runs,
                utilization, inventory, monitoring);
    }

    /**
     * Connects the backends, in the background: call it once the MCP server is listening, so the
     * class loading and I/O of the Kubernetes client (or the sandbox) never delay {@code initialize}.
     */
    public void connect() {
        // The store opens a moment later: on two cores, Flyway and the SQLite native library would
        // otherwise compete with the first initialize and tools/list for the CPU.
        background.schedule(this::openCostStack, 2, TimeUnit.SECONDS);
        if (monitoring.dcgm() != null) {
            background.scheduleWithFixedDelay(() -> guarded("DCGM refresh", monitoring.dcgm()::refresh), 0, 15, TimeUnit.SECONDS);
        }
        if (sandbox != null) {
            sandbox.start();
            return;
        }
        Thread connector = new Thread(() -> {
            try {
                KubernetesClient client = new KubernetesClientBuilder().build();
                log.info("watching the Kubernetes API at {}", client.getConfiguration().getMasterUrl());
                kube.complete(client);
            } catch (RuntimeException e) {
                kube.completeExceptionally(e);
            }
        }, "kube-connect");
        connector.setDaemon(true);
        connector.start();
    }

    /** The durable queue, its admission loop and the tools' service. */
    record QueueStack(QueueStore store, JobQueue jobs) {
    }

    /** The store, the price book, the ledger and budgets, and a recorder that bills usage every 15 s. */
    record CostStack(Store store, PriceBook prices, Ledger ledger, UsageRecorder recorder, BudgetService budgets, AlertStore alerts) {
    }

    private void openCostStack() {
        try {
            String url = System.getenv("TRAINOPS_DB_URL");
            Store store = url == null || url.isBlank() ? Store.sqlite(settings.dataDir())
                    : Store.open(url, System.getenv("TRAINOPS_DB_USER"), System.getenv("TRAINOPS_DB_PASSWORD"));
            PriceBook prices = PricingConfig.load(settings.configDir().resolve("pricing.yaml"));
            List<Budget> budgets = BudgetsConfig.load(settings.configDir().resolve("budgets.yaml"));
            Ledger ledger = new Ledger(store, prices, clock);
            ClusterUsage usage = new ClusterUsage(index);
            UsageRecorder recorder = new UsageRecorder(usage, ledger, clock);
            QueueStore queueStore = new QueueStore(store, clock);
            BudgetService budgetService = new BudgetService(budgets, ledger, prices, usage,
                    (b, p) -> Money.micros(JobQueue.committedMicros(queueStore.read(c -> queueStore.inStates(c, JobState.SCHEDULED,
                            JobState.RUNNING)), j -> b.kind() == Budget.Kind.TEAM ? j.team().equals(b.scope()) : j.experiment().equals(b.scope()),
                            clock.instant()), prices.currency()), new BudgetAlarms(store, clock), clock);
            CostStack stack = new CostStack(store, prices, ledger, recorder, budgetService, new AlertStore(store, clock));
            cost.complete(stack);
            kube.thenAcceptAsync(client -> openQueue(client, stack, queueStore), admission);
            background.scheduleWithFixedDelay(() -> {
                try {
                    if (index.synced()) {
                        recorder.recordOnce();
                    }
                } catch (RuntimeException e) {
                    log.warn("usage recording failed: {}", e.getMessage());
                }
            }, 0, 15, TimeUnit.SECONDS);
            MonitorCollector collector = new MonitorCollector(monitoring.metrics(), ledger, budgetService, queueStore, utilization, clock);
            background.scheduleWithFixedDelay(() -> guarded("metrics collection", collector::collect), 1, 15, TimeUnit.SECONDS);
            if (monitoring.runs() != null) {
                TrainingPoller poller = new TrainingPoller(monitoring.metrics(), queueStore, monitoring.runs());
                background.scheduleWithFixedDelay(() -> guarded("training metrics", poller::poll), 5, 60, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            log.error("cannot open the cost store: {}", e.getMessage());
            cost.completeExceptionally(e);
        }
    }

    /** The queue: PriorityClasses, the scheduler and its admission loop every 2 s. */
    private void openQueue(KubernetesClient client, CostStack stack, QueueStore queueStore) {
        try {
            // the index starts from the same future; admission and submissions need it synced
            if (!index.awaitSynced(INITIAL_SYNC_WAIT)) {
                log.warn("the Kubernetes inventory is not synced yet; the queue starts anyway and waits for it");
            }
            PriorityConfig priorities = Files.exists(settings.configDir().resolve("priorities.yaml"))
                    ? PriorityConfig.load(settings.configDir().resolve("priorities.yaml")) : PriorityConfig.defaults();
            QuotaConfig quotas = Files.exists(settings.configDir().resolve("quotas.yaml"))
                    ? QuotaConfig.load(settings.configDir().resolve("quotas.yaml")) : QuotaConfig.defaults();
            try {
                JobQueue.ensurePriorityClasses(client, priorities).forEach(line -> log.info("{}", line));
            } catch (RuntimeException e) {
                log.warn("cannot create or check the PriorityClasses (jobs still get their names): {}", e.getMessage());
            }
            Estimator estimator = history == null ? (m, e, b, t, g, s, at) -> java.util.Optional.empty()
                    : (m, e, b, t, g, s, at) -> new HistoryEstimator(new ConfigComparer(history.get(), stack.prices(), clock))
                            .estimate(m, e, b, t, g, s, at);
            JobQueue jobs = new JobQueue(queueStore, index, JobQueue.kubernetes(client, priorities, quotas), priorities, quotas,
                    stack.budgets()::peek, utilization, stack.prices(), clock, estimator, new QueueMetrics(monitoring.metrics()));
            inventory.attachQueue(queuedDemand(queueStore));
            queue.complete(new QueueStack(queueStore, jobs));
            admission.scheduleWithFixedDelay(() -> {
                try {
                    if (index.synced()) {
                        jobs.pass();
                    }
                } catch (RuntimeException e) {
                    log.warn("admission pass failed: {}", e.getMessage());
                }
            }, 0, 2, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.error("cannot open the job queue: {}", e.getMessage());
            queue.completeExceptionally(e);
        }
    }

    /** generate_cost_report's arguments for a month given as YYYY-MM. */
    static Map<String, Object> monthReport(String month) {
        java.time.YearMonth m;
        try {
            m = java.time.YearMonth.parse(month);
        } catch (java.time.format.DateTimeParseException e) {
            throw ToolException.invalidArgument("month", "The month in trainops://reports/cost/{month} must be YYYY-MM, got "
                    + dev.trainops.catalog.Json.shorten(month) + ".", "For example trainops://reports/cost/2026-11.");
        }
        return Map.of("start_date", m.atDay(1).toString(), "end_date", m.plusMonths(1).atDay(1).toString(), "group_by", "team");
    }

    /** The metrics, DCGM and the run source, for the monitoring side. */
    record Monitoring(Metrics metrics, DcgmUtilization dcgm, java.util.function.Supplier<RunEvidenceSource> runs) {
    }

    /** {@code GET /metrics} and {@code POST /alerts/webhook} for the HTTP transport or --metrics-port. */
    public MonitoringEndpoints monitoringEndpoints() {
        return new MonitoringEndpoints(monitoring.metrics()::scrape, body -> {
            AlertStore.Received r = await(cost, "the store").alerts().receive(body);
            return "{\"status\":\"ok\",\"alerts\":" + r.alerts() + ",\"firing\":" + r.firing() + ",\"resolved\":" + r.resolved()
                    + ",\"ignored\":" + r.ignored() + "}";
        });
    }

    public Metrics metrics() {
        return monitoring.metrics();
    }

    private static void guarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("{} failed: {}", what, e.getMessage());
        }
    }

    /** Each backend trainops uses, up or not, stale or not. */
    private static java.util.function.Supplier<List<HealthStatus.Backend>> backends(ClusterIndex index, MlflowReader mlflow,
                                                                                      CompletableFuture<CostStack> cost, DcgmUtilization dcgm) {
        return () -> {
            List<HealthStatus.Backend> out = new ArrayList<>();
            ClusterIndex.Freshness f = index.freshness();
            out.add(new HealthStatus.Backend("kubernetes", f.synced() && !f.stale(), f.stale(),
                    !f.synced() ? "not synced yet" : f.stale() ? "serving the inventory as of " + f.asOf() + ": " + f.reason() : "watching"));
            if (mlflow != null) {
                out.add(new HealthStatus.Backend("mlflow", mlflow.healthy(), !mlflow.healthy(), mlflow.healthy() ? "answering"
                        : "a refresh failed; answers come from the cache"));
            }
            boolean storeUp = cost.isDone() && !cost.isCompletedExceptionally();
            out.add(new HealthStatus.Backend("store", storeUp, false, storeUp ? "open" : cost.isDone() ? "could not be opened" : "opening"));
            if (dcgm != null) {
                out.add(new HealthStatus.Backend("prometheus", dcgm.up(), dcgm.stale(), dcgm.up() ? "DCGM series read"
                        : dcgm.stale() ? "did not answer; utilisation is from the last read" : "no answer yet"));
            }
            return out;
        };
    }

    private static QueueStore queueStoreIfOpen(CompletableFuture<QueueStack> queue) {
        QueueStack q = queue.getNow(null);
        return q == null ? null : q.store();
    }

    /** Teams in budgets.yaml and quotas.yaml, so their metric series exist from the start. */
    private static List<String> configuredTeams(java.nio.file.Path configDir) {
        java.util.Set<String> teams = new java.util.TreeSet<>();
        try {
            for (Budget b : BudgetsConfig.load(configDir.resolve("budgets.yaml"))) {
                if (b.kind() == Budget.Kind.TEAM) {
                    teams.add(b.scope());
                }
            }
        } catch (Exception e) {
            log.debug("budgets for metrics: {}", e.getMessage());
        }
        try {
            if (Files.exists(configDir.resolve("quotas.yaml"))) {
                teams.addAll(QuotaConfig.load(configDir.resolve("quotas.yaml")).teams().keySet());
            }
        } catch (Exception e) {
            log.debug("quotas for metrics: {}", e.getMessage());
        }
        return List.copyOf(teams);
    }

    private static String currencyOf(java.nio.file.Path configDir) {
        try {
            return PricingConfig.load(configDir.resolve("pricing.yaml")).currency().getCurrencyCode();
        } catch (Exception e) {
            return "USD";
        }
    }

    /** A queued or running job by id, for forecasts; empty while the queue is still opening. */
    private static java.util.Optional<dev.trainops.forecast.JobAwareHistory.JobRef> queued(CompletableFuture<QueueStack> queue, String id) {
        QueueStack q = queue.getNow(null);
        if (q == null) {
            return java.util.Optional.empty();
        }
        return q.store().read(c -> q.store().find(c, id)).map(j -> new dev.trainops.forecast.JobAwareHistory.JobRef(j.runName(), j.model()));
    }

    /** What the queue knows of the job behind a run, for the recommender (empty until the queue is open). */
    private static JobContext.Lookup jobContexts(CompletableFuture<QueueStack> queue) {
        return new JobContext.Lookup() {
            @Override
            public java.util.Optional<JobContext> byRunName(String runName) {
                QueueStack q = queue.getNow(null);
                return q == null ? java.util.Optional.empty() : q.store().read(c -> q.store().latestByRunName(c, runName)).map(Trainops::context);
            }

            @Override
            public java.util.Optional<JobContext> byJobId(String jobId) {
                QueueStack q = queue.getNow(null);
                return q == null ? java.util.Optional.empty() : q.store().read(c -> q.store().find(c, jobId)).map(Trainops::context);
            }
        };
    }

    private static JobContext context(dev.trainops.queue.QueuedJob j) {
        return new JobContext(j.jobId(), j.runName(), j.model(), j.team(), j.priority().name(), j.gpuType(), j.gpuCount(), j.epochs(),
                j.batchSize(), j.spot(), j.notBefore(), j.state().name(), j.params());
    }

    /** The queue's waiting jobs for the GPU inventory, read at most once a second. */
    private static java.util.function.Supplier<List<GpuInventory.QueuedDemand>> queuedDemand(QueueStore store) {
        java.util.concurrent.atomic.AtomicReference<Object[]> cached = new java.util.concurrent.atomic.AtomicReference<>();
        return () -> {
            Object[] c = cached.get();
            long now = System.nanoTime();
            if (c != null && now - (long) c[0] < 1_000_000_000L) {
                @SuppressWarnings("unchecked")
                List<GpuInventory.QueuedDemand> hit = (List<GpuInventory.QueuedDemand>) c[1];
                return hit;
            }
            List<GpuInventory.QueuedDemand> fresh = store.read(conn -> store.inStates(conn, JobState.QUEUED)).stream()
                    .map(j -> new GpuInventory.QueuedDemand(j.team(), j.gpuType(), j.gpuCount())).toList();
            cached.set(new Object[] {now, fresh});
            return fresh;
        };
    }

    /** What a run gained in accuracy over its whole history (cost per accuracy point in reports). */
    private static java.util.Optional<dev.trainops.compare.AccuracyGain> accuracyOf(RunHistorySource history, String runName) {
        return history.find(runName).runs().stream().filter(r -> r.runName().equals(runName)).findFirst()
                .map(r -> dev.trainops.compare.AccuracyGain.of(r.accuracyMetric(), r.param("baseline_accuracy", null), Long.MAX_VALUE));
    }

    private static ForecastService forecasts(RunHistorySource history, CostStack stack, Clock clock) {
        return new ForecastService(history, stack.prices(), stack.budgets()::peek, clock);
    }

    /** Waits, bounded, for a backend that starts in the background; UPSTREAM_UNAVAILABLE when it cannot. */
    static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(INITIAL_SYNC_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, what + " is still starting.", "Retry in a few seconds.");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, what + " could not be opened: " + e.getCause().getMessage(),
                    "Check TRAINOPS_DB_URL (or the --data-dir) and config/pricing.yaml and config/budgets.yaml, then restart.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "interrupted", "Retry.");
        }
    }

    public ToolCatalog catalog() {
        return catalog;
    }

    public Clock clock() {
        return clock;
    }

    public Readiness readiness() {
        ClusterIndex.Freshness f = index.freshness();
        if (!f.synced()) {
            return new Readiness(false, "Kubernetes inventory not synced yet");
        }
        return new Readiness(true, f.stale() ? "serving stale inventory: " + f.reason() : "ok");
    }

    @Override
    public void close() {
        admission.shutdownNow();
        background.shutdownNow();
        index.close();
        if (sandbox != null) {
            sandbox.close();
        } else {
            kube.thenAccept(KubernetesClient::close);
        }
    }
}

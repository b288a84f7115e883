package dev.trainops.app;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.monitor.Metrics;
import dev.trainops.server.MonitoringEndpoints;
import dev.trainops.server.Readiness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The composition root: the configuration, read once, then one module per capability, each handed
 * what it needs. Nothing else news up a backend; no statics hold state (docs/architecture.md,
 * "Modules"). {@link #create} only wires; {@link #connect()} starts the cluster, the store and the
 * background loops, in the background, so the MCP server answers {@code initialize} meanwhile;
 * {@link #close()} stops the loops, then the store, then the informers and the client.
 */
public final class Trainops implements AutoCloseable {
    /** How long a tool waits for a backend that is still starting before it answers UPSTREAM_UNAVAILABLE. */
    static final Duration INITIAL_SYNC_WAIT = ClusterModule.INITIAL_SYNC_WAIT;

    /**
     * What the CLI decides; everything else is derived.
     *
     * @param kubeImpersonate    {@code serve --kube-impersonate}: Kubernetes calls made on a caller's behalf impersonate them (rule 9)
     * @param controllers        {@code --controllers}: whether this process runs the control loops (docs/architecture.md, "Roles of a process")
     * @param sandboxKubeconfig  {@code --sandbox-kubeconfig}: where the sandbox writes a kubeconfig for its API server; null for none
     */
    public record Settings(Path configDir, Path dataDir, boolean sandbox, double sandboxSpeed, boolean kubeImpersonate,
                           Controllers controllers, Path sandboxKubeconfig) {
        public Settings {
            java.util.Objects.requireNonNull(controllers, "controllers");
        }

        public Settings(Path configDir, Path dataDir, boolean sandbox, double sandboxSpeed) {
            this(configDir, dataDir, sandbox, sandboxSpeed, false);
        }

        public Settings(Path configDir, Path dataDir, boolean sandbox, double sandboxSpeed, boolean kubeImpersonate) {
            this(configDir, dataDir, sandbox, sandboxSpeed, kubeImpersonate, Controllers.auto);
        }

        public Settings(Path configDir, Path dataDir, boolean sandbox, double sandboxSpeed, boolean kubeImpersonate,
                        Controllers controllers) {
            this(configDir, dataDir, sandbox, sandboxSpeed, kubeImpersonate, controllers, null);
        }

        public Settings withKubeImpersonate(boolean on) {
            return new Settings(configDir, dataDir, sandbox, sandboxSpeed, on, controllers, sandboxKubeconfig);
        }

        public Settings withControllers(Controllers chosen) {
            return new Settings(configDir, dataDir, sandbox, sandboxSpeed, kubeImpersonate, chosen, sandboxKubeconfig);
        }

        public Settings withSandboxKubeconfig(Path file) {
            return new Settings(configDir, dataDir, sandbox, sandboxSpeed, kubeImpersonate, controllers, file);
        }
    }

    private final TrainopsConfig config;
    private final Metrics metrics;
    private final BackgroundLoops loops;
    private final ClusterModule cluster;
    private final CostModule cost;
    private final EventsModule events;
    private final QueueModule queue;
    private final MonitoringModule monitoring;
    private final ToolCatalog catalog;
    private final Leadership leadership;
    /** The admission webhook's reviewer; its facts are read only once {@link #admissionPolicy()} is asked for. */
    private final WebhookModule webhook;
    /** The Kubernetes API's controllers (the TrainingJob controller). */
    private final OperatorModule operator;
    /** The TrainingBatch controller. */
    private final BatchResourceModule batchResources;
    private volatile boolean stopping;
    private boolean closed;

    private Trainops(TrainopsConfig config, Metrics metrics, BackgroundLoops loops, ClusterModule cluster, CostModule cost,
                     EventsModule events, QueueModule queue, MonitoringModule monitoring, ToolCatalog catalog, Leadership leadership,
                     WebhookModule webhook, OperatorModule operator, BatchResourceModule batchResources) {
        this.leadership = leadership;
        this.webhook = webhook;
        this.operator = operator;
        this.batchResources = batchResources;
        this.events = events;
        this.config = config;
        this.metrics = metrics;
        this.loops = loops;
        this.cluster = cluster;
        this.cost = cost;
        this.queue = queue;
        this.monitoring = monitoring;
        this.catalog = catalog;
    }

    /** Wires everything from the settings and the process's environment; nothing connects until {@link #connect()}. */
    public static Trainops create(Settings settings) throws Exception {
        return create(settings, System.getenv());
    }

    static Trainops create(Settings settings, Map<String, String> env) throws Exception {
        return create(TrainopsConfig.read(settings, env));
    }

    /** Wires everything from a configuration already read, with no rate limit, reading and writing. */
    public static Trainops create(TrainopsConfig config) throws Exception {
        return create(config, Gates.OPEN);
    }

    /** Wires everything from a configuration already read, behind {@code gates} (the rate limit, read-only). */
    static Trainops create(TrainopsConfig config, Gates gates) throws Exception {
        Files.createDirectories(config.dataDir());
        ClusterModule cluster = ClusterModule.create(config);
        Metrics metrics = new Metrics(java.util.List.of(), config.teams(), config.prices().currency().getCurrencyCode());
        // who runs the control loops: this process, none, or the holder of the Lease (docs/architecture.md, "Roles of a process")
        Leadership leadership = Controllers.withReadOnly(config.settings().controllers(), gates.readOnly()).leadership(config);
        metrics.leader(leadership::leading);
        BackgroundLoops loops = new BackgroundLoops(cluster.clock, metrics, leadership::leading);
        java.time.Clock wall = java.time.Clock.systemUTC();
        CostModule cost = new CostModule(config, cluster, loops, metrics, wall, gates.readOnly());
        EventsModule events = new EventsModule(cost, loops, wall);
        HistoryModule history = HistoryModule.create(config, cluster, cost);
        QueueModule queue = new QueueModule(config, cluster, cost, history, loops, metrics, events, gates.readOnly());
        // the Kueue budget check (issue 16): its loop starts by itself once connect() has opened the store and the client
        new KueueModule(config, cluster, cost, queue, loops, gates.readOnly(), wall).open();
        MonitoringModule monitoring = new MonitoringModule(cluster, history, cost, queue, loops, metrics, events);
        new ScaleUpModule(config.scaleUp(), cluster, queue, loops, gates.readOnly()).startWhenQueueOpens();
        ToolCatalog catalog = CatalogModule.catalog(config.teams(), cluster, history, cost, queue, monitoring, metrics, gates,
                RegistryModule.create(config, cluster, history, cost));
        metrics.registerTools(catalog.tools().stream().map(Tool::name).toList());
        WebhookModule webhook = new WebhookModule(config, cluster, cost, queue, loops);
        OperatorModule operator = new OperatorModule(cluster, cost, queue, loops, gates.readOnly());
        BatchResourceModule batchResources = new BatchResourceModule(cluster, cost, queue, loops, gates.readOnly());
        return new Trainops(config, metrics, loops, cluster, cost, events, queue, monitoring, catalog, leadership, webhook, operator,
                batchResources);
    }

    /**
     * Connects the backends, in the background: call it once the MCP server is listening, so the
     * class loading and I/O of the Kubernetes client (or the sandbox) never delay {@code initialize}.
     */
    public void connect() {
        cost.open();
        events.start();
        queue.open();
        operator.start();
        batchResources.start();
        monitoring.start();
        cluster.connect();
        // an election stands once the client exists (in --sandbox, the sandbox's API server)
        cluster.kube.thenAccept(leadership::start);
    }

    /** Whether this process runs the control loops now (/healthz's "leader"). */
    public boolean leading() {
        return leadership.leading();
    }

    /** The stop has begun: /readyz answers 503 from now on, so the Service sends no new calls here. */
    public void stopping() {
        stopping = true;
    }

    /**
     * Tells {@code listener} of every job event after its change was committed, on whichever replica
     * it happened: through the store's event log (the MCP server's log notifications; docs/architecture.md, "Events").
     */
    public void onJobEvent(java.util.function.Consumer<dev.trainops.queue.JobEvent> listener) {
        events.onJobEvent(listener);
    }

    /** Tells {@code listener} of each quota (80%) and budget (70%) crossing a collector sees, on whichever replica, the same way. */
    public void onTeamWarning(java.util.function.Consumer<dev.trainops.monitor.TeamWarning> listener) {
        events.onTeamWarning(listener);
    }

    /** The Kubernetes API's controllers (tests). */
    OperatorModule operator() {
        return operator;
    }

    /** The configuration as read at start. */
    public TrainopsConfig config() {
        return config;
    }

    /** The cluster client once connected (tests read back the Jobs and pods trainops created). */
    io.fabric8.kubernetes.client.KubernetesClient kubernetes() {
        return await(cluster.kube, "the Kubernetes client");
    }

    public ToolCatalog catalog() {
        return catalog;
    }

    public Clock clock() {
        return cluster.clock;
    }

    public Metrics metrics() {
        return metrics;
    }

    /** {@code GET /metrics} and {@code POST /alerts/webhook} for the HTTP transport or --metrics-port. */
    public MonitoringEndpoints monitoringEndpoints() {
        return monitoring.endpoints();
    }

    /** {@code --webhook-port}'s decisions (docs/kubernetes.md, "The admission webhook"); the first call starts reading their facts. */
    public dev.trainops.server.AdmissionPolicy admissionPolicy() {
        return webhook.policy();
    }

    /** /readyz: the inventory has synced and the process is not stopping; with whether it leads, for /healthz. */
    public Readiness readiness() {
        Readiness r = stopping ? new Readiness(false, "stopping") : cluster.readiness();
        return new Readiness(r.ready(), r.detail(), leadership.leading());
    }

    /** Waits, bounded, for a backend that starts in the background; UPSTREAM_UNAVAILABLE when it cannot. */
    static <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(INITIAL_SYNC_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, what + " is still starting.", "Retry in a few seconds.");
        } catch (ExecutionException e) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, what + " could not be opened: " + e.getCause().getMessage(),
                    "Check TRAINOPS_DB_URL (or the --data-dir) and config/pricing.yaml and config/budgets.yaml, then restart.");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "interrupted", "Retry.");
        }
    }

    /**
     * Stops the background loops and waits for them (a pass in flight finishes, bounded), then gives
     * the Lease up when this process holds it (a successor takes over at once, and never while a
     * pass of ours runs), then closes the store, then the informers and the Kubernetes client (or
     * the sandbox): nothing runs against a backend that is already closed. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        loops.close();
        operator.close();
        batchResources.close();
        leadership.close();
        cost.close();
        cluster.close();
    }
}

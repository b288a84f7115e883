package dev.trainops.app;

import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.SpotNodes;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.prometheus.DcgmUtilization;
import dev.trainops.prometheus.PrometheusClient;
import dev.trainops.server.Readiness;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster: the Kubernetes client (or the sandbox's), the informers' index, the GPU inventory,
 * and where GPU utilisation comes from (DCGM through Prometheus when PROMETHEUS_URL is set, it wins
 * in the sandbox too; else the sandbox's model; else unknown). Nothing connects before
 * {@link #connect()}, which returns at once: the client is built and the informers sync in the
 * background, so {@code initialize} never waits on the cluster.
 */
final class ClusterModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterModule.class);
    /** How long the first inventory call waits for the initial sync before it answers UPSTREAM_UNAVAILABLE. */
    static final Duration INITIAL_SYNC_WAIT = Duration.ofSeconds(15);
    static final Duration SANDBOX_CLOSE_WAIT = Duration.ofSeconds(10);

    final Clock clock;
    final SandboxCluster sandbox;
    final CompletableFuture<KubernetesClient> kube;
    final ClusterIndex index;
    final GpuUtilization utilization;
    final PrometheusClient prometheus;
    final DcgmUtilization dcgm;
    final GpuInventory inventory;
    /** What the server's own client is built with: the test-only request recorder, else nothing ({@link ApiRequestLog}). */
    private final Consumer<KubernetesClientBuilder> clientSetup;
    private volatile boolean closed;

    private ClusterModule(Clock clock, SandboxCluster sandbox, CompletableFuture<KubernetesClient> kube, GpuUtilization utilization,
                          PrometheusClient prometheus, SpotNodes spotNodes, Consumer<KubernetesClientBuilder> clientSetup) {
        this.clock = clock;
        this.clientSetup = clientSetup;
        this.sandbox = sandbox;
        this.kube = kube;
        this.prometheus = prometheus;
        this.dcgm = prometheus == null ? null : new DcgmUtilization(prometheus, clock);
        this.utilization = dcgm != null ? dcgm : utilization;
        this.index = new ClusterIndex(clock);
        this.inventory = new GpuInventory(index, this.utilization, clock, INITIAL_SYNC_WAIT, spotNodes);
        kube.thenAccept(this::watch).exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (!closed) {
                log.error("cannot connect to Kubernetes: {}", cause.getMessage());
                index.connectFailed(cause.getMessage());
            }
            return null;
        });
    }

    static ClusterModule create(TrainopsConfig config) {
        PrometheusClient prometheus = config.prometheus().map(PrometheusClient::new).orElse(null);
        // the process environment, not the map Trainops.create was given: in-process tests pass an empty one, and their requests count too
        Consumer<KubernetesClientBuilder> clientSetup = ApiRequestLog.from(System.getenv());
        if (config.sandbox()) {
            SandboxCluster sandbox = new SandboxCluster(config.configDir(), config.dataDir(), config.settings().sandboxSpeed(),
                    Clock.systemUTC(), clientSetup).withKubeconfig(config.settings().sandboxKubeconfig());
            return new ClusterModule(sandbox.clock(), sandbox, sandbox.seeded(), sandbox.utilization(), prometheus, config.prices().spotNodes(),
                    clientSetup);
        }
        return new ClusterModule(Clock.systemUTC(), null, new CompletableFuture<>(), GpuUtilization.UNKNOWN, prometheus,
                config.prices().spotNodes(), clientSetup);
    }

    /** Starts the informers once the client exists, unless trainops is stopping by then. */
    private synchronized void watch(KubernetesClient client) {
        if (!closed) {
            index.start(client);
        }
    }

    /** Builds the client (or starts the sandbox) in the background. */
    void connect() {
        if (sandbox != null) {
            sandbox.start();
            return;
        }
        Thread connector = new Thread(() -> {
            try {
                KubernetesClientBuilder builder = new KubernetesClientBuilder();
                clientSetup.accept(builder);
                KubernetesClient client = builder.build();
                log.info("watching the Kubernetes API at {}", client.getConfiguration().getMasterUrl());
                kube.complete(client);
            } catch (RuntimeException e) {
                kube.completeExceptionally(e);
            }
        }, "kube-connect");
        connector.setDaemon(true);
        connector.start();
    }

    HealthStatus.Backend health() {
        ClusterIndex.Freshness f = index.freshness();
        return new HealthStatus.Backend("kubernetes", f.synced() && !f.stale(), f.stale(),
                !f.synced() ? "not synced yet" : f.stale() ? "serving the inventory as of " + f.asOf() + ": " + f.reason() : "watching");
    }

    HealthStatus.Backend prometheusHealth() {
        return new HealthStatus.Backend("prometheus", dcgm.up(), dcgm.stale(), dcgm.up() ? "DCGM series read"
                : dcgm.stale() ? "did not answer; utilisation is from the last read" : "no answer yet");
    }

    Readiness readiness() {
        ClusterIndex.Freshness f = index.freshness();
        if (!f.synced()) {
            return new Readiness(false, "Kubernetes inventory not synced yet");
        }
        return new Readiness(true, f.stale() ? "serving stale inventory: " + f.reason() : "ok");
    }

    /** Informers first (they hold watches on the client), then the client or the sandbox behind it. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
        }
        index.close();
        if (sandbox != null) {
            // a sandbox still seeding on a busy machine finishes its current step first; do not hold the stop for it
            Thread closer = new Thread(sandbox::close, "sandbox-close");
            closer.setDaemon(true);
            closer.start();
            try {
                closer.join(SANDBOX_CLOSE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (closer.isAlive()) {
                log.info("the sandbox is still seeding; it stops at its next step");
            }
        } else {
            kube.thenAccept(KubernetesClient::close);
        }
    }
}

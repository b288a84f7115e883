package dev.trainops.app;

import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.catalog.CatalogResource;
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

    private final Clock clock;
    private final SandboxCluster sandbox;
    private final CompletableFuture<KubernetesClient> kube;
    private final ClusterIndex index;
    private final ToolCatalog catalog;

    private Trainops(Clock clock, SandboxCluster sandbox, CompletableFuture<KubernetesClient> kube, ClusterIndex index,
                     ToolCatalog catalog) {
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
        ClusterIndex index = new ClusterIndex(clock);
        kube.thenAccept(index::start).exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            log.error("cannot connect to Kubernetes: {}", cause.getMessage());
            index.connectFailed(cause.getMessage());
            return null;
        });
        GpuInventory inventory = new GpuInventory(index, utilization, clock, INITIAL_SYNC_WAIT);
        List<Tool<?, ?>> tools = new ArrayList<>();
        tools.add(GpuTools.getGpuAvailability(inventory));
        List<CatalogResource> resources = List.of(new CatalogResource("trainops://gpus", "GPU availability",
                "The live GPU inventory (get_gpu_availability with no filters) as JSON.", "get_gpu_availability", Map.of()));
        return new Trainops(clock, sandbox, kube, index, new ToolCatalog(tools, resources));
    }

    /**
     * Connects the backends, in the background: call it once the MCP server is listening, so the
     * class loading and I/O of the Kubernetes client (or the sandbox) never delay {@code initialize}.
     */
    public void connect() {
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
        index.close();
        if (sandbox != null) {
            sandbox.close();
        } else {
            kube.thenAccept(KubernetesClient::close);
        }
    }
}

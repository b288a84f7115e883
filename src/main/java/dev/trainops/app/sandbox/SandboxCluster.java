package dev.trainops.app.sandbox;

import dev.trainops.cost.PricingConfig;
import dev.trainops.gpu.GpuUtilization;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.KubernetesListBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded demo cluster: fabric8's mock API server in CRUD mode, in-process, seeded from
 * {@code config/sandbox/cluster.yaml} (or from the state a previous run left in the data
 * directory), with a {@link ControlLoop} (Job controller, scheduler, kubelets) that schedules and runs the Jobs. trainops talks to
 * it through the same fabric8 client code it uses for a real cluster.
 */
public final class SandboxCluster implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SandboxCluster.class);
    /** The mock web server logs every request through java.util.logging; keep a reference so the level sticks. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    static {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
    }
    static final String STATE_FILE = "cluster-state.yaml";

    private final Path configDir;
    private final Path pricing;
    private final Path stateDir;
    private final SandboxClock clock;
    private final CompletableFuture<KubernetesClient> seeded = new CompletableFuture<>();
    private volatile KubernetesMockServer server;
    /** The cluster's own client: seeding, the control loop (Job controller, scheduler, kubelets), saving the state. */
    private volatile KubernetesClient client;
    /** trainops's client, a separate one, so what trainops asks of the API server is told apart from what the cluster does. */
    private volatile KubernetesClient trainopsClient;
    private final Consumer<KubernetesClientBuilder> trainopsClientSetup;
    private final UtilizationModel utilization = new UtilizationModel();
    private volatile ControlLoop kubelet;
    private volatile RunStore runs;
    private volatile ApiServerDispatcher dispatcher;
    /** {@code --sandbox-kubeconfig}: where to write a kubeconfig for the API server once it is seeded; null for none. */
    private volatile Path kubeconfigFile;
    /** Guards {@link #kubeconfig}: written at the end of seeding, removed by close(), whichever thread comes first. */
    private final Object kubeconfigLock = new Object();
    private SandboxKubeconfig kubeconfig;
    private volatile boolean closed;
    /** Set once close() has saved the state and is closing the client. */
    private volatile boolean down;

    public SandboxCluster(Path configDir, Path dataDir, double speed, Clock wall) {
        this(configDir, dataDir, speed, wall, builder -> {
        });
    }

    /** @param trainopsClientSetup applied to the builder of the client {@link #seeded()} hands to trainops (the request recorder) */
    public SandboxCluster(Path configDir, Path dataDir, double speed, Clock wall, Consumer<KubernetesClientBuilder> trainopsClientSetup) {
        this.trainopsClientSetup = trainopsClientSetup;
        this.configDir = configDir.resolve("sandbox");
        this.pricing = configDir.resolve("pricing.yaml");
        this.stateDir = dataDir.resolve("sandbox");
        this.clock = new SandboxClock(wall, resumeInstant(stateDir, wall.instant()), speed);
    }

    /** Where the sandbox clock resumes: the saved simulated time when it ran ahead of the wall clock. */
    private static Instant resumeInstant(Path stateDir, Instant wallNow) {
        Path saved = stateDir.resolve("clock");
        try {
            if (Files.exists(saved)) {
                Instant savedAt = Instant.parse(Files.readString(saved).trim());
                return savedAt.isAfter(wallNow) ? savedAt : wallNow;
            }
        } catch (IOException | RuntimeException e) {
            log.warn("ignoring unreadable sandbox clock file {}: {}", saved, e.getMessage());
        }
        return wallNow;
    }

    /** Writes a kubeconfig for the API server to {@code file} once it is seeded, and removes it on close ({@link SandboxKubeconfig}). */
    public SandboxCluster withKubeconfig(Path file) {
        this.kubeconfigFile = file;
        return this;
    }

    /**
     * Starts the API server and seeds it, all in the background, so the MCP server can answer
     * {@code initialize} meanwhile; {@link #seeded()} completes with the client when it is ready.
     */
    public SandboxCluster start() {
        Thread seeder = new Thread(this::seed, "sandbox-seed");
        seeder.setDaemon(true);
        seeder.start();
        return this;
    }

    private synchronized void seed() {
        try {
            dispatcher = new ApiServerDispatcher(this::jobCreatedOrDeleted);
            server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
            server.init(InetAddress.getLoopbackAddress(), 0);
            client = server.createClient();
            // before any object: a restored TrainingJob needs its CRD, and the controllers watch them from the start
            SandboxCrds.install(client);
            Files.createDirectories(stateDir);
            Path state = stateDir.resolve(STATE_FILE);
            boolean resume = Files.exists(state);
            List<HasMetadata> items;
            try (InputStream in = Files.newInputStream(resume ? state : configDir.resolve("cluster.yaml"))) {
                items = client.load(in).items();
            }
            for (HasMetadata item : items) {
                if (closed) {
                    return; // stopped while seeding: close() takes it down
                }
                java.util.Optional<String> keepingUid = SandboxCrds.restoredKeepingUid(item);
                if (keepingUid.isPresent()) {
                    dispatcher.restore(SandboxCrds.generic(client, item), keepingUid.get(), true);
                    continue;
                }
                item.getMetadata().setResourceVersion(null);
                item.getMetadata().setUid(null);
                client.resource(item).create();
            }
            RunHistory history = RunHistory.load(configDir.resolve("run-history.jsonl"));
            runs = RunStore.open(stateDir, history, clock.instant());
            if (closed) {
                return;
            }
            kubelet = new ControlLoop(client, clock, history, runs, utilization, new SpotReclaimer(PricingConfig.load(pricing)), this::saveState);
            // One pass before anyone looks, so the seeded Jobs are already running at the first call.
            kubelet.tick();
            kubelet.start();
            log.info("sandbox cluster {} with {} objects at {} (speed x{})", resume ? "resumed" : "seeded",
                    items.size(), server.url("/"), clock.speed());
            trainopsClient = server.createClient(trainopsClientSetup);
            writeKubeconfig();
            seeded.complete(trainopsClient);
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                log.error("sandbox seeding failed", e);
            }
            seeded.completeExceptionally(e);
        }
    }

    private void writeKubeconfig() {
        Path file = kubeconfigFile;
        if (file == null) {
            return;
        }
        InetAddress loopback = InetAddress.getLoopbackAddress();
        String host = loopback instanceof java.net.Inet6Address ? "[" + loopback.getHostAddress() + "]" : loopback.getHostAddress();
        String url = "http://" + host + ":" + server.getPort();
        synchronized (kubeconfigLock) {
            if (closed) {
                return;
            }
            try {
                kubeconfig = SandboxKubeconfig.write(file, url);
                log.info("kubeconfig for the sandbox's API server written to {} (kubectl --kubeconfig {} get tj -A)", kubeconfig.file(),
                        kubeconfig.file());
            } catch (IOException | RuntimeException e) {
                log.error("cannot write {} {}: {}", SandboxKubeconfig.OPTION, file, e.getMessage());
            }
        }
    }

    private void removeKubeconfig() {
        synchronized (kubeconfigLock) {
            if (kubeconfig != null) {
                try {
                    kubeconfig.close();
                } catch (IOException e) {
                    log.warn("could not remove {}: {}", kubeconfig.file(), e.getMessage());
                }
                kubeconfig = null;
            }
        }
    }

    /**
     * A created or deleted Job (or TrainingJob, TrainingBatch) is written to disk at once, as an API server's etcd would hold it: a
     * crash right after trainops created a Job must not lose it (the control loop's own saves
     * follow its 250 ms ticks). Called on the API server's event loop, so the save runs on the loop's thread.
     */
    private void jobCreatedOrDeleted() {
        ControlLoop loop = kubelet;
        if (loop != null && !closed) {
            loop.runSoon(() -> {
                if (!closed) {
                    try {
                        saveState();
                    } catch (RuntimeException e) {
                        log.warn("could not save the sandbox state: {}", e.getMessage());
                    }
                }
            });
        }
    }

    /** Writes every object to the data directory so a restart continues where this run stopped. */

    synchronized void saveState() {
        if (down) {
            return; // a watch event that waited for close(): the final state is saved already
        }
        try {
            List<HasMetadata> items = new ArrayList<>();
            items.addAll(client.namespaces().list().getItems());
            items.addAll(client.nodes().list().getItems());
            items.addAll(client.scheduling().v1().priorityClasses().list().getItems());
            items.addAll(client.resourceQuotas().inAnyNamespace().list().getItems());
            items.addAll(client.limitRanges().inAnyNamespace().list().getItems());
            items.addAll(client.persistentVolumeClaims().inAnyNamespace().list().getItems());
            items.addAll(client.batch().v1().jobs().inAnyNamespace().list().getItems());
            items.addAll(client.pods().inAnyNamespace().list().getItems());
            items.addAll(SandboxCrds.objects(client));
            KubernetesList list = new KubernetesListBuilder().withItems(items).build();
            String yaml = client.getKubernetesSerialization().asYaml(list);
            Path tmp = stateDir.resolve(STATE_FILE + ".tmp");
            Files.writeString(tmp, yaml);
            Files.move(tmp, stateDir.resolve(STATE_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.writeString(stateDir.resolve("clock"), clock.instant().toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the sandbox state in " + stateDir, e);
        }
    }

    public SandboxClock clock() {
        return clock;
    }

    /** trainops's client on this cluster, once it is seeded (not the one the simulated cluster itself uses). */
    public CompletableFuture<KubernetesClient> seeded() {
        return seeded;
    }

    /** The simulated utilisation of every node (none before the first pass of the control loop). */
    public GpuUtilization utilization() {
        return utilization;
    }

    /** One pass of the control loop now, on the caller's thread (tests that move the clock want its effect at once). */
    void kubeletTick() {
        ControlLoop loop = kubelet;
        if (loop != null) {
            loop.tick();
        }
    }

    /** The embedded run store, once seeding finished. */
    public RunStore runs() {
        return runs;
    }

    @Override
    public void close() {
        // set before taking the lock, so a seeding in progress stops at its next object instead of
        // holding the stop until it has seeded everything
        closed = true;
        // first, so no client reads a kubeconfig of a server that is going away
        removeKubeconfig();
        // the control loop is stopped outside this object's lock: a tick in flight saves the state
        // through saveState(), which takes the lock, and would otherwise wait out the loop's close
        ControlLoop loop = kubelet;
        if (loop != null) {
            loop.close();
        }
        closeSeeded();
    }

    private synchronized void closeSeeded() {
        if (kubelet != null) {
            try {
                saveState();
            } catch (RuntimeException e) {
                log.warn("could not save the sandbox state: {}", e.getMessage());
            }
        }
        down = true;
        if (trainopsClient != null) {
            trainopsClient.close();
        }
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.destroy();
        }
    }
}

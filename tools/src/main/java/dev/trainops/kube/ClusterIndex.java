package dev.trainops.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LimitRange;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster as trainops sees it: fabric8 informers on Nodes, Pods, ResourceQuotas, LimitRanges,
 * PriorityClasses and Jobs feeding in-memory stores. Tools read these stores and never list per
 * call. {@link #generation()} moves on every event, so derived views can be cached until it does.
 */
public final class ClusterIndex implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClusterIndex.class);

    private static final String BY_NODE = "node";
    private static final String BY_JOB_ID = "job-id";
    private static final String BY_GPU = "gpu";
    private static final String GPU_KEY = "requests-gpu";

    private final Clock clock;
    private volatile KubernetesClient client;
    private volatile String connectFailure;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicReference<Instant> lastHealthy = new AtomicReference<>();
    private final CountDownLatch started = new CountDownLatch(1);
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cluster-index-health");
        t.setDaemon(true);
        return t;
    });

    private volatile SharedIndexInformer<Node> nodes;
    private volatile SharedIndexInformer<Pod> pods;
    private volatile SharedIndexInformer<ResourceQuota> quotas;
    private volatile SharedIndexInformer<LimitRange> limitRanges;
    private volatile SharedIndexInformer<PriorityClass> priorityClasses;
    private volatile SharedIndexInformer<Job> jobs;
    private volatile List<SharedIndexInformer<? extends HasMetadata>> all = List.of();

    public ClusterIndex(Clock clock) {
        this.clock = clock;
    }

    /** Starts the informers on {@code client} and returns at once; {@link #awaitSynced} waits for the first list. */
    public synchronized ClusterIndex start(KubernetesClient client) {
        if (this.client != null) {
            throw new IllegalStateException("the cluster index is already started");
        }
        this.client = client;
        nodes = informer(client.nodes().runnableInformer(0));
        pods = informer(client.pods().inAnyNamespace().runnableInformer(0));
        pods.addIndexers(Map.of(BY_NODE, ClusterIndex::nodeOf, BY_JOB_ID, ClusterIndex::jobIdOf, BY_GPU, ClusterIndex::gpuKeyOf));
        quotas = informer(client.resourceQuotas().inAnyNamespace().runnableInformer(0));
        limitRanges = informer(client.limitRanges().inAnyNamespace().runnableInformer(0));
        priorityClasses = informer(client.scheduling().v1().priorityClasses().runnableInformer(0));
        jobs = informer(client.batch().v1().jobs().inAnyNamespace().runnableInformer(0));
        all = List.of(nodes, pods, quotas, limitRanges, priorityClasses, jobs);
        for (SharedIndexInformer<? extends HasMetadata> informer : all) {
            informer.start().whenComplete((ok, error) -> {
                if (error != null) {
                    log.warn("informer did not sync yet: {}", error.getMessage());
                }
            });
        }
        started.countDown();
        ticker.scheduleWithFixedDelay(this::observeHealth, 0, 250, TimeUnit.MILLISECONDS);
        return this;
    }

    private <T extends HasMetadata> SharedIndexInformer<T> informer(SharedIndexInformer<T> informer) {
        informer.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                generation.incrementAndGet();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                generation.incrementAndGet();
            }

            @Override
            public void onDelete(T obj, boolean deletedFinalStateUnknown) {
                generation.incrementAndGet();
            }
        });
        return informer;
    }

    private void observeHealth() {
        if (synced() && watching()) {
            lastHealthy.set(clock.instant());
        }
    }

    /** Waits, at most {@code timeout}, for every informer's first list and its watch to be up. */
    public boolean awaitSynced(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            if (!started.await(timeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return false;
            }
            while (!synced() || !watching()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                Thread.sleep(Math.min(20, Math.max(1, left / 1_000_000)));
            }
            observeHealth();
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    public boolean synced() {
        List<SharedIndexInformer<? extends HasMetadata>> informers = all;
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::hasSynced);
    }

    private boolean watching() {
        List<SharedIndexInformer<? extends HasMetadata>> informers = all;
        return !informers.isEmpty() && informers.stream().allMatch(SharedIndexInformer::isWatching);
    }

    /** Whether the stores are current: stale when a watch is down, with the last time all were up. */
    public Freshness freshness() {
        if (!synced()) {
            String failure = connectFailure;
            return new Freshness(false, true, lastHealthy.get(), failure != null
                    ? "cannot connect to Kubernetes: " + failure
                    : "the initial sync with the Kubernetes API has not finished");
        }
        if (watching()) {
            Instant now = clock.instant();
            lastHealthy.set(now);
            return new Freshness(true, false, now, null);
        }
        return new Freshness(true, true, lastHealthy.get(),
                "the watch on the Kubernetes API at " + masterUrl() + " is down; showing the last known state");
    }

    /** Records why no client could be built (no kubeconfig, bad credentials), for the answers that need one. */
    public void connectFailed(String reason) {
        this.connectFailure = reason;
    }

    /** The API server this index watches, for messages; "not connected yet" before start. */
    public String masterUrl() {
        KubernetesClient c = client;
        return c == null ? "(not connected yet)" : String.valueOf(c.getConfiguration().getMasterUrl());
    }

    public long generation() {
        return generation.get();
    }

    public List<Node> nodes() {
        return nodes == null ? List.of() : nodes.getStore().list(); // empty until start()
    }

    public List<Pod> pods() {
        return pods == null ? List.of() : pods.getStore().list(); // empty until start()
    }

    /** The pods bound to {@code node}, from the informer's index (no scan). */
    public List<Pod> podsOnNode(String node) {
        return pods == null ? List.of() : pods.getIndexer().byIndex(BY_NODE, node);
    }

    /** The pods labelled {@code trainops.dev/job-id=jobId}, every attempt, from the informer's index (no scan). */
    public List<Pod> podsOfJob(String jobId) {
        return pods == null ? List.of() : pods.getIndexer().byIndex(BY_JOB_ID, jobId);
    }

    /** The pods of one namespace, from the informer's namespace index (no scan). */
    public List<Pod> podsInNamespace(String namespace) {
        return pods == null ? List.of() : pods.getIndexer().byIndex(Cache.NAMESPACE_INDEX, namespace);
    }

    /** The pods that request GPUs (any GPU resource), from the informer's index: the rest of a large cluster is never scanned. */
    public List<Pod> gpuPods() {
        return pods == null ? List.of() : pods.getIndexer().byIndex(BY_GPU, GPU_KEY);
    }

    /** The pods that are not labelled with a trainops job id but request GPUs. */
    public List<Pod> gpuPodsOutsideTrainops() {
        return gpuPods().stream().filter(p -> jobIdOf(p).isEmpty()).toList();
    }

    private static List<String> nodeOf(Pod p) {
        String node = p.getSpec() == null ? null : p.getSpec().getNodeName();
        return node == null || node.isEmpty() ? List.of() : List.of(node);
    }

    private static List<String> jobIdOf(Pod p) {
        String id = p.getMetadata() == null || p.getMetadata().getLabels() == null ? null : p.getMetadata().getLabels().get(KubeNames.LABEL_JOB_ID);
        return id == null ? List.of() : List.of(id);
    }

    private static List<String> gpuKeyOf(Pod p) {
        return PodResources.gpuRequests(p).isEmpty() ? List.of() : List.of(GPU_KEY);
    }

    public List<ResourceQuota> resourceQuotas() {
        return quotas == null ? List.of() : quotas.getStore().list(); // empty until start()
    }

    public List<LimitRange> limitRanges() {
        return limitRanges == null ? List.of() : limitRanges.getStore().list(); // empty until start()
    }

    public List<PriorityClass> priorityClasses() {
        return priorityClasses == null ? List.of() : priorityClasses.getStore().list(); // empty until start()
    }

    public List<Job> jobs() {
        return jobs == null ? List.of() : jobs.getStore().list(); // empty until start()
    }

    @Override
    public void close() {
        ticker.shutdownNow();
        for (SharedIndexInformer<? extends HasMetadata> informer : all) {
            try {
                informer.close();
            } catch (RuntimeException e) {
                log.debug("closing informer: {}", e.getMessage());
            }
        }
    }

    /**
     * @param synced whether the first list has arrived
     * @param stale  whether the data may be out of date
     * @param asOf   when the stores were last known to be current (null before the first sync)
     * @param reason why the data is stale, or null
     */
    public record Freshness(boolean synced, boolean stale, Instant asOf, String reason) {
    }

}

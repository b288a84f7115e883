package dev.trainops.app;

import dev.trainops.queue.JobState;
import dev.trainops.scaleup.ProvisioningRequests;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-up (docs/kubernetes.md, "Scale-up"), when config/scale-up.yaml turns it on: once the queue
 * is open, the control loop {@value #LOOP} keeps one ProvisioningRequest per URGENT job waiting with
 * NO_CAPACITY ({@link ProvisioningRequests}), every {@link #EVERY}, on the leader only. Off (the
 * default) or {@code --read-only}, nothing runs and nothing is created.
 */
final class ScaleUpModule {
    private static final Logger log = LoggerFactory.getLogger(ScaleUpModule.class);
    static final String LOOP = "scale-up";
    static final Duration EVERY = Duration.ofSeconds(10);

    private final ScaleUpConfig config;
    private final ClusterModule cluster;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private final boolean readOnly;

    ScaleUpModule(ScaleUpConfig config, ClusterModule cluster, QueueModule queue, BackgroundLoops loops, boolean readOnly) {
        this.config = config;
        this.cluster = cluster;
        this.queue = queue;
        this.loops = loops;
        this.readOnly = readOnly;
    }

    /** Starts the loop when the queue has opened (after {@code Trainops.connect()}), if scale-up is on. */
    ScaleUpModule startWhenQueueOpens() {
        if (!config.enabled()) {
            return this;
        }
        if (readOnly) {
            log.info("read-only: scale-up.yaml enables ProvisioningRequests, but none is created");
            return this;
        }
        queue.stack.thenAcceptBoth(cluster.kube, this::start);
        return this;
    }

    private void start(QueueModule.Stack stack, KubernetesClient client) {
        if (loops.closed()) {
            return;
        }
        try {
            ProvisioningRequests requests = new ProvisioningRequests(client, config.provisioningClass(), stack.jobs()::plannedJob);
            loops.control(LOOP, EVERY, () -> {
                if (cluster.index.synced()) {
                    requests.reconcile(stack.store().read(c -> stack.store().inStates(c, JobState.QUEUED)));
                }
            }).start(Duration.ZERO);
            log.info("scale-up: a ProvisioningRequest of class {} for each URGENT job waiting for capacity (leader only)",
                    config.provisioningClass());
        } catch (RuntimeException e) {
            loops.openFailed(log, "scale-up", e);
        }
    }
}

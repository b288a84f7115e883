package dev.trainops.app;

import dev.trainops.operator.CrdCheck;
import dev.trainops.operator.TrainingBatchController;
import dev.trainops.queue.JobQueue;
import dev.trainops.resource.TrainingBatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TrainingBatch objects (docs/kubernetes.md, "TrainingBatch"): once the queue is open, the TrainingBatch controller as
 * the control loop {@value #LOOP} (on the leader only), every {@link #EVERY}. Its submissions and cancellations are
 * audited as {@code trainops-controller}'s calls of submit_batch_training and cancel_training_job. Without the CRD trainingbatches.trainops.dev the
 * controller is off and the loop looks for the CRD again every {@link CrdCheck#EVERY}; --read-only runs none.
 */
final class BatchResourceModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchResourceModule.class);
    static final String LOOP = "trainingbatch-controller";
    static final Duration EVERY = Duration.ofSeconds(1);

    private final ClusterModule cluster;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private final CostModule cost;
    private final boolean readOnly;
    private volatile TrainingBatchController controller;
    /** Whether the CRD is there, looked up at most once a minute (on the loop's thread only). */
    private CrdCheck crd;

    BatchResourceModule(ClusterModule cluster, CostModule cost, QueueModule queue, BackgroundLoops loops, boolean readOnly) {
        this.cluster = cluster;
        this.queue = queue;
        this.loops = loops;
        this.cost = cost;
        this.readOnly = readOnly;
    }

    /** Schedules the loop once the queue is open and the cluster client exists; returns at once. */
    void start() {
        if (readOnly) {
            log.info("read-only: no TrainingBatch controller");
            return;
        }
        queue.stack.thenAcceptBoth(cluster.kube, (stack, client) -> {
            if (loops.closed()) {
                return;
            }
            try {
                loops.control(LOOP, EVERY, () -> pass(client, stack.jobs(), cluster.clock)).start(Duration.ZERO);
            } catch (IllegalStateException e) {
                log.debug("the TrainingBatch controller was starting when trainops stopped: {}", e.getMessage());
            }
        });
    }

    private void pass(KubernetesClient client, JobQueue jobs, Clock clock) {
        TrainingBatchController c = controller;
        if (c == null) {
            if (crd == null) {
                crd = new CrdCheck(client, TrainingBatch.CRD_NAME, "TrainingBatch controller", clock);
            }
            if (!crd.found()) {
                return;
            }
            synchronized (this) {
                if (loops.closed()) {
                    return;
                }
                c = new TrainingBatchController(client, jobs, cost.auditTrail(), clock).start();
                controller = c;
            }
            log.info("CRD {} found: the TrainingBatch controller runs", TrainingBatch.CRD_NAME);
        }
        c.pass();
    }

    /** Stops the controller's informer (the loop itself stops with the other loops). */
    @Override
    public synchronized void close() {
        TrainingBatchController c = controller;
        if (c != null) {
            c.close();
        }
    }
}

package dev.trainops.app;

import dev.trainops.operator.TrainingBatchController;
import dev.trainops.queue.JobQueue;
import dev.trainops.resource.TrainingBatch;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * TrainingBatch objects (docs/kubernetes.md, "TrainingBatch"): once the queue is open, the TrainingBatch controller as
 * the control loop {@value #LOOP} (on the leader only), every {@link #EVERY}. Its submissions and cancellations are
 * audited as {@code trainops-controller}'s calls of submit_batch_training and cancel_training_job. Without the CRD trainingbatches.trainops.dev the
 * controller is off and the loop looks for the CRD again every {@link #CRD_CHECK_EVERY}; --read-only runs none.
 */
final class BatchResourceModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatchResourceModule.class);
    static final String LOOP = "trainingbatch-controller";
    static final Duration EVERY = Duration.ofSeconds(1);
    static final Duration CRD_CHECK_EVERY = Duration.ofMinutes(1);

    private final ClusterModule cluster;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private final CostModule cost;
    private final boolean readOnly;
    private volatile TrainingBatchController controller;
    /** When the CRD was last looked for (read and written on the loop's thread only). */
    private Instant lastCheck;
    private boolean absentLogged;

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
            Instant now = clock.instant();
            if (lastCheck != null && now.isBefore(lastCheck.plus(CRD_CHECK_EVERY))) {
                return;
            }
            lastCheck = now;
            if (client.apiextensions().v1().customResourceDefinitions().withName(TrainingBatch.CRD_NAME).get() == null) {
                if (!absentLogged) {
                    log.info("no CRD {} in the cluster: TrainingBatch objects are not watched (looked for again every {} s)",
                            TrainingBatch.CRD_NAME, CRD_CHECK_EVERY.toSeconds());
                    absentLogged = true;
                }
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

package dev.trainops.app;

import dev.trainops.operator.TrainingJobController;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes API's controllers (DESIGN.md, "Kubernetes API"; docs/kubernetes.md): once the queue is open, the
 * TrainingJob controller as the control loop {@code trainingjob-controller}, every 500 ms, on the process that runs
 * the control loops only (its informer starts on the first pass there, when the CRD is installed; without it the
 * controller stays off and looks again every minute). None under {@code --read-only}: a controller writes.
 */
final class OperatorModule implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OperatorModule.class);

    private final ClusterModule cluster;
    private final CostModule cost;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private final boolean readOnly;
    /** The TrainingJob controller once the queue has opened. */
    final CompletableFuture<TrainingJobController> trainingJobs = new CompletableFuture<>();

    OperatorModule(ClusterModule cluster, CostModule cost, QueueModule queue, BackgroundLoops loops, boolean readOnly) {
        this.cluster = cluster;
        this.cost = cost;
        this.queue = queue;
        this.loops = loops;
        this.readOnly = readOnly;
    }

    /** Starts the controllers' loop in the background once the queue and the cluster client are there. */
    void start() {
        if (readOnly) {
            log.info("read-only: no TrainingJob controller");
            return;
        }
        queue.stack.thenAcceptBothAsync(cluster.kube, (q, client) -> startNow(q, client), loops.executor("operator-open"))
                .exceptionally(e -> {
                    trainingJobs.completeExceptionally(e.getCause() != null ? e.getCause() : e);
                    return null;
                });
    }

    private void startNow(QueueModule.Stack q, KubernetesClient client) {
        if (loops.closed()) {
            return;
        }
        try {
            TrainingJobController controller = new TrainingJobController(client, q.jobs(), cost.await().audit(), cluster.clock);
            trainingJobs.complete(controller);
            loops.control(TrainingJobController.LOOP, TrainingJobController.PASS_EVERY, controller::pass).start(java.time.Duration.ZERO);
        } catch (RuntimeException e) {
            trainingJobs.completeExceptionally(e);
            loops.openFailed(log, "the TrainingJob controller", e);
        }
    }

    /** Stops the informers (after the loops have stopped, before the client closes). */
    @Override
    public void close() {
        if (trainingJobs.isDone() && !trainingJobs.isCompletedExceptionally()) {
            trainingJobs.join().close();
        }
    }
}

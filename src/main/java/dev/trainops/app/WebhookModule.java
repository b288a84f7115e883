package dev.trainops.app;

import dev.trainops.admission.AdmissionReviewer;
import dev.trainops.server.AdmissionPolicy;
import io.fabric8.kubernetes.api.model.ResourceQuota;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The admission webhook's decisions (docs/kubernetes.md, "The admission webhook"): the reviewer
 * over the facts the other modules keep, and the {@code admission-facts} loop that reads them every
 * {@link #REFRESH_EVERY} on every replica (each one serves the webhook), so a review reads only
 * memory: the budgets and the quota use from the store, the teams and the nodes from the informers'
 * index, estimates through the queue's estimator, kept per job shape.
 */
final class WebhookModule {
    /** How often the teams' budgets and GPU use are read for the reviews: a denial is at most this far behind the store. */
    static final Duration REFRESH_EVERY = Duration.ofSeconds(5);

    private final AdmissionReviewer reviewer;
    private final CostModule cost;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private boolean started;

    WebhookModule(TrainopsConfig config, ClusterModule cluster, CostModule cost, QueueModule queue, BackgroundLoops loops) {
        this.cost = cost;
        this.queue = queue;
        this.loops = loops;
        this.reviewer = new AdmissionReviewer(new AdmissionReviewer.Sources(() -> {
            Set<String> teams = new TreeSet<>(config.teams());
            for (ResourceQuota rq : cluster.index.resourceQuotas()) {
                teams.add(rq.getMetadata().getNamespace());
            }
            return teams;
        }, team -> {
            CostModule.Stack money = cost.ifOpen();
            return money == null ? Optional.empty() : money.budgets().peek(team);
        }, () -> {
            QueueModule.Stack q = queue.ifOpen();
            return q == null ? Map.of() : q.jobs().quotaUsage();
        }, cluster.index::nodes, queue.estimator(), config.prices(), cluster.clock));
    }

    /** The webhook's policy; the first call starts the loop that reads the facts (they are read only when the webhook is served). */
    synchronized AdmissionPolicy policy() {
        if (!started) {
            started = true;
            // until the store and the queue are open there is nothing to read: reviews allow, with a warning, and the queue checks at submission
            loops.loop("admission-facts", REFRESH_EVERY, () -> {
                if (cost.ifOpen() != null && queue.ifOpen() != null) {
                    reviewer.refresh();
                }
            }).start(Duration.ZERO);
        }
        return reviewer::review;
    }
}

package dev.trainops.app;

import dev.trainops.kueue.BudgetCheck;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kueue budget check (docs/kubernetes.md, "Kueue budget check"): once the cluster client and
 * the store are there, the control loop {@value #LOOP} runs every {@link #CHECK_EVERY} on the
 * leader, never with --read-only. It looks for Kueue's CRDs (Workload, AdmissionCheck, v1beta2)
 * at its first pass and again every {@link #DETECT_EVERY}, so a Kueue installed or removed later is
 * noticed, and while they are there runs {@link BudgetCheck#pass()}: trainops answers as the
 * AdmissionCheck controller {@code trainops.dev/budget}, pricing Workloads with the queue's
 * estimates and holding them against the team budgets the queue holds its own jobs to.
 */
final class KueueModule {
    private static final Logger log = LoggerFactory.getLogger(KueueModule.class);
    static final String LOOP = "kueue-budget-check";
    static final Duration CHECK_EVERY = Duration.ofSeconds(2);
    static final Duration DETECT_EVERY = Duration.ofMinutes(1);

    private final TrainopsConfig config;
    private final ClusterModule cluster;
    private final CostModule cost;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    private final boolean readOnly;
    /** Times the CRD look-ups; real time, as the sandbox's clock may run faster. */
    private final Clock wall;
    /** What the last look-up found, and when (the loop's own thread only). */
    private BudgetCheck.Installed installed;
    private Instant detectedAt;

    KueueModule(TrainopsConfig config, ClusterModule cluster, CostModule cost, QueueModule queue, BackgroundLoops loops, boolean readOnly,
                Clock wall) {
        this.config = config;
        this.cluster = cluster;
        this.cost = cost;
        this.queue = queue;
        this.loops = loops;
        this.readOnly = readOnly;
        this.wall = wall;
    }

    /**
     * Starts the loop once the store and the cluster client are there (both open in the background
     * after {@link Trainops#connect()}); with --read-only, nothing.
     */
    void open() {
        if (readOnly) {
            return;
        }
        cost.stack.thenAcceptBothAsync(cluster.kube, (money, client) -> {
            if (!loops.closed()) {
                BudgetCheck budgetCheck = new BudgetCheck(client, queue.fromHistory(), config.prices(), money.budgets()::peek, cluster.clock);
                loops.control(LOOP, CHECK_EVERY, () -> pass(client, budgetCheck)).start(Duration.ZERO);
            }
        }, loops.executor("kueue-open")).exceptionally(e -> {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            loops.openFailed(log, "the Kueue budget check", cause instanceof Exception x ? x : new IllegalStateException(cause));
            return null;
        });
    }

    /** One pass of the loop: look for Kueue when it is time to, then check while it is there. */
    private void pass(KubernetesClient client, BudgetCheck budgetCheck) {
        Instant now = wall.instant();
        if (detectedAt == null || !now.isBefore(detectedAt.plus(DETECT_EVERY))) {
            BudgetCheck.Installed found = BudgetCheck.installed(client);
            detectedAt = now;
            if (installed == null || found.present() != installed.present()) {
                log.info("{}: {}", found.present() ? "Kueue budget check on" : "Kueue budget check off", found.detail());
            }
            installed = found;
        }
        if (installed.present()) {
            budgetCheck.pass();
        }
    }
}

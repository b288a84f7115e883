package dev.trainops.app.sandbox;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.scheduling.v1.PriorityClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What runs the sandbox cluster every 250 ms: the {@link JobController}, the {@link SandboxScheduler},
 * the {@link SimulatedKubelet} and the {@link UtilizationModel}, in that order, each on a fresh read
 * of the API server after the one before it wrote. Time is the sandbox clock, so
 * {@code --sandbox-speed} speeds all of it up. The state is saved when a pass changed something,
 * and every two seconds when the objects moved otherwise.
 */
final class ControlLoop implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlLoop.class);

    private final KubernetesClient client;
    private final Clock clock;
    private final JobController jobs;
    private final SandboxScheduler scheduler;
    private final SimulatedKubelet kubelet;
    private final UtilizationModel utilization;
    private final RunHistory history;
    private final Runnable saveState;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "sandbox-kubelet");
        t.setDaemon(true);
        return t;
    });
    private String lastFingerprint = "";
    private long lastSaveNanos;

    ControlLoop(KubernetesClient client, Clock clock, RunHistory history, RunStore runs, UtilizationModel utilization,
                SpotReclaimer reclaimer, Runnable saveState) {
        this.client = client;
        this.clock = clock;
        this.jobs = new JobController(client, clock);
        this.scheduler = new SandboxScheduler(client);
        this.kubelet = new SimulatedKubelet(client, new TrainingPlans(history), runs, reclaimer);
        this.utilization = utilization;
        this.history = history;
        this.saveState = saveState;
    }

    void start() {
        loop.scheduleWithFixedDelay(() -> {
            try {
                tick();
            } catch (RuntimeException e) {
                log.warn("sandbox kubelet tick failed: {}", e.toString());
            }
        }, 0, 250, TimeUnit.MILLISECONDS);
    }

    /** Runs {@code task} on the loop's thread between passes; nothing once the loop is closed. */
    void runSoon(Runnable task) {
        try {
            loop.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closing: the final save in SandboxCluster.close covers it
        }
    }

    /** One pass of every part. Package-private so tests can drive it. */
    synchronized void tick() {
        Instant now = clock.instant();
        List<Node> nodes = client.nodes().list().getItems();
        List<Job> jobList = client.batch().v1().jobs().inAnyNamespace().list().getItems();
        Map<String, Integer> priorities = new HashMap<>();
        for (PriorityClass pc : client.scheduling().v1().priorityClasses().list().getItems()) {
            priorities.put(pc.getMetadata().getName(), pc.getValue());
        }
        List<Pod> pods = pods();
        boolean changed = false;
        if (jobs.reconcile(jobList, pods)) {
            changed = true;
            pods = pods();
        }
        if (scheduler.schedule(nodes, pods, priorities)) {
            changed = true;
            pods = pods();
        }
        changed |= kubelet.run(nodes, pods, now);
        utilization.update(nodes, pods, history);

        String fingerprint = jobList.size() + "/" + pods.size() + "/" + pods.stream()
                .map(p -> p.getMetadata().getResourceVersion()).filter(Objects::nonNull).sorted().reduce("", (a, b) -> a + b).hashCode();
        boolean due = System.nanoTime() - lastSaveNanos > Duration.ofSeconds(2).toNanos();
        if (changed || (due && !fingerprint.equals(lastFingerprint))) {
            saveState.run();
            lastFingerprint = fingerprint;
            lastSaveNanos = System.nanoTime();
        }
    }

    private List<Pod> pods() {
        return client.pods().inAnyNamespace().list().getItems();
    }

    @Override
    public void close() {
        // let a tick in flight finish: interrupting it mid-request fails it against a live API server
        loop.shutdown();
        try {
            if (!loop.awaitTermination(10, TimeUnit.SECONDS)) {
                loop.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            loop.shutdownNow();
        }
    }
}

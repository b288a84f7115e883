package dev.trainops.queue;

import dev.trainops.audit.AuditLog;
import dev.trainops.store.Store;
import dev.trainops.testing.MutableClock;
import dev.trainops.testing.StatusLockingDispatcher;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.util.List;
import java.util.OptionalDouble;
import java.util.function.BooleanSupplier;

/**
 * The queue as the app wires it, for tests outside this package (the Kubernetes controllers'): a {@link JobQueue} and
 * the store's audit log, over a {@link MockQueueCluster} of two 8-GPU H100
 * nodes with its injected clock, deterministic estimates (600 s per epoch) and stand-in kubelet.
 */
public final class QueueOnMock implements AutoCloseable {
    private final MockQueueCluster cluster;
    private final JobQueue jobs;
    private final AuditLog audit;

    public QueueOnMock(Store store) throws Exception {
        cluster = new MockQueueCluster(store, List.of(MockQueueCluster.h100("h100-a"), MockQueueCluster.h100("h100-b")),
                new StatusLockingDispatcher());
        QueueHarness q = cluster.q;
        PriorityConfig priorities = PriorityConfig.defaults();
        jobs = new JobQueue(q.queue, q.index, new JobLauncher(q.client, priorities, q.templates), priorities, QuotaConfig.defaults(),
                q.templates, q::budgetStatus, node -> OptionalDouble.empty(), q.prices, q.clock, q::estimate, QueueEvents.NONE);
        audit = new AuditLog(store);
    }

    public KubernetesClient client() {
        return cluster.q.client;
    }

    public MutableClock clock() {
        return cluster.q.clock;
    }

    public JobQueue jobs() {
        return jobs;
    }

    /** The store's audit log. */
    public AuditLog audit() {
        return audit;
    }

    /** A GPU quota for {@code team}, as its ResourceQuota. */
    public QueueOnMock quota(String team, int gpus) {
        cluster.quota(team, gpus);
        return this;
    }

    /** A monthly budget of {@code limit} for {@code team}, {@code spent} of it spent. */
    public QueueOnMock budget(String team, String limit, String spent) {
        cluster.q.budgetLimit.put(team, new BigDecimal(limit));
        cluster.q.spent.put(team, new BigDecimal(spent));
        return this;
    }

    /** One admission pass (reconcile, then admit), as the admission loop runs it. */
    public void pass() {
        jobs.pass();
    }

    /** The stand-in kubelet: a Running pod for every Job without one. */
    public void startPods() {
        cluster.q.startPods();
    }

    /** Completes a job's current attempt (Job Complete, pod Succeeded). */
    public void finish(String jobId) {
        cluster.q.finish(jobId);
    }

    /** The job as stored. */
    public QueuedJob job(String jobId) {
        return cluster.q.job(jobId);
    }

    /** Waits, at most 10 s, for {@code condition}. */
    public static void await(BooleanSupplier condition) {
        QueueHarness.await(condition);
    }

    @Override
    public void close() {
        cluster.close();
    }
}

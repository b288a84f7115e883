package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * docs/queue.md rules 4 and 12 under real concurrency, on each store: 10 parallel 1-GPU submissions by
 * a team with a 1-GPU quota, through two replicas (two schedulers sharing the store), leave exactly
 * one admitted, over many repetitions.
 */
abstract class QueueConcurrencyContract {
    static final int REPETITIONS = 25;

    MockQueueCluster cluster;

    KubernetesClient client() {
        return q.client;
    }

    abstract Store store() throws Exception;

    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(store(), MockQueueCluster.h100("h100-c"), MockQueueCluster.h100("h100-d"));
        q = cluster.q;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void queueRule4_tenConcurrentOneGpuSubmissionsWithAOneGpuQuotaLeaveExactlyOneAdmitted() throws Exception {
        List<QueueService> replicas = List.of(q.service, q.replica(Scheduler.Settings.defaults()).service());
        ExecutorService pool = Executors.newFixedThreadPool(10);
        try {
            for (int rep = 0; rep < REPETITIONS; rep++) {
                String team = "race-" + rep;
                q.quota(team, 1);
                CountDownLatch go = new CountDownLatch(1);
                List<Future<QueueAnswer>> answers = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    QueueService via = replicas.get(i % 2);
                    int n = i;
                    answers.add(pool.submit(() -> {
                        go.await();
                        return via.submit(request(team, "run-" + n, "mnist", 1, Priority.NORMAL));
                    }));
                }
                go.countDown();
                for (Future<QueueAnswer> f : answers) {
                    f.get(60, TimeUnit.SECONDS);
                }
                q.scheduler.pass();
                List<QueuedJob> mine = q.all().stream().filter(j -> j.team().equals(team)).toList();
                assertThat(mine).as("repetition " + rep).hasSize(10);
                assertThat(mine.stream().filter(j -> j.state() == JobState.SCHEDULED)).as("repetition " + rep + ": "
                        + mine.stream().map(j -> j.state() + "/" + j.reason() + "/" + j.reasonDetail()).toList()).hasSize(1);
                assertThat(mine.stream().filter(j -> j.state() == JobState.QUEUED)).allSatisfy(j ->
                        assertThat(j.reason()).isEqualTo(Reason.QUOTA_EXCEEDED));
                assertThat(client().batch().v1().jobs().inNamespace(team).list().getItems()).as("repetition " + rep).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void twoSubmissionsRacingWithTheSameIdempotencyKeyGetTheSameJobAndNoError() throws Exception {
        q.quota("idem-team", 64);
        List<QueueService> replicas = List.of(q.service, q.replica(Scheduler.Settings.defaults()).service());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int rep = 0; rep < REPETITIONS * 2; rep++) {
                String key = "idem-" + rep;
                CyclicBarrier together = new CyclicBarrier(2);
                List<Future<QueueAnswer>> answers = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    QueueService via = replicas.get(i);
                    answers.add(pool.submit(() -> {
                        together.await(); // both threads are released at once
                        return via.submit(new QueueRequest("mnist", "idem-" + key, "idem-team", 1, 64, Priority.NORMAL, 1, "H100", null,
                                null, null, null, key));
                    }));
                }
                QueueAnswer first = answers.get(0).get(60, TimeUnit.SECONDS);
                QueueAnswer second = answers.get(1).get(60, TimeUnit.SECONDS);
                assertThat(second.jobId()).as("repetition " + rep).isEqualTo(first.jobId());
                assertThat(q.all().stream().filter(j -> key.equals(j.idempotencyKey()))).as("repetition " + rep).hasSize(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void queueRule12_admissionTakesQuotaAndBudgetInOneTransactionWithOneAdmissionLoopAtATime() throws Exception {
        // a budget with room for exactly one $2.29 job; ten are queued, then two replicas run passes at once
        q.quota("budget-team", 16);
        q.budgetLimit.put("budget-team", new java.math.BigDecimal("3.00"));
        for (int i = 0; i < 10; i++) {
            q.enqueue(request("budget-team", "b-" + i, "mnist", 1, Priority.NORMAL));
        }
        List<Scheduler> schedulers = List.of(q.scheduler, q.replica(Scheduler.Settings.defaults()).scheduler());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> passes = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                Scheduler s = schedulers.get(i % 2);
                passes.add(pool.submit(() -> {
                    go.await();
                    return s.pass();
                }));
            }
            go.countDown();
            for (Future<?> p : passes) {
                p.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        List<QueuedJob> mine = q.all().stream().filter(j -> j.team().equals("budget-team")).toList();
        assertThat(mine.stream().filter(j -> j.state() == JobState.SCHEDULED)).hasSize(1);
        assertThat(mine.stream().filter(j -> j.state() == JobState.QUEUED)).hasSize(9).allSatisfy(j ->
                assertThat(j.reason()).isEqualTo(Reason.BUDGET_EXCEEDED));
    }
}

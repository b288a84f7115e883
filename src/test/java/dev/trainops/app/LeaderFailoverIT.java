package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.modelcontextprotocol.client.McpSyncClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "Faults of a shared service": two replicas on one PostgreSQL and one API server; the
 * one holding the Lease {@code trainops-leader} is killed with SIGKILL in the middle of a burst of
 * submissions (to both replicas) while a sequential batch runs. The other takes over the Lease,
 * admission, billing and the batch within the lease duration plus one admission period (the
 * takeover is printed); every acknowledged submission is in the queue exactly once (retried with
 * its idempotency key it comes back as it was), every job attempt has at most one batch/v1 Job,
 * the batch completes one item after another, and no pod's usage is billed twice.
 */
class LeaderFailoverIT {
    static final int BURST = 20;
    static final Duration LEASE = Duration.ofSeconds(15);
    static final Duration TAKEOVER_BOUND = LEASE.plus(QueueModule.ADMIT_EVERY);

    @TempDir
    Path dir;

    // the same burst and batch as QueueCrashIT's crash of a single process
    static Map<String, Object> burstJob(int i) {
        return QueueCrashIT.burstJob(i);
    }

    static Map<String, Object> batch() {
        return QueueCrashIT.batch();
    }

    static Duration runFor(io.fabric8.kubernetes.api.model.batch.v1.Job job) {
        String run = job.getMetadata().getLabels().getOrDefault(KubeNames.LABEL_RUN_NAME, "");
        return run.startsWith("nightly-") ? Duration.ofSeconds(8) : Duration.ofSeconds(5);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theOtherReplicaTakesOverAdmissionBillingAndTheBatchAndNothingAcknowledgedIsLostOrDoubled() throws Exception {
        try (SharedService service = SharedService.start(dir, LeaderFailoverIT::runFor)) {
            SharedService.Replica a = service.spawn("replica-a");
            SharedService.Replica b = service.spawn("replica-b");
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(90));
            try {
                // exactly one leads, and the Lease names it
                PostgresRestartIT.await(Duration.ofSeconds(40), "one replica leads", () -> a.leader().orElse(false) ^ b.leader().orElse(false));
                SharedService.Replica leader = a.leader().orElseThrow() ? a : b;
                SharedService.Replica survivor = leader == a ? b : a;
                assertThat(survivor.leader()).as("/healthz of the other says leader: false").contains(false);
                assertThat(holder(service)).as("the Lease's holder").startsWith(leader.name);

                Map<String, String> acknowledged = new ConcurrentHashMap<>();
                String batchId;
                Instant killed;
                long killedNanos;
                try (McpSyncClient toLeader = leader.connect(); McpSyncClient toSurvivor = survivor.connect()) {
                    SandboxServers.awaitReady(toLeader::callTool);
                    SandboxServers.awaitReady(toSurvivor::callTool);
                    batchId = (String) PostgresRestartIT.call(toSurvivor, "submit_batch_training", batch()).get("batch_id");
                    PostgresRestartIT.await(Duration.ofSeconds(30), "the batch's first item runs", () -> "RUNNING".equals(
                            items(toSurvivor, batchId).get(0).get("state")));

                    // a burst from 10 clients, to both replicas; the leader dies in the middle of it
                    ExecutorService pool = Executors.newFixedThreadPool(10);
                    CountDownLatch half = new CountDownLatch(BURST / 2);
                    for (int i = 0; i < BURST; i++) {
                        int n = i;
                        McpSyncClient to = n % 2 == 0 ? toLeader : toSurvivor;
                        pool.submit(() -> {
                            try {
                                var r = to.callTool(new io.modelcontextprotocol.spec.McpSchema.CallToolRequest("queue_training_job", burstJob(n)));
                                if (!Boolean.TRUE.equals(r.isError())) {
                                    acknowledged.put("burst-key-" + n, (String) ((Map<String, Object>) r.structuredContent()).get("job_id"));
                                }
                            } catch (RuntimeException lostWithTheLeader) {
                                // not acknowledged: the client retries it below
                            } finally {
                                half.countDown();
                            }
                        });
                    }
                    assertThat(half.await(60, TimeUnit.SECONDS)).as("half the burst answered").isTrue();
                    leader.kill();
                    killedNanos = System.nanoTime();
                    killed = Instant.now();
                    pool.shutdown();
                    assertThat(pool.awaitTermination(60, TimeUnit.SECONDS)).isTrue();

                    // the survivor takes the Lease once the dead leader's has run out
                    long takeover = -1;
                    long deadline = killedNanos + Duration.ofSeconds(60).toNanos();
                    while (System.nanoTime() < deadline) {
                        if (survivor.leader().orElse(false)) {
                            takeover = (System.nanoTime() - killedNanos) / 1_000_000;
                            break;
                        }
                        Thread.sleep(50);
                    }
                    System.out.printf("takeover: %d ms%n", takeover);
                    assertThat(takeover).as("the survivor leads within 60 s of the SIGKILL").isNotNegative();
                    assertThat(takeover).as("takeover within the lease and one admission period").isLessThanOrEqualTo(TAKEOVER_BOUND.toMillis());
                    assertThat(holder(service)).as("the Lease's holder after the takeover").startsWith(survivor.name);
                    System.out.printf("leader failover: %d of %d burst submissions acknowledged before and around the SIGKILL%n",
                            acknowledged.size(), BURST);
                    assertThat(acknowledged).as("some submissions were acknowledged").isNotEmpty();

                    // the clients retry every submission with its key: acknowledged ones come back as they were
                    Map<String, String> after = new HashMap<>();
                    for (int i = 0; i < BURST; i++) {
                        after.put("burst-key-" + i, (String) PostgresRestartIT.call(toSurvivor, "queue_training_job", burstJob(i)).get("job_id"));
                    }
                    acknowledged.forEach((key, id) -> assertThat(after.get(key)).as(key).isEqualTo(id));
                    assertThat(PostgresRestartIT.call(toSurvivor, "submit_batch_training", batch()).get("batch_id")).isEqualTo(batchId);

                    // the survivor admits the whole burst and runs the batch to the end
                    PostgresRestartIT.await(Duration.ofSeconds(120), "every burst job and the batch end", () -> {
                        List<Map<String, Object>> jobs = (List<Map<String, Object>>) PostgresRestartIT.call(toSurvivor,
                                "get_job_queue_status", Map.of("team", "team-b")).get("jobs");
                        long done = jobs.stream().filter(j -> String.valueOf(j.get("run_name")).startsWith("burst-")
                                && "SUCCEEDED".equals(j.get("state"))).count();
                        return done == BURST && Boolean.TRUE.equals(PostgresRestartIT.call(toSurvivor, "get_batch_status",
                                Map.of("batch_id", batchId)).get("done"));
                    });
                    List<Map<String, Object>> items = items(toSurvivor, batchId);
                    assertThat(items).hasSize(3).allSatisfy(item -> assertThat(item.get("state")).isEqualTo("SUCCEEDED"));
                    for (int i = 1; i < items.size(); i++) {
                        assertThat(Instant.parse((String) items.get(i).get("started"))).as("item %d started after item %d ended", i, i - 1)
                                .isAfterOrEqualTo(Instant.parse((String) items.get(i - 1).get("ended")));
                    }
                    assertThat(items.stream().anyMatch(item -> Instant.parse((String) item.get("started")).isAfter(killed)))
                            .as("the survivor started a batch item after the SIGKILL").isTrue();
                }

                // in the store: each submission once, and admissions after the kill (the survivor's)
                List<String> keys = service.query("SELECT idempotency_key FROM queue_job WHERE run_name LIKE 'burst-%' ORDER BY idempotency_key",
                        rs -> rs.getString(1));
                assertThat(keys).as("one queue row per submission").doesNotHaveDuplicates().hasSize(BURST);
                long admittedAfter = service.query("SELECT COUNT(*) FROM queue_job WHERE admitted_ms > " + killed.toEpochMilli(),
                        rs -> rs.getLong(1)).get(0);
                assertThat(admittedAfter).as("jobs admitted after the SIGKILL").isPositive();
                // in the API server: one Job per job attempt, for every job that ran
                Map<String, Integer> jobs = service.jobsPerAttempt();
                assertThat(jobs).allSatisfy((attempt, n) -> assertThat(n).as(attempt).isEqualTo(1));
                List<String> ran = service.query("SELECT job_id, attempt FROM queue_job WHERE state = 'SUCCEEDED'",
                        rs -> rs.getString(1) + "#" + rs.getInt(2));
                assertThat(ran).hasSize(BURST + 3);
                assertThat(jobs.keySet()).containsAll(ran);

                // billing: the survivor records every pod to its end, each second once
                Map<String, SharedService.Kubelet.Run> runs = service.kubelet.runs();
                PostgresRestartIT.await(Duration.ofSeconds(40), "the ledger reaches the end of every pod", () -> {
                    Map<String, Long> until = new HashMap<>();
                    service.ledger().forEach(s -> until.merge(s.pod(), s.endMs(), Math::max));
                    return runs.entrySet().stream().allMatch(e -> e.getValue().finished() != null
                            && until.getOrDefault(e.getKey(), -1L) == e.getValue().finished().toEpochMilli());
                });
                assertThat(service.ledgerProblems()).isEmpty();
                long billedAfter = service.query("SELECT COUNT(*) FROM usage_slice WHERE recorded_ms > " + killed.toEpochMilli(),
                        rs -> rs.getLong(1)).get(0);
                assertThat(billedAfter).as("usage recorded after the SIGKILL").isPositive();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- replica-a:\n" + a.logTail(40) + "\n--- replica-b:\n" + b.logTail(40)
                        + "\n--- kubelet: " + service.kubelet.lastError(), e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> items(McpSyncClient c, String batchId) {
        return (List<Map<String, Object>>) PostgresRestartIT.call(c, "get_batch_status", Map.of("batch_id", batchId)).get("items");
    }

    static String holder(SharedService service) {
        Lease lease = service.kube.leases().inNamespace(SharedService.NAMESPACE).withName("trainops-leader").get();
        return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
    }
}

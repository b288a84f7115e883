package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.queue.QueueStore;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, "Faults of a shared service": PostgreSQL restarts under two replicas in the middle of an
 * admission pass. The test holds the admission's advisory lock, so the replicas' next passes wait
 * inside their transactions, and restarts PostgreSQL while they do: those passes fail cleanly
 * (counted on /metrics, the process serving on), calls during the outage answer
 * UPSTREAM_UNAVAILABLE naming the store within 500 ms, and without being restarted the replicas
 * answer again, the next pass completes, a new job is admitted, and the job running throughout is
 * billed exactly once for its whole run.
 */
class PostgresRestartIT {
    static final Duration LONG_RUN = Duration.ofSeconds(35);
    static final long ANSWER_WITHIN_MS = 500;

    @TempDir
    Path dir;

    @Test
    void aRestartDuringAPassFailsThatPassCleanlyCallsAnswerUpstreamUnavailableFastAndTheReplicasRecoverByThemselves() throws Exception {
        try (SharedService service = SharedService.start(dir, job -> "through-the-restart".equals(
                job.getMetadata().getLabels().get(dev.trainops.kube.KubeNames.LABEL_RUN_NAME)) ? LONG_RUN : Duration.ofMinutes(10))) {
            SharedService.Replica a = service.spawn("replica-a");
            SharedService.Replica b = service.spawn("replica-b");
            a.awaitReady(Duration.ofSeconds(90));
            b.awaitReady(Duration.ofSeconds(90));
            try (McpSyncClient ca = a.connect(); McpSyncClient cb = b.connect()) {
                SandboxServers.awaitReady(ca::callTool);
                SandboxServers.awaitReady(cb::callTool);

                String through = (String) call(ca, "queue_training_job", job("through-the-restart")).get("job_id");
                awaitState(ca, through, "RUNNING", Duration.ofSeconds(30));

                Map<String, Double> failuresBefore = admissionFailures(a, b);
                Instant restarted;
                // a pass in progress: the replicas' next admission passes wait for the lock this test holds
                try (Connection holder = service.pg.connect()) {
                    try (PreparedStatement ps = holder.prepareStatement("SELECT pg_advisory_lock(?)")) {
                        ps.setLong(1, QueueStore.ADMISSION_LOCK);
                        ps.execute();
                    }
                    await(Duration.ofSeconds(15), "an admission pass waits inside its transaction", () -> waitingPasses(service) > 0);
                    service.pg.stop(true);
                }
                long stoppedAt = System.nanoTime();
                try {
                    // every call that needs the store answers UPSTREAM_UNAVAILABLE (store), fast, on both replicas
                    List<String> timings = new ArrayList<>();
                    for (int round = 0; round < 3; round++) {
                        for (McpSyncClient c : List.of(ca, cb)) {
                            for (var probe : List.of(
                                    new McpSchema.CallToolRequest("get_job_queue_status", Map.of("team", "team-b")),
                                    new McpSchema.CallToolRequest("queue_training_job", job("during-the-outage")),
                                    new McpSchema.CallToolRequest("get_budget_status", Map.of("scope", "team-b")))) {
                                long t0 = System.nanoTime();
                                McpSchema.CallToolResult r = c.callTool(probe);
                                long ms = (System.nanoTime() - t0) / 1_000_000;
                                timings.add(probe.name() + "=" + ms + "ms");
                                Map<String, Object> error = SandboxServers.error(r);
                                assertThat(error.get("code")).as(probe.name() + ": " + r.content()).isEqualTo("UPSTREAM_UNAVAILABLE");
                                assertThat(error.get("details")).as(probe.name()).isEqualTo(Map.of("backend", "store"));
                                // the store by name, or (a pooled connection the restart cut mid-statement) the cut connection
                                assertThat((String) error.get("message")).startsWith("The store did not answer: ")
                                        .containsAnyOf("the PostgreSQL store at 127.0.0.1:" + service.pg.port(), "the connection to it was cut")
                                        .doesNotContain("jdbc:", "Exception", "postgres@");
                                assertThat(ms).as(probe.name() + " answered within " + ANSWER_WITHIN_MS + " ms").isLessThanOrEqualTo(ANSWER_WITHIN_MS);
                            }
                        }
                        Thread.sleep(700);
                    }
                    System.out.println("outage answers: " + String.join(" ", timings));
                    // the passes cut by the restart, and those while it is down, failed and were counted; the processes serve on
                    await(Duration.ofSeconds(10), "a failed admission pass is counted", () -> {
                        Map<String, Double> now = admissionFailures(a, b);
                        return now.keySet().stream().anyMatch(k -> now.get(k) > failuresBefore.getOrDefault(k, 0.0));
                    });
                    assertThat(a.process.isAlive()).isTrue();
                    assertThat(b.process.isAlive()).isTrue();
                } finally {
                    if (!service.pg.running()) {
                        service.pg.startAgain();
                    }
                    restarted = Instant.now();
                }
                System.out.printf("postgres outage: %d ms%n", (System.nanoTime() - stoppedAt) / 1_000_000);

                // nobody restarts the replicas: they answer again by themselves
                for (McpSyncClient c : List.of(ca, cb)) {
                    long t0 = System.nanoTime();
                    await(Duration.ofSeconds(20), "the replica answers again", () -> !Boolean.TRUE.equals(
                            c.callTool(new McpSchema.CallToolRequest("get_job_queue_status", Map.of("team", "team-b"))).isError()));
                    System.out.printf("recovered: %d ms after PostgreSQL was back%n", (System.nanoTime() - t0) / 1_000_000);
                }
                // the next pass completes: its success is newer than the restart, and a new job is admitted
                await(Duration.ofSeconds(20), "an admission pass completes after the restart", () -> lastAdmission(a, b) > restarted.getEpochSecond());
                String after = (String) call(cb, "queue_training_job", job("after-the-restart")).get("job_id");
                awaitState(cb, after, "RUNNING", Duration.ofSeconds(30));
                // nothing submitted during the outage was stored; nothing acknowledged was lost
                List<String> runs = service.query("SELECT run_name FROM queue_job ORDER BY run_name", rs -> rs.getString(1));
                assertThat(runs).containsExactly("after-the-restart", "through-the-restart");
                assertThat(service.jobsPerAttempt()).as("one Job per attempt").allSatisfy((k, n) -> assertThat(n).as(k).isEqualTo(1));

                // the job that ran through the restart is billed once for its whole run
                awaitState(ca, through, "SUCCEEDED", LONG_RUN.plusSeconds(30));
                String pod = "team-b/" + service.kubelet.runs().entrySet().stream().filter(e -> through.equals(e.getValue().job()))
                        .map(e -> e.getKey().substring("team-b/".length())).findFirst().orElseThrow();
                long finished = service.kubelet.runs().get(pod).finished().toEpochMilli();
                await(Duration.ofSeconds(40), "the ledger reaches the end of " + pod, () -> service.ledger().stream()
                        .anyMatch(s -> s.pod().equals(pod) && s.endMs() == finished));
                assertThat(service.ledgerProblems()).isEmpty();
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n--- replica-a:\n" + a.logTail(40) + "\n--- replica-b:\n" + b.logTail(40)
                        + "\n--- postgres:\n" + service.pg.logTail(20), e);
            }
        }
    }

    static Map<String, Object> job(String run) {
        return Map.of("model", "mnist", "run_name", run, "team", "team-b", "epochs", 3, "batch_size", 32, "gpu_type", "L4",
                "idempotency_key", "key-" + run);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest(tool, args));
        assertThat(r.isError()).as(tool + ": " + r.content()).isFalse();
        return (Map<String, Object>) r.structuredContent();
    }

    @SuppressWarnings("unchecked")
    static String state(McpSyncClient c, String jobId) {
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) call(c, "get_job_queue_status", Map.of("job_id", jobId)).get("jobs");
        return jobs.stream().filter(j -> jobId.equals(j.get("job_id"))).map(j -> (String) j.get("state")).findFirst().orElse(null);
    }

    static void awaitState(McpSyncClient c, String jobId, String state, Duration timeout) throws Exception {
        String[] last = new String[1];
        try {
            await(timeout, jobId + " reaches " + state, () -> state.equals(last[0] = state(c, jobId)));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (it is " + last[0] + ")", e);
        }
    }

    /** Admission passes that wait for the advisory lock the test holds. */
    static long waitingPasses(SharedService service) throws Exception {
        return service.query("SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted", rs -> rs.getLong(1)).get(0);
    }

    static Map<String, Double> admissionFailures(SharedService.Replica... replicas) {
        Map<String, Double> out = new java.util.HashMap<>();
        for (SharedService.Replica r : replicas) {
            r.metric("trainops_background_loop_failures_total", "loop=\"admission\"").ifPresent(v -> out.put(r.name, v));
        }
        return out;
    }

    static double lastAdmission(SharedService.Replica... replicas) {
        double last = 0;
        for (SharedService.Replica r : replicas) {
            last = Math.max(last, r.metric("trainops_background_loop_last_success_timestamp_seconds", "loop=\"admission\"").orElse(0.0));
        }
        return last;
    }

    @FunctionalInterface
    interface Check {
        boolean holds() throws Exception;
    }

    static void await(Duration timeout, String what, Check check) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Exception last = null;
        while (System.nanoTime() < deadline) {
            try {
                if (check.holds()) {
                    return;
                }
            } catch (Exception e) {
                last = e;
            }
            Thread.sleep(200);
        }
        throw new AssertionError(what + ": not within " + timeout.toSeconds() + " s" + (last == null ? "" : " (last: " + last + ")"));
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
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
 * Issue 4's crash test: the packaged server (sandbox, HTTP) is killed with SIGKILL in the middle of
 * a burst of submissions while a sequential batch runs. After a restart on the same data
 * directory, every acknowledged job is there exactly once (retried submissions with the same
 * idempotency keys return it), and the batch completes with one Kubernetes Job per item.
 */
class QueueCrashIT {
    static final int BURST = 20;

    @TempDir
    Path dataDir;

    int port;

    Process launch() throws Exception {
        port = SandboxServers.freePort();
        return SandboxServers.http(dataDir, port, "60");
    }

    McpSyncClient connect() {
        McpSyncClient c = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        c.initialize();
        return c;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient c, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest(tool, args));
        if (Boolean.TRUE.equals(r.isError())) {
            throw new IllegalStateException(tool + ": " + r.content());
        }
        return (Map<String, Object>) r.structuredContent();
    }

    static Map<String, Object> burstJob(int i) {
        return Map.of("model", "mnist", "run_name", "burst-" + i, "team", "team-b", "epochs", 3, "batch_size", 32, "gpu_type", "L4",
                "idempotency_key", "burst-key-" + i);
    }

    static Map<String, Object> batch() {
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            items.add(Map.of("model", "validation", "run_name", "nightly-" + i, "team", "team-c", "epochs", 1, "batch_size", 16,
                    "gpu_type", "T4"));
        }
        return Map.of("jobs", items, "batch_name", "nightly validation", "idempotency_key", "nightly-2026-12-01");
    }

    @Test
    @SuppressWarnings("unchecked")
    void afterASigkillEveryAcknowledgedJobIsThereOnceAndTheBatchCompletesWithoutDuplicates() throws Exception {
        Process server = launch();
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        String batchId = null;
        try (McpSyncClient c = connect()) {
            batchId = (String) call(c, "submit_batch_training", batch()).get("batch_id");
            // a burst from 10 clients; the server dies in the middle of it
            ExecutorService pool = Executors.newFixedThreadPool(10);
            CountDownLatch half = new CountDownLatch(BURST / 2);
            for (int i = 0; i < BURST; i++) {
                int n = i;
                pool.submit(() -> {
                    try {
                        Map<String, Object> a = call(c, "queue_training_job", burstJob(n));
                        acknowledged.put("burst-key-" + n, (String) a.get("job_id"));
                    } catch (RuntimeException lostWithTheServer) {
                        // not acknowledged: the client will retry it
                    } finally {
                        half.countDown();
                    }
                });
            }
            half.await(60, TimeUnit.SECONDS);
            server.destroyForcibly(); // SIGKILL
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
            pool.shutdown();
            pool.awaitTermination(60, TimeUnit.SECONDS);
        } catch (RuntimeException clientClosingOnADeadServer) {
            // the client's close may fail against a dead server
        }
        System.out.printf("queue crash test: %d of %d burst submissions acknowledged before the SIGKILL%n", acknowledged.size(), BURST);
        assertThat(batchId).as("the batch was acknowledged").isNotNull();
        assertThat(acknowledged).as("some submissions were acknowledged before the kill").isNotEmpty();

        server = launch();
        try (McpSyncClient c = connect()) {
            // the clients retry every submission with its key: acknowledged ones come back as they were
            Map<String, String> after = new HashMap<>();
            for (int i = 0; i < BURST; i++) {
                after.put("burst-key-" + i, (String) call(c, "queue_training_job", burstJob(i)).get("job_id"));
            }
            acknowledged.forEach((key, id) -> assertThat(after.get(key)).as(key).isEqualTo(id));
            List<Map<String, Object>> jobs = (List<Map<String, Object>>) call(c, "get_job_queue_status", Map.of("team", "team-b")).get("jobs");
            for (int i = 0; i < BURST; i++) {
                String run = "burst-" + i;
                assertThat(jobs.stream().filter(j -> run.equals(j.get("run_name")))).as(run).hasSize(1);
            }
            Map<String, Object> again = call(c, "submit_batch_training", batch());
            assertThat(again.get("batch_id")).isEqualTo(batchId);
            // the batch runs to the end, one item after another
            Map<String, Object> status = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
            while (System.nanoTime() < deadline) {
                status = call(c, "get_batch_status", Map.of("batch_id", batchId));
                if (Boolean.TRUE.equals(status.get("done"))) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(status.get("done")).as(String.valueOf(status)).isEqualTo(true);
            List<Map<String, Object>> items = (List<Map<String, Object>>) status.get("items");
            assertThat(items).hasSize(3).allSatisfy(item -> assertThat(item.get("state")).isEqualTo("SUCCEEDED"));
            // as instants: ISO strings of different precision ("...:05Z", "...:05.250Z") do not sort as time
            for (int i = 1; i < items.size(); i++) {
                Instant started = Instant.parse((String) items.get(i).get("started"));
                Instant previousEnded = Instant.parse((String) items.get(i - 1).get("ended"));
                assertThat(started).as("item %d started after item %d ended", i, i - 1).isAfterOrEqualTo(previousEnded);
            }
            // one Kubernetes Job per item, never two
            Thread.sleep(2500); // the sandbox saves its state every 2 s
            KubernetesList state = new KubernetesSerialization().unmarshal(
                    Files.readString(dataDir.resolve("sandbox").resolve("cluster-state.yaml")), KubernetesList.class);
            Map<String, Integer> jobsPerItem = new HashMap<>();
            for (HasMetadata o : state.getItems()) {
                if (o instanceof Job j && j.getMetadata().getLabels() != null && j.getMetadata().getLabels().containsKey("trainops.dev/job-id")) {
                    jobsPerItem.merge(j.getMetadata().getLabels().get("trainops.dev/job-id"), 1, Integer::sum);
                }
            }
            for (Map<String, Object> item : items) {
                assertThat(jobsPerItem.get((String) item.get("job_id"))).as((String) item.get("job_id")).isEqualTo(1);
            }
        } finally {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }
}

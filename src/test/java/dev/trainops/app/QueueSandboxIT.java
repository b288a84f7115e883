package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4 in the sandbox through a real MCP client over stdio: fill the free H100s with BACKGROUND
 * jobs, queue an URGENT one, and watch it start while a background job returns to the queue with
 * a PREEMPTED reason naming it. The jobs really move through the states on the simulated kubelet.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QueueSandboxIT {
    @TempDir
    static Path dataDir;

    McpSyncClient client;

    @BeforeAll
    void launch() {
        client = SandboxServers.connect(McpClient.sync(SandboxServers.stdio(dataDir)));
    }

    @AfterAll
    void close() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    Map<String, Object> call(String tool, Map<String, Object> args) {
        return SandboxServers.call(client, tool, args);
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> job(String id) {
        List<Map<String, Object>> jobs = (List<Map<String, Object>>) call("get_job_queue_status", Map.of("job_id", id)).get("jobs");
        return jobs.get(0);
    }

    void await(String id, Predicate<Map<String, Object>> condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        Map<String, Object> last = null;
        while (System.nanoTime() < deadline) {
            last = job(id);
            if (condition.test(last)) {
                return;
            }
            Thread.sleep(300);
        }
        throw new AssertionError("job " + id + " never got there; last seen " + last);
    }

    Map<String, Object> submit(String team, String run, String model, int gpus, String priority) {
        return call("queue_training_job", Map.of("model", model, "run_name", run, "team", team, "epochs",
                priority.equals("BACKGROUND") ? 400 : 20, "batch_size", 64,
                "gpu_type", "H100", "gpu_count", gpus, "priority", priority));
    }

    @Test
    void anUrgentJobStartsWhileABackgroundJobReturnsToTheQueueWithItsReason() throws Exception {
        // the sandbox's H100s: 16, of which llm-pretrain-7 holds 4; the teams' quotas: 8, 6, 4
        String a = (String) submit("team-a", "bg-a", "validation", 4, "BACKGROUND").get("job_id");
        String b = (String) submit("team-b", "bg-b", "validation", 4, "BACKGROUND").get("job_id");
        String c = (String) submit("team-c", "bg-c", "validation", 4, "BACKGROUND").get("job_id");
        for (String id : List.of(a, b, c)) {
            await(id, j -> "RUNNING".equals(j.get("state")));
        }
        // team-b holds 5 of its 6 GPUs (bg-b and the seeded mnist-sweep-3): room for one more
        Map<String, Object> urgent = submit("team-b", "urgent-llm", "llm", 1, "URGENT");
        String u = (String) urgent.get("job_id");
        assertThat(urgent.get("priority_class")).isEqualTo("trainops-urgent");
        await(u, j -> "RUNNING".equals(j.get("state")));
        // exactly one BACKGROUND job made room, and says who took it
        List<Map<String, Object>> victims = List.of(job(a), job(b), job(c)).stream()
                .filter(j -> u.equals(j.get("preempted_by"))).toList();
        assertThat(victims).singleElement().satisfies(v -> {
            assertThat(v.get("state")).isIn("PREEMPTED", "QUEUED");
            assertThat((String) v.get("reason_detail")).contains("Preempted by URGENT job " + u);
        });
        String victim = (String) victims.get(0).get("job_id");
        await(victim, j -> "QUEUED".equals(j.get("state")) && "PREEMPTED".equals(j.get("reason")));
        assertThat(((Number) job(victim).get("preemptions")).intValue()).isEqualTo(1);
        // the queue is also a resource
        assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri).contains("trainops://queue");
        String queue = ((McpSchema.TextResourceContents) client.readResource(new McpSchema.ReadResourceRequest("trainops://queue"))
                .contents().get(0)).text();
        assertThat(queue).contains("\"jobs\"").contains(victim).contains(u);
        // cancel it: it leaves the queue and cost nothing more
        Map<String, Object> cancelled = call("cancel_training_job", Map.of("job_id", victim, "reason", "not needed today"));
        assertThat(cancelled).containsEntry("previous_state", "QUEUED").containsEntry("new_state", "CANCELLED");
    }
}

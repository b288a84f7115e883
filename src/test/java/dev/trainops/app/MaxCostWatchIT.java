package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * The cap is watched, end to end (issue 13, item 6; docs/monitoring.md): the packaged server on the
 * sandbox at 60x, over Streamable HTTP, and the SDK's own client subscribed to the job's resource.
 * A job with a max_cost runs past 80% of it: the session gets a NEAR_MAX_COST log notification, a
 * resource update whose content is the job RUNNING with its cost so far and the warning, and
 * {@code trainops_job_cost_to_cap_ratio} shows it at or above 0.8 (TrainingJobNearMaxCost's
 * threshold; the rule's promtool test is in config/prometheus/tests). At 100% it is stopped: a
 * MAX_COST_REACHED log notification, a resource update with the job FAILED, its cost so far and how
 * to continue, and its series leaves /metrics.
 *
 * <p>The job's model has no run history, so nothing caps it at submission and the sandbox runs it
 * for 50 x 300 s; $6.88/h x 60 reaches $11.47 in about 100 s at peak (200 s off-peak), so it sits
 * between 80% and 100% for about 20 s, longer than the collector's 15 s.
 */
class MaxCostWatchIT {
    static final Pattern SAMPLE = Pattern.compile("^trainops_job_cost_to_cap_ratio\\{([^}]*)} (\\S+)$", Pattern.MULTILINE);

    @TempDir
    Path dataDir;
    Process server;
    McpAsyncClient client;
    final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.closeGracefully().block(Duration.ofSeconds(20));
        }
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aJobIsWarnedAtEightyPercentOfItsMaxCostAndStoppedAtItThroughARealClient() throws Exception {
        int port = SandboxServers.freePort();
        server = SandboxServers.http(dataDir, port, "60");
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        List<String> updates = new CopyOnWriteArrayList<>();
        client = McpClient.async(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30))
                .loggingConsumer(m -> Mono.fromRunnable(() -> logs.add(m)))
                .resourcesUpdateConsumer(contents -> Mono.fromRunnable(() -> contents.forEach(c ->
                        updates.add(((McpSchema.TextResourceContents) c).text()))))
                .build();
        McpSchema.InitializeResult init = client.initialize().block(Duration.ofSeconds(30));
        assertThat(init.capabilities().resources().subscribe()).as("resources.subscribe declared").isTrue();
        SandboxServers.awaitReady(request -> client.callTool(request).block(Duration.ofSeconds(30)));

        McpSchema.CallToolResult queued = client.callTool(new McpSchema.CallToolRequest("queue_training_job", Map.of("model", "capwatch",
                "run_name", "capwatch-1", "team", "team-a", "epochs", 50, "batch_size", 32, "gpu_type", "H100", "max_cost", "11.47")))
                .block(Duration.ofSeconds(30));
        assertThat(queued.isError()).as(String.valueOf(queued.content())).isFalse();
        String jobId = (String) ((Map<String, Object>) queued.structuredContent()).get("job_id");
        client.subscribeResource(new McpSchema.SubscribeRequest("trainops://jobs/" + jobId)).block(Duration.ofSeconds(30));

        double seenAtOrAboveCap80 = -1;
        long deadline = System.nanoTime() + Duration.ofSeconds(360).toNanos();
        while (System.nanoTime() < deadline && !told(logs, jobId, "MAX_COST_REACHED")) {
            Double ratio = ratio(metrics(port), jobId);
            if (ratio != null && ratio >= 0.8) {
                seenAtOrAboveCap80 = Math.max(seenAtOrAboveCap80, ratio);
            }
            Thread.sleep(500);
        }

        // the log notifications: the warning at 80%, then the stop
        McpSchema.LoggingMessageNotification near = logs.stream().filter(m -> is(m, jobId, "NEAR_MAX_COST")).findFirst()
                .orElseThrow(() -> new AssertionError("no NEAR_MAX_COST log notification in " + logs));
        assertThat(near.logger()).isEqualTo("trainops.jobs");
        assertThat(near.level()).isEqualTo(McpSchema.LoggingLevel.WARNING);
        assertThat(near.data()).containsPattern("It has cost \\$\\d+\\.\\d\\d of its max_cost \\$11\\.47 \\((8\\d|9\\d)%\\)");
        McpSchema.LoggingMessageNotification stop = logs.stream().filter(m -> is(m, jobId, "MAX_COST_REACHED")).findFirst()
                .orElseThrow(() -> new AssertionError("no MAX_COST_REACHED log notification in " + logs));
        assertThat(stop.level()).isEqualTo(McpSchema.LoggingLevel.WARNING);
        assertThat(stop.data()).contains("its max_cost is $11.47").contains("To continue, queue it again with a larger max_cost")
                .contains("max_cost=22.94");
        assertThat(logs.indexOf(near)).isLessThan(logs.indexOf(stop));

        // the metric TrainingJobNearMaxCost fires on
        assertThat(seenAtOrAboveCap80).as("trainops_job_cost_to_cap_ratio at or above 0.8 on /metrics").isGreaterThanOrEqualTo(0.8);

        // the resource updates: the job RUNNING with its warning, then FAILED with MAX_COST_REACHED
        long updated = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < updated && updates.stream().noneMatch(u -> u.contains("\"reason\":\"MAX_COST_REACHED\""))) {
            Thread.sleep(200);
        }
        assertThat(updates).anySatisfy(u -> assertThat(u).contains("\"job_id\":\"" + jobId + "\"").contains("\"state\":\"RUNNING\"")
                .contains("\"cost_so_far\":").contains("of its max_cost $11.47"));
        assertThat(updates).anySatisfy(u -> assertThat(u).contains("\"job_id\":\"" + jobId + "\"").contains("\"state\":\"FAILED\"")
                .contains("\"reason\":\"MAX_COST_REACHED\"").contains("it had cost $"));

        // stopped: its series leaves /metrics at the next collection
        long gone = System.nanoTime() + Duration.ofSeconds(40).toNanos();
        while (System.nanoTime() < gone && ratio(metrics(port), jobId) != null) {
            Thread.sleep(500);
        }
        assertThat(ratio(metrics(port), jobId)).as("a stopped job has no cost-to-cap series").isNull();
    }

    String metrics(int port) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static Double ratio(String text, String jobId) {
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).contains("job_id=\"" + jobId + "\"")) {
                return Double.parseDouble(m.group(2));
            }
        }
        return null;
    }

    static boolean told(List<McpSchema.LoggingMessageNotification> logs, String jobId, String kind) {
        return logs.stream().anyMatch(m -> is(m, jobId, kind));
    }

    static boolean is(McpSchema.LoggingMessageNotification m, String jobId, String kind) {
        return m.data() != null && m.data().contains("\"job_id\":\"" + jobId + "\"") && m.data().contains("\"kind\":\"" + kind + "\"");
    }
}

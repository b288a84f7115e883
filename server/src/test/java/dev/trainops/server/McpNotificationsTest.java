package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import dev.trainops.catalog.ToolException;
import dev.trainops.queue.JobEvent;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * What a real MCP client (the Java SDK's, over Streamable HTTP) sees of the adapter beyond plain
 * results: errors in {@code _meta}, progress from a tool that declares it, job events as log
 * messages at each session's level.
 */
class McpNotificationsTest {
    record Count(int to) {
        Count {
            if (to < 1) {
                throw ToolException.invalidArgument("to", "Argument 'to' must be at least 1.", "Give to=1 or more.");
            }
        }
    }

    record Counted(int total, String currency) {
    }

    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("count", "Count", "Counts, reporting each step.", Count.class,
            Counted.class, ToolHints.READ_ONLY, (r, call) -> {
                for (int i = 1; i <= r.to(); i++) {
                    call.progress().report(i, r.to(), "step " + i);
                }
                return new Counted(r.to(), "USD");
            }, c -> "counted to " + c.total(), Set.of(Tool.Feature.REPORTS_PROGRESS))));
    final TrainopsMcpServer server = new TrainopsMcpServer(catalog, "test");
    final List<AutoCloseable> open = new ArrayList<>();
    int port;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    int start() throws Exception {
        HttpTransport http = new HttpTransport(server, HttpOptions.loopback(0), () -> new Readiness(true, "ok"));
        open.add(http);
        return http.start();
    }

    HttpClientStreamableHttpTransport transport() {
        return HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build();
    }

    McpAsyncClient asyncClient(List<String> received, McpSchema.LoggingLevel level) {
        // the async client's consumer runs as each message is read, so `received` is in arrival order
        McpAsyncClient c = McpClient.async(transport()).requestTimeout(Duration.ofSeconds(10))
                .loggingConsumer(m -> Mono.fromRunnable(() -> received.add(m.level() + " " + m.logger() + " " + m.data())))
                .progressConsumer(p -> Mono.fromRunnable(() -> received.add("progress " + p.progress() + "/" + p.total() + " " + p.message())))
                .build();
        c.initialize().block(Duration.ofSeconds(10));
        if (level != null) {
            c.setLoggingLevel(level).block(Duration.ofSeconds(10));
        }
        open.add(c::close);
        return c;
    }

    static void await(List<String> received, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (received.stream().noneMatch(s -> s.startsWith(prefix)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received).as("waiting for " + prefix).anyMatch(s -> s.startsWith(prefix));
    }

    @Test
    void aFailedCallCarriesItsErrorInMetaNotInStructuredContentAndItsCodeFirstInTheText() throws Exception {
        port = start();
        // a client that lists the tools first and checks results against their output schemas
        try (McpSyncClient client = McpClient.sync(transport()).enableCallToolSchemaCaching(true).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).singleElement().satisfies(t -> assertThat(t.outputSchema()).isNotNull());
            McpSchema.CallToolResult bad = client.callTool(new McpSchema.CallToolRequest("count", Map.of("to", 0)));

            assertThat(bad.isError()).isTrue();
            assertThat(bad.structuredContent()).isNull();
            assertThat(((McpSchema.TextContent) bad.content().get(0)).text()).startsWith("INVALID_ARGUMENT: Argument 'to' must be at least 1.");
            @SuppressWarnings("unchecked")
            Map<String, Object> error = (Map<String, Object>) bad.meta().get(McpToolAdapter.ERROR_META);
            assertThat(error).containsEntry("code", "INVALID_ARGUMENT").containsEntry("message", "Argument 'to' must be at least 1.")
                    .containsEntry("hint", "Give to=1 or more.").containsEntry("retryable", false);
            assertThat(error.get("details")).isEqualTo(Map.of("argument", "to"));

            McpSchema.CallToolResult ok = client.callTool(new McpSchema.CallToolRequest("count", Map.of("to", 2)));
            assertThat(ok.isError()).isFalse();
            assertThat(ok.structuredContent()).isEqualTo(Map.of("total", 2, "currency", "USD"));
            assertThat(ok.meta()).isNull();
        }
    }

    @Test
    void aToolThatReportsProgressSendsEachStepInOrderBeforeItsResult() throws Exception {
        port = start();
        List<String> received = new CopyOnWriteArrayList<>();
        McpAsyncClient c = asyncClient(received, null);
        McpSchema.CallToolResult r = c.callTool(McpSchema.CallToolRequest.builder().name("count").arguments(Map.of("to", 3))
                .progressToken("t-1").build()).doOnNext(x -> received.add("result")).block(Duration.ofSeconds(10));

        assertThat(r.isError()).isFalse();
        assertThat(received).containsExactly("progress 1.0/3.0 step 1", "progress 2.0/3.0 step 2", "progress 3.0/3.0 step 3", "result");
    }

    @Test
    void jobEventsReachEverySessionAsLogMessagesAtOrAboveTheLevelItChose() throws Exception {
        port = start();
        List<String> infoClient = new CopyOnWriteArrayList<>();
        List<String> warningClient = new CopyOnWriteArrayList<>();
        asyncClient(infoClient, null);
        asyncClient(warningClient, McpSchema.LoggingLevel.WARNING);
        Instant at = Instant.parse("2026-11-29T10:00:00Z");

        server.jobEvents().accept(new JobEvent(JobEvent.Kind.STARTED, "tj-0000000000a1", "team-a", "llm-5ep", "on h100-a", at));
        server.jobEvents().accept(new JobEvent(JobEvent.Kind.PREEMPTED, "tj-0000000000a1", "team-a", "llm-5ep",
                "Preempted by URGENT job tj-0000000000b2", at));
        await(infoClient, "WARNING");
        await(warningClient, "WARNING");

        assertThat(infoClient).hasSize(2);
        assertThat(infoClient.get(0)).startsWith("INFO trainops.jobs {").contains("\"kind\":\"STARTED\"")
                .contains("\"job_id\":\"tj-0000000000a1\"").contains("\"team\":\"team-a\"").contains("\"at\":\"2026-11-29T10:00:00Z\"")
                .contains("\"message\":\"job tj-0000000000a1 (llm-5ep, team-a) STARTED: on h100-a\"");
        assertThat(infoClient.get(1)).startsWith("WARNING trainops.jobs {").contains("\"kind\":\"PREEMPTED\"");
        // the session that asked for warnings and above got the preemption only (it would have arrived first)
        assertThat(warningClient).singleElement().asString().startsWith("WARNING trainops.jobs {").contains("Preempted by URGENT");
    }

    /** The server built for the subscription test: the count tool plus a job resource template read from a map the test fills. */
    final Map<String, String> jobStates = new java.util.concurrent.ConcurrentHashMap<>();

    record JobRequest(String jobId) {
    }

    record JobAnswer(String jobId, String state) {
    }

    TrainopsMcpServer withJobResource() {
        ToolCatalog jobs = new ToolCatalog(List.of(new Tool<>("job", "Job", "One job.", JobRequest.class, JobAnswer.class,
                ToolHints.READ_ONLY, (r, call) -> new JobAnswer(r.jobId(), jobStates.getOrDefault(r.jobId(), "UNKNOWN")), a -> a.state(),
                Set.of())), List.of(new dev.trainops.catalog.CatalogResource(JobEvent.RESOURCE_PREFIX + "{job_id}", "Training job",
                "One job.", "job", vars -> Map.of("job_id", vars.get("job_id")), null)));
        return new TrainopsMcpServer(jobs, "test");
    }

    @Test
    void aSessionSubscribedToAJobHearsEachOfItsEventsAsAResourceUpdateAndOthersDoNot() throws Exception {
        TrainopsMcpServer jobsServer = withJobResource();
        HttpTransport http = new HttpTransport(jobsServer, HttpOptions.loopback(0), () -> new Readiness(true, "ok"));
        open.add(http);
        port = http.start();
        List<String> subscribed = new CopyOnWriteArrayList<>();
        List<String> other = new CopyOnWriteArrayList<>();
        McpAsyncClient a = McpClient.async(transport()).requestTimeout(Duration.ofSeconds(10))
                .resourcesUpdateConsumer(contents -> Mono.fromRunnable(() -> contents.forEach(c -> subscribed.add(
                        c.uri() + " " + ((McpSchema.TextResourceContents) c).text())))).build();
        McpAsyncClient b = McpClient.async(transport()).requestTimeout(Duration.ofSeconds(10))
                .resourcesUpdateConsumer(contents -> Mono.fromRunnable(() -> contents.forEach(c -> other.add(c.uri())))).build();
        open.add(a::close);
        open.add(b::close);
        McpSchema.InitializeResult init = a.initialize().block(Duration.ofSeconds(10));
        b.initialize().block(Duration.ofSeconds(10));
        assertThat(init.capabilities().resources().subscribe()).isTrue();
        a.subscribeResource(new McpSchema.SubscribeRequest("trainops://jobs/tj-0000000000c1")).block(Duration.ofSeconds(10));
        b.subscribeResource(new McpSchema.SubscribeRequest("trainops://jobs/tj-0000000000c2")).block(Duration.ofSeconds(10));
        Instant at = Instant.parse("2026-11-29T10:00:00Z");

        jobStates.put("tj-0000000000c1", "RUNNING");
        jobsServer.jobEvents().accept(new JobEvent(JobEvent.Kind.NEAR_MAX_COST, "tj-0000000000c1", "team-a", "llm-5ep",
                "It has cost $4.01 of its max_cost $5.00 (80%)", at));
        await(subscribed, "trainops://jobs/tj-0000000000c1 ");
        jobStates.put("tj-0000000000c1", "FAILED");
        jobsServer.jobEvents().accept(new JobEvent(JobEvent.Kind.MAX_COST_REACHED, "tj-0000000000c1", "team-a", "llm-5ep",
                "Stopped", at));
        await(subscribed, "trainops://jobs/tj-0000000000c1 {\"job_id\":\"tj-0000000000c1\",\"state\":\"FAILED\"}");

        assertThat(subscribed).containsExactly("trainops://jobs/tj-0000000000c1 {\"job_id\":\"tj-0000000000c1\",\"state\":\"RUNNING\"}",
                "trainops://jobs/tj-0000000000c1 {\"job_id\":\"tj-0000000000c1\",\"state\":\"FAILED\"}");
        assertThat(other).as("subscribed to another job").isEmpty();

        a.unsubscribeResource(new McpSchema.UnsubscribeRequest("trainops://jobs/tj-0000000000c1")).block(Duration.ofSeconds(10));
        jobsServer.jobEvents().accept(new JobEvent(JobEvent.Kind.CANCELLED, "tj-0000000000c1", "team-a", "llm-5ep", "", at));
        jobsServer.jobEvents().accept(new JobEvent(JobEvent.Kind.STARTED, "tj-0000000000c2", "team-a", "other", "", at));
        await(other, "trainops://jobs/tj-0000000000c2");
        assertThat(subscribed).as("unsubscribed").hasSize(2);
    }

    @Test
    void aQuotaOrBudgetWarningReachesEverySessionAsAWarningOfTheAlertsLogger() throws Exception {
        port = start();
        List<String> received = new CopyOnWriteArrayList<>();
        asyncClient(received, McpSchema.LoggingLevel.WARNING);

        server.jobEvents().warn(new dev.trainops.monitor.TeamWarning(dev.trainops.monitor.TeamWarning.Kind.BUDGET, "team-a", "budget", 0.7,
                0.7, "spent 600 + committed 100 USD of 1000 (70%).", Instant.parse("2026-11-29T10:00:00Z")));
        await(received, "WARNING trainops.alerts");

        assertThat(received).singleElement().asString().contains("\"kind\":\"BUDGET\"").contains("\"scope\":\"team-a\"")
                .contains("\"message\":\"team-a budget at 70.0% (warns at 70%): spent 600 + committed 100 USD of 1000 (70%).\"");
    }
}

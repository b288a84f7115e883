package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Mono;

/**
 * Issue 7's MCP side with the SDK's own client over stdio on the sandbox: prompts list and render;
 * a job over its max_cost with a client that supports elicitation asks the user and queues the
 * chosen cheaper option (under the cap); without elicitation the call is BUDGET_EXCEEDED with the
 * options (in _meta) and nothing is queued; a batch sends progress per item, in order, before its
 * result to a client that gave a token; the
 * pricing, budget and monthly report resources read; prompt arguments complete.
 */
class McpClientFeaturesIT {
    @TempDir
    Path dataDir;

    final List<McpSyncClient> clients = new ArrayList<>();
    final List<McpAsyncClient> asyncClients = new ArrayList<>();

    McpSyncClient connect(McpClient.SyncSpec spec) throws InterruptedException {
        McpSyncClient c = SandboxServers.connect(spec);
        clients.add(c);
        return c;
    }

    StdioClientTransport transport(Path data) {
        return SandboxServers.stdio(data);
    }

    @AfterEach
    void close() {
        clients.forEach(McpSyncClient::closeGracefully);
        asyncClients.forEach(c -> c.closeGracefully().block(Duration.ofSeconds(40)));
    }

    static Map<String, Object> overTheCap(String run) {
        // 5 epochs of llm are about $6.50 at peak, $3.25 off-peak: over a $1.50 cap either way; 1-2 epochs fit
        return Map.of("model", "llm", "run_name", run, "team", "team-a", "epochs", 5, "batch_size", 64, "gpu_type", "H100",
                "max_cost", "1.50");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> jobs(McpSyncClient c) {
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("get_job_queue_status", Map.of("team", "team-a")));
        return (List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("jobs");
    }

    @Test
    void promptsListAndRenderThroughARealClient() throws Exception {
        McpSyncClient c = connect(McpClient.sync(transport(dataDir)));
        assertThat(c.listPrompts().prompts()).extracting(McpSchema.Prompt::name)
                .containsExactlyInAnyOrder("cost_review", "promote_best_model", "train_cheaper", "train_within_budget", "why_is_my_job_pending");
        McpSchema.Prompt budget = c.listPrompts().prompts().stream().filter(p -> p.name().equals("train_within_budget")).findFirst().orElseThrow();
        assertThat(budget.arguments()).extracting(McpSchema.PromptArgument::name).containsExactly("model", "epochs", "budget", "team");
        McpSchema.GetPromptResult r = c.getPrompt(new McpSchema.GetPromptRequest("train_within_budget",
                Map.of("model", "llm", "epochs", "5", "budget", "5")));
        String text = ((McpSchema.TextContent) r.messages().get(0).content()).text();
        assertThat(r.messages().get(0).role()).isEqualTo(McpSchema.Role.USER);
        assertThat(text).contains("train llm for 5 epochs and spend at most 5.").contains("forecast_training_cost with job_name=llm")
                .contains("max_cost=5").doesNotContain("{{").doesNotContain("(team");
        try {
            c.getPrompt(new McpSchema.GetPromptRequest("train_within_budget", Map.of("model", "llm")));
            throw new AssertionError("a missing argument must be refused");
        } catch (io.modelcontextprotocol.spec.McpError e) {
            assertThat(e.getMessage()).contains("needs argument 'epochs'");
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void withElicitationTheUserPicksACheaperOptionAndOnlyThatIsQueuedUnderTheCap() throws Exception {
        List<McpSchema.ElicitFormRequest> asked = new CopyOnWriteArrayList<>();
        McpSyncClient c = connect(McpClient.sync(transport(dataDir))
                .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(request -> {
                    asked.add(request);
                    Map<String, Object> option = (Map<String, Object>) ((Map<String, Object>) request.requestedSchema().get("properties"))
                            .get("option");
                    List<String> choices = (List<String>) option.get("enum");
                    String fewer = choices.stream().filter(s -> s.startsWith("Train ")).findFirst().orElse(choices.get(0));
                    return new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT, Map.of("option", fewer));
                }));
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("queue_training_job", overTheCap("elicited")));
        assertThat(asked).hasSize(1);
        assertThat(asked.get(0).message()).contains("Nothing is queued yet");
        assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
        Map<String, Object> job = (Map<String, Object>) r.structuredContent();
        assertThat(((Number) job.get("epochs")).intValue()).isLessThan(5);
        assertThat(job.get("max_cost")).isEqualTo("1.500000");
        assertThat(new java.math.BigDecimal((String) job.get("estimated_cost"))).isLessThanOrEqualTo(new java.math.BigDecimal("1.50"));
        assertThat(jobs(c)).filteredOn(j -> "elicited".equals(j.get("run_name"))).hasSize(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void withoutElicitationTheCallIsAnErrorCarryingTheOptionsAndNothingIsQueued() throws Exception {
        McpSyncClient c = connect(McpClient.sync(transport(dataDir)));
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("queue_training_job", overTheCap("refused")));
        Map<String, Object> error = SandboxServers.error(r);
        assertThat(error.get("code")).isEqualTo("BUDGET_EXCEEDED");
        List<Map<String, Object>> options = (List<Map<String, Object>>) ((Map<String, Object>) error.get("details")).get("options");
        assertThat(options).isNotEmpty().allSatisfy(o -> {
            assertThat(new java.math.BigDecimal((String) o.get("estimated_cost"))).isLessThanOrEqualTo(new java.math.BigDecimal("1.50"));
            assertThat((Map<String, Object>) o.get("arguments")).containsEntry("max_cost", "1.50");
        });
        assertThat(jobs(c)).noneMatch(j -> "refused".equals(j.get("run_name")));
    }

    /**
     * Progress as the client receives it, in the order received, with the result's arrival in the
     * same list. The async client is used because it hands each notification to its consumer on the
     * thread that reads the transport, as it is read; the sync client's consumers run on a pool
     * (boundedElastic), where two notifications can overtake each other before reaching the list.
     * The server reports each item after checking and pricing it and before the batch's single
     * commit (BatchRulesContract shows the store is empty at each report).
     */
    @Test
    void aBatchSendsProgressPerItemInOrderBeforeItsResult() throws Exception {
        List<String> received = new CopyOnWriteArrayList<>();
        McpAsyncClient c = McpClient.async(transport(dataDir)).requestTimeout(Duration.ofSeconds(30))
                .initializationTimeout(Duration.ofSeconds(30))
                .progressConsumer(p -> Mono.fromRunnable(() -> received.add(p.progressToken() + " " + p.progress() + "/" + p.total()
                        + " " + p.message())))
                .build();
        asyncClients.add(c);
        c.initialize().block(Duration.ofSeconds(30));
        SandboxServers.awaitReady(request -> c.callTool(request).block(Duration.ofSeconds(30)));
        List<Map<String, Object>> items = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            items.add(Map.of("model", "validation", "run_name", "progress-" + i, "team", "team-c", "epochs", 1, "batch_size", 16,
                    "gpu_type", "T4"));
        }
        McpSchema.CallToolResult r = c.callTool(McpSchema.CallToolRequest.builder().name("submit_batch_training")
                .arguments(Map.of("jobs", items)).progressToken("batch-42").build())
                .doOnNext(result -> received.add("result")).block(Duration.ofSeconds(30));

        assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> stored = (List<Map<String, Object>>) ((Map<String, Object>) r.structuredContent()).get("items");
        assertThat(received).hasSize(4);
        for (int i = 0; i < 3; i++) {
            assertThat(received.get(i)).startsWith("batch-42 " + (i + 1) + ".0/3.0 item " + (i + 1) + " of 3: " + stored.get(i).get("job_id")
                    + " (progress-" + i + ") checked, estimated $");
        }
        assertThat(received.get(2)).endsWith("; storing the batch");
        assertThat(received.get(3)).isEqualTo("result");
    }

    @Test
    void thePricingBudgetAndMonthlyReportResourcesRead() throws Exception {
        McpSyncClient c = connect(McpClient.sync(transport(dataDir)));
        assertThat(c.listResources().resources()).extracting(McpSchema.Resource::uri).contains("trainops://pricing", "trainops://queue");
        assertThat(c.listResourceTemplates().resourceTemplates()).extracting(McpSchema.ResourceTemplate::uriTemplate)
                .contains("trainops://budgets/{team}", "trainops://reports/cost/{month}");
        String pricing = text(c, "trainops://pricing");
        assertThat(pricing).contains("\"currency\":\"USD\"").contains("\"H100\":\"6.880000\"");
        assertThat(text(c, "trainops://budgets/team-a")).contains("\"scope\":\"team-a\"").contains("\"state\"");
        assertThat(text(c, "trainops://reports/cost/2026-11")).contains("\"start\":\"2026-11-01T00:00:00Z\"").contains("\"end\":\"2026-12-01T00:00:00Z\"");
        try {
            text(c, "trainops://reports/cost/november");
            throw new AssertionError("a malformed month must be refused");
        } catch (io.modelcontextprotocol.spec.McpError e) {
            assertThat(e.getMessage()).contains("must be YYYY-MM");
        }
    }

    /**
     * Over stdio, where the catalog arrives after {@code initialize}: the prompts' arguments
     * complete from the sandbox's teams, models and months (docs/tools.md, "Completions").
     */
    @Test
    void promptArgumentsCompleteThroughARealClient() throws Exception {
        McpSyncClient c = connect(McpClient.sync(transport(dataDir)));
        assertThat(c.getServerCapabilities().completions()).isNotNull();
        McpSchema.CompleteResult teams = c.completeCompletion(new McpSchema.CompleteRequest(new McpSchema.PromptReference("cost_review"),
                new McpSchema.CompleteRequest.CompleteArgument("team", "team-")));
        assertThat(teams.completion().values()).containsExactly("team-a", "team-b", "team-c");
        assertThat(teams.completion().total()).isEqualTo(3);
        assertThat(teams.completion().hasMore()).isFalse();
        McpSchema.CompleteResult models = c.completeCompletion(new McpSchema.CompleteRequest(
                new McpSchema.PromptReference("train_within_budget"), new McpSchema.CompleteRequest.CompleteArgument("model", "ll")));
        assertThat(models.completion().values()).contains("llm");
        String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString();
        McpSchema.CompleteResult months = c.completeCompletion(new McpSchema.CompleteRequest(new McpSchema.PromptReference("cost_review"),
                new McpSchema.CompleteRequest.CompleteArgument("month", month)));
        assertThat(months.completion().values()).containsExactly(month);
    }

    static String text(McpSyncClient c, String uri) {
        return ((McpSchema.TextResourceContents) c.readResource(new McpSchema.ReadResourceRequest(uri)).contents().get(0)).text();
    }

    /**
     * The composition root hands the queue's job events to the MCP server: a job queued through
     * the tool is told to the session that queued it as a log notification (logger trainops.jobs)
     * once its admission was committed (docs/architecture.md, "Events").
     */
    @Test
    void aQueuedJobsAdmissionReachesTheSessionAsALogMessage() throws Exception {
        List<McpSchema.LoggingMessageNotification> logs = new CopyOnWriteArrayList<>();
        McpSyncClient c = connect(McpClient.sync(transport(dataDir)).loggingConsumer(logs::add));
        McpSchema.CallToolResult r = c.callTool(new McpSchema.CallToolRequest("queue_training_job", Map.of("model", "mnist",
                "run_name", "events-mnist-1", "team", "team-a", "epochs", 1, "batch_size", 32)));
        assertThat(r.isError()).as(String.valueOf(r.content())).isFalse();
        @SuppressWarnings("unchecked")
        String jobId = (String) ((Map<String, Object>) r.structuredContent()).get("job_id");
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline && logs.stream().noneMatch(m -> admitted(m, jobId))) {
            Thread.sleep(200);
        }
        assertThat(logs).as("log messages received").anyMatch(m -> admitted(m, jobId));
        McpSchema.LoggingMessageNotification m = logs.stream().filter(x -> admitted(x, jobId)).findFirst().orElseThrow();
        assertThat(m.logger()).isEqualTo("trainops.jobs");
        assertThat(m.level()).isEqualTo(McpSchema.LoggingLevel.INFO);
        assertThat(m.data()).contains("events-mnist-1").contains("team-a");
    }

    private static boolean admitted(McpSchema.LoggingMessageNotification m, String jobId) {
        return m.data() != null && m.data().contains(jobId) && m.data().contains("ADMITTED");
    }
}

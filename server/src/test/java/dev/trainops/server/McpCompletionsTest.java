package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.Completions.Kind;
import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.ToolCatalog;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code completion/complete} through a real MCP client (the Java SDK's, over Streamable HTTP):
 * the capability is declared, prompt arguments and resource-template variables complete from the
 * catalog's completions, at most 100 values with the total and hasMore.
 */
class McpCompletionsTest {
    static final Path PROMPTS = Path.of("../prompts"); // the tests run in server/

    final Completions completions = Completions.builder()
            .add(Kind.TEAM, () -> List.of("team-a", "team-b", "research"))
            .add(Kind.MODEL, () -> List.of("llm", "mnist"))
            .add(Kind.RUN, () -> List.of("llm-run-1", "tj-0001"))
            .add(Kind.JOB_ID, () -> IntStream.rangeClosed(1, 120).mapToObj(i -> String.format("tj-%04d", i)).toList())
            .add(Kind.MONTH, () -> List.of("2026-12", "2026-11", "2025-12"))
            .build();
    final ToolCatalog catalog = new ToolCatalog(List.of(), List.of(
            CatalogResource.ofContent("trainops://reports/cost/{month}", "Monthly cost report", "A month's report.", Map::of),
            CatalogResource.ofContent("trainops://pricing", "Price list", "The price list.", Map::of)),
            ToolCatalog.CallObserver.NONE, completions);
    HttpTransport http;
    McpSyncClient client;

    @BeforeEach
    void start() throws Exception {
        TrainopsMcpServer server = new TrainopsMcpServer(catalog, "test", PromptLibrary.load(PROMPTS));
        http = new HttpTransport(server, HttpOptions.loopback(0), () -> new Readiness(true, "ok"));
        int port = http.start();
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(10)).build();
        client.initialize();
    }

    @AfterEach
    void stop() throws Exception {
        client.close();
        http.close();
    }

    McpSchema.CompleteResult.CompleteCompletion complete(McpSchema.CompleteReference ref, String argument, String typed) {
        return client.completeCompletion(new McpSchema.CompleteRequest(ref, new McpSchema.CompleteRequest.CompleteArgument(argument, typed)))
                .completion();
    }

    static McpSchema.PromptReference prompt(String name) {
        return new McpSchema.PromptReference(name);
    }

    @Test
    void theServerDeclaresCompletions() {
        assertThat(client.getServerCapabilities().completions()).isNotNull();
    }

    @Test
    void promptArgumentsCompleteFromTheCatalog() {
        McpSchema.CompleteResult.CompleteCompletion teams = complete(prompt("cost_review"), "team", "team-");
        assertThat(teams.values()).containsExactly("team-a", "team-b");
        assertThat(teams.total()).isEqualTo(2);
        assertThat(teams.hasMore()).isFalse();
        assertThat(complete(prompt("cost_review"), "month", "2026").values()).containsExactly("2026-12", "2026-11");
        assertThat(complete(prompt("train_within_budget"), "model", "m").values()).containsExactly("mnist");
        assertThat(complete(prompt("train_cheaper"), "run_id", "").values()).containsExactly("llm-run-1", "tj-0001");
    }

    @Test
    void jobIdsStopAtOneHundredAndSaySoWithTheTotal() {
        McpSchema.CompleteResult.CompleteCompletion ids = complete(prompt("why_is_my_job_pending"), "job_id", "tj-");
        assertThat(ids.values()).hasSize(100).startsWith("tj-0001");
        assertThat(ids.total()).isEqualTo(120);
        assertThat(ids.hasMore()).isTrue();
    }

    @Test
    void resourceTemplateVariablesCompleteFromTheCatalog() {
        McpSchema.CompleteResult.CompleteCompletion months = complete(new McpSchema.ResourceReference("trainops://reports/cost/{month}"),
                "month", "2025");
        assertThat(months.values()).containsExactly("2025-12");
        assertThat(months.total()).isEqualTo(1);
    }

    @Test
    void anArgumentWithoutValuesAndAPromptTheServerDoesNotHaveAnswerNoValues() {
        assertThat(complete(prompt("train_within_budget"), "epochs", "1").values()).isEmpty();
        // what the conformance suite's completion-complete asks (docs/decisions.md, "Completions for an unknown prompt")
        McpSchema.CompleteResult.CompleteCompletion unknown = complete(prompt("test_prompt_with_arguments"), "arg1", "test");
        assertThat(unknown.values()).isEmpty();
        assertThat(unknown.hasMore()).isFalse();
    }

    @Test
    void anUnknownResourceTemplateVariableIsStillInvalidParams() {
        assertThatThrownBy(() -> complete(new McpSchema.ResourceReference("trainops://reports/cost/{month}"), "year", "2026"))
                .isInstanceOfSatisfying(McpError.class, e -> assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS));
    }

    @Test
    void rule5_completionsAndPromptsAnswerTheCallerOnlyAboutItsTeams() throws Exception {
        // a loopback server without authentication calls everyone its local principal: here a member of team-b
        dev.trainops.access.Principal bob = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"), dev.trainops.access.Role.MEMBER);
        Map<String, String> jobTeams = Map.of("tj-00000000000a", "team-a", "tj-00000000000b", "team-b");
        Completions scoped = Completions.builder()
                .addFor(Kind.TEAM, p -> List.of("team-a", "team-b").stream().filter(p::sees).toList())
                .addFor(Kind.JOB_ID, p -> jobTeams.keySet().stream().sorted().filter(id -> p.sees(jobTeams.get(id))).toList())
                .jobTeams(id -> java.util.Optional.ofNullable(jobTeams.get(id)))
                .build();
        ToolCatalog members = new ToolCatalog(List.of(), List.of(), ToolCatalog.CallObserver.NONE, scoped);
        TrainopsMcpServer server = new TrainopsMcpServer(members, "test", PromptLibrary.load(PROMPTS), new JobEventNotifier(), bob);
        try (HttpTransport own = new HttpTransport(server, HttpOptions.loopback(0), () -> new Readiness(true, "ok"))) {
            int port = own.start();
            McpSyncClient asBob = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(10)).build();
            try {
                asBob.initialize();
                assertThat(asBob.completeCompletion(new McpSchema.CompleteRequest(prompt("cost_review"),
                        new McpSchema.CompleteRequest.CompleteArgument("team", ""))).completion().values()).containsExactly("team-b");
                assertThat(asBob.completeCompletion(new McpSchema.CompleteRequest(prompt("why_is_my_job_pending"),
                        new McpSchema.CompleteRequest.CompleteArgument("job_id", "tj-"))).completion().values()).containsExactly("tj-00000000000b");
                assertThat(asBob.getPrompt(new McpSchema.GetPromptRequest("cost_review", Map.of("team", "team-b", "month", "2026-11")))
                        .messages()).isNotEmpty();
                assertThatThrownBy(() -> asBob.getPrompt(new McpSchema.GetPromptRequest("cost_review", Map.of("team", "team-a", "month", "2026-11"))))
                        .isInstanceOfSatisfying(McpError.class, e -> {
                            assertThat(e.getJsonRpcError().code()).isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS);
                            assertThat(e.getMessage()).contains("No team 'team-a'.");
                        });
                String otherTeams = org.assertj.core.api.Assertions.catchThrowable(() -> asBob.getPrompt(
                        new McpSchema.GetPromptRequest("why_is_my_job_pending", Map.of("job_id", "tj-00000000000a")))).getMessage();
                String unknown = org.assertj.core.api.Assertions.catchThrowable(() -> asBob.getPrompt(
                        new McpSchema.GetPromptRequest("why_is_my_job_pending", Map.of("job_id", "tj-0000000000ff")))).getMessage();
                assertThat(otherTeams).contains("No job 'tj-00000000000a'.").isEqualTo(unknown.replace("tj-0000000000ff", "tj-00000000000a"));
            } finally {
                asBob.close();
            }
        }
    }
}

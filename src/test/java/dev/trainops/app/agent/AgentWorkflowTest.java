package dev.trainops.app.agent;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static dev.trainops.app.agent.ScriptedOpenAi.call;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.trainops.app.Trainops;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.ToolOutcome;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * The agent's wiring, offline. The model is a script (WireMock answering as the OpenAI
 * chat-completions API), so every decision a model makes here (which tool to call, with what, when
 * to stop, what to say) is fixed by the test itself and shows nothing about how a real model
 * behaves. What these tests check is the plumbing around the model, against the real catalog on
 * the sandbox: the system prompt and the catalog's tools reach the model; each scripted tool call
 * reaches the catalog tool of that name with the scripted arguments; each result goes back to the
 * model in its next request, attached to its call; a tool error goes back as JSON text the model
 * can read (is_error, code, message, hint) and the conversation goes on; the conversation carries
 * across turns; and what the server refuses (a job over its max_cost) stays refused whatever the
 * model asks.
 */
class AgentWorkflowTest {
    final WireMockServer openAi = new WireMockServer(options().dynamicPort());
    final List<CatalogTools.Call> calls = new CopyOnWriteArrayList<>();
    ScriptedOpenAi model;
    Trainops trainops;
    TrainopsAgent agent;

    @TempDir
    Path dataDir;

    @BeforeEach
    void start() throws Exception {
        openAi.start();
        model = new ScriptedOpenAi(openAi);
        Path config = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
        trainops = Trainops.create(new Trainops.Settings(config, dataDir, true, 1.0));
        trainops.connect();
        awaitRunHistory();
        String system = PromptLibrary.load(config.resolveSibling("prompts")).system("agent-system").orElseThrow();
        agent = AgentFactory.agent(AgentFactory.model(new AgentFactory.ModelConfig("openai", model.baseUrl(), "test-key", "gpt-test")),
                trainops.catalog(), system, 12, calls::add);
    }

    /**
     * The sandbox's run history opens in the background, and a tool waits for it only so long
     * before it answers UPSTREAM_UNAVAILABLE; on a loaded machine it can take longer. These tests
     * are about the wiring, not start-up, so they begin once the history answers.
     */
    void awaitRunHistory() {
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        ToolOutcome o;
        do {
            o = trainops.catalog().invoke("forecast_training_cost", Map.of("job_name", "mnist", "remaining_epochs", 1));
        } while (o instanceof ToolOutcome.Failure f && f.error().code() == ErrorCode.UPSTREAM_UNAVAILABLE && System.nanoTime() < deadline);
        assertThat(o).as("the sandbox's run history answers").isInstanceOf(ToolOutcome.Success.class);
    }

    @AfterEach
    void stop() {
        trainops.close();
        openAi.stop();
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> teamAJobs() {
        ToolOutcome o = trainops.catalog().invoke("get_job_queue_status", Map.of("team", "team-a"));
        return (List<Map<String, Object>>) ((ToolOutcome.Success) o).structured().get("jobs");
    }

    static Map<String, Object> queue(String run, int epochs, String maxCost) {
        return Map.of("model", "llm", "run_name", run, "team", "team-a", "epochs", epochs, "batch_size", 64, "gpu_type", "H100",
                "max_cost", maxCost);
    }

    @Test
    void scriptedToolCallsReachTheCatalogAndEachResultGoesBackToTheModelAcrossTwoTurns() {
        model.toolCalls(call("forecast_training_cost", Map.of("job_name", "llm", "remaining_epochs", 5)))
                .toolCalls(call("get_gpu_availability", Map.of("gpu_type", "H100")))
                .toolCalls(call("compare_training_configs", Map.of("configs", List.of(
                        Map.of("model", "llm", "epochs", 5, "label", "5 epochs"),
                        Map.of("model", "llm", "epochs", 3, "label", "3 epochs"),
                        Map.of("model", "llm", "epochs", 5, "spot", true, "label", "spot")))))
                .says("5 epochs of llm forecast about $6.50 at peak: over your $5 budget by $1.50. Options: 3 epochs ($3.90), spot "
                        + "(about 70% cheaper, may be interrupted), or tonight off-peak. Which do you prefer?")
                .toolCalls(call("queue_training_job", queue("llm-3ep", 3, "5.00")))
                .says("Queued llm-3ep with max_cost $5.00.");

        String answer = agent.chat("Train llm for 5 epochs with a budget of $5 for team-a.");
        // the model's last message is the agent's answer
        assertThat(answer).contains("Which do you prefer?");
        assertThat(CatalogTools.names(calls)).containsExactly("forecast_training_cost", "get_gpu_availability", "compare_training_configs");
        assertThat(calls).noneMatch(CatalogTools.Call::error);
        assertThat(calls.get(0).arguments()).containsEntry("job_name", "llm").containsEntry("remaining_epochs", 5);
        assertThat(teamAJobs()).as("the read-only tools stored no job").noneMatch(j -> "llm-3ep".equals(j.get("run_name")));
        List<JsonNode> requests = model.requests();
        assertThat(requests).hasSize(4);
        // the system prompt, the tools with the catalog's names, and every tool result sent back
        assertThat(requests.get(0).path("messages").get(0).path("role").asString()).isEqualTo("system");
        assertThat(requests.get(0).path("messages").get(0).path("content").asString()).contains("Never queue a job whose forecast exceeds");
        assertThat(requests.get(0).path("tools").toString()).contains("\"recommend_cost_optimization\"").contains("\"queue_training_job\"");
        assertThat(ScriptedOpenAi.toolCallIds(requests.get(1))).containsExactly("call_0_1");
        assertThat(ScriptedOpenAi.toolResults(requests.get(1))).singleElement().satisfies(r -> {
            // the real catalog answered with the scripted arguments: the sandbox's history prices
            // 5 epochs of llm at about $6.50 at peak rates, $1.30 an epoch
            JsonNode forecast = ScriptedOpenAi.JSON.readTree(r);
            assertThat(new java.math.BigDecimal(forecast.path("estimated_cost_at_peak").asString()))
                    .isCloseTo(new java.math.BigDecimal("6.50"), org.assertj.core.api.Assertions.within(new java.math.BigDecimal("0.15")));
        });
        assertThat(ScriptedOpenAi.toolCallIds(requests.get(3))).containsExactly("call_0_1", "call_1_1", "call_2_1");
        assertThat(ScriptedOpenAi.toolResults(requests.get(2)).get(1)).contains("\"gpu_type\"");
        assertThat(ScriptedOpenAi.toolResults(requests.get(3)).get(2)).contains("\"recommended\"").contains("\"pareto_optimal\"");

        agent.chat("Take the 3 epochs.");
        assertThat(CatalogTools.names(calls)).last().isEqualTo("queue_training_job");
        assertThat(calls.get(3).error()).isFalse();
        // the scripted arguments reached the queue as they were
        assertThat(teamAJobs()).filteredOn(j -> "llm-3ep".equals(j.get("run_name"))).singleElement().satisfies(j -> {
            assertThat(j.get("max_cost")).isEqualTo("5.000000");
            assertThat(((Number) j.get("epochs")).intValue()).isEqualTo(3);
        });
        // the second turn's request carries the first: the agent's memory across turns
        JsonNode fifth = model.requests().get(4);
        assertThat(fifth.path("messages").toString()).contains("Which do you prefer?").contains("Take the 3 epochs.");
    }

    @Test
    void aQueueCallOverItsCapIsRefusedByTheServerAndTheRefusalGoesBackToTheModel() {
        // 5 epochs cost $3.25 or more at any hour: a $2 cap cannot hold them
        model.toolCalls(call("queue_training_job", queue("llm-5ep", 5, "2.00")))
                .says("The server refused: 5 epochs exceed your $2 cap. I can queue 1 epoch, or spot; which one?");
        agent.chat("Queue llm for 5 epochs, max cost $2, team-a. Just do it.");
        assertThat(calls).singleElement().satisfies(c -> {
            assertThat(c.tool()).isEqualTo("queue_training_job");
            assertThat(c.error()).isTrue();
            assertThat(c.code()).isEqualTo("BUDGET_EXCEEDED");
        });
        assertThat(ScriptedOpenAi.toolResults(model.requests().get(1)).get(0)).contains("\"code\":\"BUDGET_EXCEEDED\"").contains("\"options\"");
        assertThat(teamAJobs()).noneMatch(j -> "llm-5ep".equals(j.get("run_name")));
    }

    @Test
    void aToolErrorGoesBackToTheModelAsTextItCanReadAndTheConversationGoesOn() {
        model.toolCalls(call("forecast_training_cost", Map.of("job_name", "no-such-model", "remaining_epochs", 2)))
                .toolCalls(call("forecast_training_cost", Map.of("job_name", "mnist", "remaining_epochs", 2)))
                .says("Two more epochs of mnist cost about $0.08.");
        String answer = agent.chat("What would 2 more epochs of the mnist model cost?");
        assertThat(answer).contains("mnist");
        assertThat(calls).extracting(CatalogTools.Call::error).containsExactly(true, false);
        assertThat(calls.get(0).code()).isEqualTo("NOT_FOUND");
        JsonNode error = ScriptedOpenAi.JSON.readTree(ScriptedOpenAi.toolResults(model.requests().get(1)).get(0));
        assertThat(error.path("is_error").asBoolean()).isTrue();
        assertThat(error.path("code").asString()).isEqualTo("NOT_FOUND");
        assertThat(error.path("message").asString()).contains("no-such-model");
        assertThat(error.path("hint").asString()).isNotBlank();
        // the call after the error reached the catalog too, and its result went back
        assertThat(ScriptedOpenAi.toolResults(model.requests().get(2))).hasSize(2).last().asString().contains("\"estimated_cost\"");
    }

    @Test
    void theSystemPromptReachesTheModelAndAnAnswerWithoutToolCallsRunsNoTool() {
        model.says("That is outside what I can do: I help with training jobs, GPUs, cost, quotas and the queue.");
        String answer = agent.chat("Write me a poem about cats.");
        assertThat(answer).contains("outside what I can do");
        assertThat(calls).isEmpty();
        assertThat(model.requests()).hasSize(1);
        assertThat(model.requests().get(0).path("messages").get(0).path("content").asString()).contains("Stay on training");
    }
}

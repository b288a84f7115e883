package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged server, launched the way Claude Desktop launches it (a process speaking MCP over
 * stdio), driven by the MCP Java SDK's own client against the sandbox cluster.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StdioSandboxIT {
    @TempDir
    static Path dataDir;

    McpSyncClient client;
    McpSchema.Tool availabilityTool;

    int metricsPort;

    @BeforeAll
    void launch() throws Exception {
        metricsPort = SandboxServers.freePort();
        assertThat(Path.of(System.getProperty("trainops.jar"))).exists();
        StdioClientTransport transport = SandboxServers.stdio(dataDir, "--metrics-port", Integer.toString(metricsPort));
        client = SandboxServers.connect(McpClient.sync(transport));
        assertThat(client.getServerInfo().name()).isEqualTo("trainops");
        availabilityTool = client.listTools().tools().stream().filter(t -> t.name().equals("get_gpu_availability")).findFirst().orElseThrow();
    }

    @AfterAll
    void close() {
        if (client != null) {
            client.closeGracefully();
        }
    }

    @Test
    void overStdioTheMetricsPortServesEveryFamily() throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + metricsPort + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        for (String family : dev.trainops.monitor.Metrics.FAMILIES) {
            assertThat(r.body()).as(family).contains("# TYPE " + family + " ");
        }
    }

    @Test
    void listsTheToolWithDraft2020SchemasAndAnnotations() {
        assertThat(availabilityTool.inputSchema()).containsEntry("$schema", "https://json-schema.org/draft/2020-12/schema");
        assertThat(availabilityTool.outputSchema()).containsEntry("$schema", "https://json-schema.org/draft/2020-12/schema");
        assertThat(availabilityTool.annotations().readOnlyHint()).isTrue();
        assertThat(availabilityTool.annotations().destructiveHint()).isFalse();
        assertThat(availabilityTool.description()).contains("largest free block");
    }

    @Test
    @SuppressWarnings("unchecked")
    void availabilityOnTheSandboxIsSchemaValidAndShowsMigAndTimeSlicedNodes() {
        McpSchema.CallToolResult result = call(Map.of());

        assertThat(result.isError()).isFalse();
        Map<String, Object> content = (Map<String, Object>) result.structuredContent();
        JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator()
                .validate(availabilityTool.outputSchema(), content);
        assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
        assertThat(content).containsEntry("stale", false);

        List<Map<String, Object>> pools = (List<Map<String, Object>>) content.get("pools");
        assertThat(pools).anySatisfy(p -> {
            assertThat(p).containsEntry("sharing", "MIG").containsEntry("mig_profile", "1g.10gb").containsEntry("gpu_type", "A100-80GB");
            assertThat(((Number) p.get("allocatable")).intValue()).isEqualTo(7);
            assertThat(((Number) p.get("allocated")).intValue()).isEqualTo(2);
        });
        assertThat(pools).anySatisfy(p -> {
            assertThat(p).containsEntry("sharing", "TIME_SLICED").containsEntry("resource_name", "nvidia.com/gpu.shared")
                    .containsEntry("gpu_type", "T4");
            assertThat(((Number) p.get("allocatable")).intValue()).isEqualTo(8);
        });
        assertThat(pools).anySatisfy(p -> {
            assertThat(p).containsEntry("gpu_type", "H100").containsEntry("sharing", "EXCLUSIVE");
            assertThat(((Number) p.get("allocated")).intValue()).isEqualTo(4);
            assertThat(((Number) p.get("free")).intValue()).isEqualTo(12);
            assertThat((Map<String, Object>) p.get("next_free")).containsKey("in_seconds");
            assertThat(p.get("utilization_percent")).isNotNull();
        });
        List<Map<String, Object>> nodes = (List<Map<String, Object>>) content.get("nodes");
        assertThat(nodes).anySatisfy(n -> assertThat(n).containsEntry("name", "gpu-a100-mig-0").containsEntry("mig_strategy", "mixed"));
        assertThat(nodes).anySatisfy(n -> assertThat(n).containsEntry("name", "gpu-t4-shared-0")
                .containsEntry("sharing_strategy", "time-slicing").containsEntry("replicas", 4));
        assertThat(content.get("utilization_source")).isEqualTo("sandbox");
        assertThat(((McpSchema.TextContent) result.content().get(0)).text()).contains("H100:");
    }

    @Test
    void badInputGetsAHelpfulErrorAndTheServerKeepsServing() {
        assertError(Map.of("gpu_type", 7), "INVALID_ARGUMENT", "Argument 'gpu_type' must be a string");
        assertError(Map.of("gpu_type", "B200"), "INVALID_ARGUMENT", "Unknown gpu_type 'B200'");
        assertError(Map.of("min_memory_gib", -1), "INVALID_ARGUMENT", "it must be between 0 and 1024");
        assertError(Map.of("min_memory_gib", "lots"), "INVALID_ARGUMENT", "Argument 'min_memory_gib' must be a number");
        assertError(Map.of("gpu_type", "H".repeat(1_000_000)), "INVALID_ARGUMENT", "the limit is 256");
        assertError(Map.of("gpus", 2), "INVALID_ARGUMENT", "Unknown argument 'gpus'");
        Map<String, Object> nulls = new HashMap<>();
        nulls.put("namespace", "../etc");
        assertError(nulls, "INVALID_ARGUMENT", "namespace");

        McpSchema.CallToolResult ok = call(Map.of("gpu_type", "h100", "namespace", "team-a"));
        assertThat(ok.isError()).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void budgetStatusOnTheSandboxStartsBelowSeventyPercentWithExactDecimalStrings() {
        McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("get_budget_status")).findFirst().orElseThrow();
        for (String team : List.of("team-a", "team-b", "team-c")) {
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("get_budget_status", Map.of("scope", team)));
            assertThat(result.isError()).as(String.valueOf(result.content())).isFalse();
            Map<String, Object> status = (Map<String, Object>) result.structuredContent();
            JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator().validate(tool.outputSchema(), status);
            assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
            assertThat(status).containsEntry("state", "OK").containsEntry("currency", "USD");
            assertThat((String) status.get("limit")).matches("^[0-9]+\\.[0-9]{6}$");
            assertThat(new java.math.BigDecimal((String) status.get("percent_used"))).isLessThan(new java.math.BigDecimal("70"));
        }
        McpSchema.CallToolResult unknown = client.callTool(new McpSchema.CallToolRequest("get_budget_status", Map.of("scope", "team-z")));
        assertThat(SandboxServers.error(unknown)).containsEntry("code", "NOT_FOUND");
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSandboxTellsThePlansStoryFiveMoreEpochsOfLlmAtAbout650AndThreeAtAbout390() {
        McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("forecast_training_cost")).findFirst().orElseThrow();
        Map<String, Object> five = (Map<String, Object>) client.callTool(new McpSchema.CallToolRequest("forecast_training_cost",
                Map.of("job_name", "llm", "remaining_epochs", 5))).structuredContent();
        JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator().validate(tool.outputSchema(), five);
        assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
        assertThat(new java.math.BigDecimal((String) five.get("estimated_cost_at_peak"))).isBetween(new java.math.BigDecimal("6.30"), new java.math.BigDecimal("6.70"));
        assertThat((Map<String, Object>) five.get("based_on")).containsEntry("run_name", "llm-bs64-baseline").containsEntry("gpu_type", "H100");
        Map<String, Object> impact = (Map<String, Object>) five.get("budget_impact");
        assertThat(impact).containsEntry("team", "team-a").containsKey("state_after");
        assertThat((String) impact.get("summary")).startsWith("Current pace: $1.").contains("Continuing 5 more epochs");
        Map<String, Object> three = (Map<String, Object>) client.callTool(new McpSchema.CallToolRequest("forecast_training_cost",
                Map.of("job_name", "llm", "remaining_epochs", 3))).structuredContent();
        assertThat(new java.math.BigDecimal((String) three.get("estimated_cost_at_peak"))).isBetween(new java.math.BigDecimal("3.78"), new java.math.BigDecimal("4.02"));
        McpSchema.CallToolResult unknown = client.callTool(new McpSchema.CallToolRequest("forecast_training_cost",
                Map.of("job_name", "gpt-9", "remaining_epochs", 5)));
        assertThat(SandboxServers.error(unknown).get("message")).asString().contains("gpt-9");
        McpSchema.CallToolResult negative = client.callTool(new McpSchema.CallToolRequest("forecast_training_cost",
                Map.of("job_name", "llm", "remaining_epochs", -1)));
        assertThat(SandboxServers.error(negative).get("message")).asString().contains("remaining_epochs");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aCostReportIsSchemaValidAndABackwardsRangeIsRefused() {
        McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("generate_cost_report")).findFirst().orElseThrow();
        McpSchema.CallToolResult ok = client.callTool(new McpSchema.CallToolRequest("generate_cost_report",
                Map.of("start_date", "2026-01-01", "end_date", "2027-01-01", "group_by", "team")));
        assertThat(ok.isError()).as(String.valueOf(ok.content())).isFalse();
        JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator()
                .validate(tool.outputSchema(), (Map<String, Object>) ok.structuredContent());
        assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
        McpSchema.CallToolResult backwards = client.callTool(new McpSchema.CallToolRequest("generate_cost_report",
                Map.of("start_date", "2026-11-10", "end_date", "2026-11-01")));
        assertThat(SandboxServers.error(backwards)).containsEntry("code", "INVALID_ARGUMENT");
    }

    @Test
    @SuppressWarnings("unchecked")
    void comparingLlmNowOffPeakAndSpotRecommendsACheaperOneWithItsReason() {
        McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("compare_training_configs")).findFirst().orElseThrow();
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("compare_training_configs", Map.of("configs", List.of(
                Map.of("model", "llm", "epochs", 5, "label", "now"),
                Map.of("model", "llm", "epochs", 5, "schedule", "off_peak", "label", "tonight"),
                Map.of("model", "llm", "epochs", 5, "spot", true, "label", "spot")))));
        assertThat(result.isError()).as(String.valueOf(result.content())).isFalse();
        Map<String, Object> c = (Map<String, Object>) result.structuredContent();
        JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator().validate(tool.outputSchema(), c);
        assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
        List<Map<String, Object>> options = (List<Map<String, Object>>) c.get("options");
        assertThat(options).allSatisfy(o -> assertThat(o).containsEntry("estimated", true));
        assertThat(((Map<String, Object>) options.get(0).get("reference")).get("run_name")).isEqualTo("llm-bs64-baseline");
        java.math.BigDecimal now = new java.math.BigDecimal((String) options.get(0).get("selected_cost"));
        java.math.BigDecimal tonight = new java.math.BigDecimal((String) options.get(1).get("selected_cost"));
        // the sandbox clock is the wall clock: at night "now" is off-peak too
        assertThat(tonight).isLessThanOrEqualTo(now);
        if (((Number) ((Map<String, Object>) options.get(0).get("on_demand")).get("off_peak_seconds")).longValue() == 0) {
            assertThat(tonight.multiply(java.math.BigDecimal.valueOf(2))).isCloseTo(now, org.assertj.core.api.Assertions.within(new java.math.BigDecimal("0.00001")));
        }
        assertThat(c.get("recommended")).isIn(1, 2);
        assertThat((String) c.get("recommendation")).isNotBlank();
    }

    @Test
    @SuppressWarnings("unchecked")
    void theSandboxsLowUtilisationMnistRunGetsABatchSizeRecommendationThroughMcp() {
        McpSchema.Tool tool = client.listTools().tools().stream().filter(t -> t.name().equals("recommend_cost_optimization")).findFirst()
                .orElseThrow();
        McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("recommend_cost_optimization",
                Map.of("run_id", "mnist-bs32")));
        assertThat(result.isError()).as(String.valueOf(result.content())).isFalse();
        Map<String, Object> c = (Map<String, Object>) result.structuredContent();
        JsonSchemaValidator.ValidationResponse validation = McpJsonDefaults.getSchemaValidator().validate(tool.outputSchema(), c);
        assertThat(validation.valid()).as(validation.errorMessage()).isTrue();
        List<Map<String, Object>> recs = (List<Map<String, Object>>) c.get("recommendations");
        assertThat(recs).extracting(r -> r.get("type")).contains("BATCH_SIZE", "LOW_GPU_UTILIZATION");
        assertThat(recs).allSatisfy(r -> assertThat(new java.math.BigDecimal((String) ((Map<String, Object>) r.get("estimated_savings"))
                .get("amount"))).isPositive());
        // the busy large-batch llm run is left alone on those counts
        McpSchema.CallToolResult busy = client.callTool(new McpSchema.CallToolRequest("recommend_cost_optimization",
                Map.of("run_id", "llm-bs128")));
        assertThat(busy.isError()).isFalse();
        assertThat((List<Map<String, Object>>) ((Map<String, Object>) busy.structuredContent()).get("recommendations"))
                .extracting(r -> r.get("type")).doesNotContain("BATCH_SIZE", "LOW_GPU_UTILIZATION", "RIGHT_SIZE_GPU");
    }

    @SuppressWarnings("unchecked")
    private void assertError(Map<String, Object> args, String code, String messagePart) {
        McpSchema.CallToolResult result = call(args);
        Map<String, Object> error = SandboxServers.error(result);
        assertThat(error).containsEntry("code", code);
        assertThat((String) error.get("message")).contains(messagePart).doesNotContain("Exception", "dev.trainops", "\tat ");
        assertThat(((String) error.get("message")).length()).isLessThan(400);
    }

    private McpSchema.CallToolResult call(Map<String, Object> args) {
        return client.callTool(new McpSchema.CallToolRequest("get_gpu_availability", args));
    }
}

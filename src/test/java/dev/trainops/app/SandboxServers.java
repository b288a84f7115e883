package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.server.McpToolAdapter;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.ServerParameters;
import io.modelcontextprotocol.client.transport.StdioClientTransport;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The packaged server on the sandbox, as the end-to-end tests start it, and a checked tool call. */
final class SandboxServers {
    private SandboxServers() {
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code serve --sandbox} over stdio, its log lines on stderr marked [server]. */
    static StdioClientTransport stdio(Path dataDir, String... extra) {
        List<String> args = new ArrayList<>(List.of("-jar", System.getProperty("trainops.jar"), "serve", "--sandbox", "--config-dir",
                System.getProperty("trainops.configDir"), "--data-dir", dataDir.toString(),
                // the tests poll for state changes faster than a person calls tools
                "--rate-limit", "0"));
        args.addAll(List.of(extra));
        StdioClientTransport transport = new StdioClientTransport(ServerParameters.builder(java()).args(args).build(),
                McpJsonDefaults.getMapper());
        transport.setStdErrorHandler(line -> System.err.println("[server] " + line));
        return transport;
    }

    static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /**
     * {@code serve --sandbox --transport http} on {@code port} with {@code extra} options (e.g.
     * {@code --auth-token-file}), logging to server.log in the data dir; returns once /readyz answers 200.
     */
    static Process http(Path dataDir, int port, String speed, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of(java(), "-jar", System.getProperty("trainops.jar"), "serve", "--sandbox", "--sandbox-speed",
                speed, "--transport", "http", "--port", Integer.toString(port), "--config-dir", System.getProperty("trainops.configDir"),
                "--data-dir", dataDir.toString(), "--rate-limit", "0"));
        args.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(args);
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(dataDir.resolve("server.log").toFile()));
        Process p = pb.start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz")).build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return p;
                }
            } catch (java.io.IOException notYet) {
                // starting
            }
            Thread.sleep(200);
        }
        throw new AssertionError("server not ready within 60 s");
    }

    /**
     * A connected client that behaves like the clients people use: it lists the tools before calling
     * them and checks each successful result against the tool's output schema (the SDK client caches
     * the schemas from tools/list and refuses a result that does not match). Returns once the server
     * has read the cluster ({@link #awaitReady}).
     */
    static McpSyncClient connect(McpClient.SyncSpec spec) {
        McpSyncClient c = spec.requestTimeout(Duration.ofSeconds(30)).initializationTimeout(Duration.ofSeconds(30))
                .enableCallToolSchemaCaching(true).build();
        c.initialize();
        assertThat(c.listTools().tools()).isNotEmpty();
        try {
            awaitReady(c::callTool);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        return c;
    }

    /**
     * Waits until the cluster inventory and the queue answer: the server answers {@code initialize}
     * before it has read the cluster, and a tool called before then is UPSTREAM_UNAVAILABLE ("has
     * not completed the initial sync", "still starting"), which on a loaded machine can last many
     * seconds.
     */
    static void awaitReady(java.util.function.Function<McpSchema.CallToolRequest, McpSchema.CallToolResult> call) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        for (String tool : List.of("get_gpu_availability", "get_job_queue_status")) {
            McpSchema.CallToolRequest probe = new McpSchema.CallToolRequest(tool, Map.of());
            McpSchema.CallToolResult r = call.apply(probe);
            while (Boolean.TRUE.equals(r.isError()) && String.valueOf(r.content()).contains("UPSTREAM_UNAVAILABLE")
                    && System.nanoTime() < deadline) {
                Thread.sleep(250);
                r = call.apply(probe);
            }
            assertThat(r.isError()).as(tool + " never answered: " + r.content()).isFalse();
        }
    }

    /**
     * A failed call's structured error, from {@code _meta["trainops.dev/error"]}, after checking what
     * every failure carries: isError, no structuredContent (it would be checked against the success
     * schema), and a text that starts with the code.
     */
    @SuppressWarnings("unchecked")
    static Map<String, Object> error(McpSchema.CallToolResult r) {
        assertThat(r.isError()).as(String.valueOf(r.content())).isTrue();
        assertThat(r.structuredContent()).as("an error has no structuredContent").isNull();
        assertThat(r.meta()).as("an error's _meta").isNotNull().containsKey(McpToolAdapter.ERROR_META);
        Map<String, Object> error = (Map<String, Object>) r.meta().get(McpToolAdapter.ERROR_META);
        assertThat(error).containsKeys("code", "message", "hint", "retryable");
        assertThat(((McpSchema.TextContent) r.content().get(0)).text()).startsWith(error.get("code") + ": ");
        return error;
    }

    /** Calls a tool, asserts it succeeded and that its structured content validates against its output schema. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient client, String tool, Map<String, Object> args) {
        McpSchema.CallToolResult r = client.callTool(new McpSchema.CallToolRequest(tool, args));
        assertThat(r.isError()).as(tool + " " + r.content()).isFalse();
        McpSchema.Tool t = client.listTools().tools().stream().filter(x -> x.name().equals(tool)).findFirst().orElseThrow();
        JsonSchemaValidator.ValidationResponse v = McpJsonDefaults.getSchemaValidator().validate(t.outputSchema(), r.structuredContent());
        assertThat(v.valid()).as(v.errorMessage()).isTrue();
        return (Map<String, Object>) r.structuredContent();
    }
}

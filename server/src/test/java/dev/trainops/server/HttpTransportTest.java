package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpTransportTest {
    static final String TOKEN = "0123456789abcdef0123456789abcdef";

    record Ask(String question) {
    }

    record Answer(String answer, int length) {
    }

    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("ask", "Ask", "Answers a question.", Ask.class, Answer.class,
            ToolHints.READ_ONLY, q -> new Answer("you asked " + q.question(), q.question().length()), a -> a.answer())),
            List.of(new CatalogResource("trainops://answer", "An answer", "The answer to 'why'.", "ask", Map.of("question", "why"))));
    final HttpClient http = HttpClient.newHttpClient();
    HttpTransport transport;

    @AfterEach
    void stop() throws Exception {
        if (transport != null) {
            transport.close();
        }
    }

    int start(HttpOptions options) throws Exception {
        transport = new HttpTransport(new TrainopsMcpServer(catalog, "test"), options, () -> new Readiness(true, "ok"));
        return transport.start();
    }

    @Test
    void aRealMcpClientCallsToolsAndReadsResourcesOverStreamableHttp() throws Exception {
        int port = start(HttpOptions.loopback(0));
        try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                .endpoint("/mcp").build()).build()) {
            client.initialize();
            assertThat(client.listTools().tools()).extracting(McpSchema.Tool::name).containsExactly("ask");
            McpSchema.CallToolResult result = client.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", "hi")));
            assertThat(result.isError()).isFalse();
            assertThat(result.structuredContent()).isEqualTo(Map.of("answer", "you asked hi", "length", 2));
            McpSchema.CallToolResult bad = client.callTool(new McpSchema.CallToolRequest("ask", Map.of("question", 3)));
            assertThat(bad.isError()).isTrue();
            assertThat(client.listResources().resources()).extracting(McpSchema.Resource::uri).containsExactly("trainops://answer");
            McpSchema.ReadResourceResult read = client.readResource(new McpSchema.ReadResourceRequest("trainops://answer"));
            assertThat(((McpSchema.TextResourceContents) read.contents().get(0)).text()).contains("you asked why");
        }
    }

    @Test
    void healthAndReadinessAnswerWithoutAuthentication() throws Exception {
        int port = start(new HttpOptions("127.0.0.1", 0, Set.of(TOKEN), List.of()));
        assertThat(get(port, "/healthz", Map.of()).statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get(port, "/readyz", Map.of());
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.body()).contains("\"ready\"");
    }

    @Test
    void healthzAnswersJsonSayingWhetherThisReplicaLeadsAndReadyzTurns503WhenNotReady() throws Exception {
        java.util.concurrent.atomic.AtomicReference<Readiness> now = new java.util.concurrent.atomic.AtomicReference<>(
                new Readiness(true, "ok", true));
        transport = new HttpTransport(new TrainopsMcpServer(catalog, "test"), HttpOptions.loopback(0), now::get);
        int port = transport.start();

        HttpResponse<String> leader = get(port, "/healthz", Map.of());
        assertThat(leader.statusCode()).isEqualTo(200);
        assertThat(leader.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
        assertThat(leader.body()).isEqualTo("{\"status\":\"ok\",\"leader\":true}");

        now.set(new Readiness(false, "stopping", false));
        assertThat(get(port, "/healthz", Map.of()).body()).as("alive, not leading").isEqualTo("{\"status\":\"ok\",\"leader\":false}");
        HttpResponse<String> ready = get(port, "/readyz", Map.of());
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).isEqualTo("{\"status\":\"not_ready\",\"detail\":\"stopping\",\"leader\":false}");
    }

    @Test
    void withTokensEveryMcpRequestNeedsAValidBearerToken() throws Exception {
        int port = start(new HttpOptions("127.0.0.1", 0, Set.of(TOKEN), List.of()));
        assertThat(postInitialize(port, Map.of()).statusCode()).isEqualTo(401);
        assertThat(postInitialize(port, Map.of("Authorization", "Bearer wrong-token-wrong-token")).statusCode()).isEqualTo(401);
        HttpResponse<String> ok = postInitialize(port, Map.of("Authorization", "Bearer " + TOKEN));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("\"trainops\"");
    }

    @Test
    void aForeignOriginIsRefused() throws Exception {
        int port = start(HttpOptions.loopback(0));
        assertThat(postInitialize(port, Map.of("Origin", "http://evil.example")).statusCode()).isEqualTo(403);
        assertThat(postInitialize(port, Map.of("Origin", "http://localhost:3000")).statusCode()).isEqualTo(200);
    }

    @Test
    void aConfiguredOriginIsAccepted() throws Exception {
        int port = start(new HttpOptions("127.0.0.1", 0, Set.of(), List.of("https://console.example.com")));
        assertThat(postInitialize(port, Map.of("Origin", "https://console.example.com")).statusCode()).isEqualTo(200);
    }

    @Test
    void aRebindingHostIsRefused() throws Exception {
        HttpOptions options = HttpOptions.loopback(0);
        var validator = HttpTransport.securityValidator(options);
        assertThatThrownBy(() -> validator.validateHeaders(Map.of("Host", List.of("evil.example:8080"))))
                .hasMessageContaining("Host");
        validator.validateHeaders(Map.of("Host", List.of("127.0.0.1:8080")));
        validator.validateHeaders(Map.of("Host", List.of("localhost:8080")));
    }

    @Test
    void refusesToBindBeyondLoopbackWithoutAuthentication() {
        assertThatThrownBy(() -> new HttpOptions("0.0.0.0", 8080, Set.of(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Refusing to bind 0.0.0.0 without authentication")
                .hasMessageContaining("--auth-token-file");
        new HttpOptions("0.0.0.0", 8080, Set.of(TOKEN), List.of());
    }

    private HttpResponse<String> get(int port, String path, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> postInitialize(int port, Map<String, String> headers) throws Exception {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

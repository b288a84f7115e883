package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.RateLimiter;
import dev.trainops.catalog.Completions;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import dev.trainops.audit.AuditTrail;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 8 over HTTP through the MCP SDK's client: each principal (here two token-file identities)
 * has its own call budget; beyond it a call is an {@code isError} result RATE_LIMITED with
 * {@code retry_after_seconds} (not HTTP 429), while the other principal's calls in the same
 * seconds succeed. The limiter's clock is the test's, so "the same seconds" is exact.
 */
class RateLimitOverHttpTest {
    record Ping(String note) {
    }

    record Pong(String subject) {
    }

    @TempDir
    Path dir;
    HttpTransport http;

    @AfterEach
    void stop() throws Exception {
        if (http != null) {
            http.close();
        }
    }

    static McpSyncClient client(int port, String token) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                .build()).build();
        client.initialize();
        return client;
    }

    static McpSchema.CallToolResult ping(McpSyncClient client) {
        return client.callTool(new McpSchema.CallToolRequest("ping", Map.of("note", "hi")));
    }

    @Test
    void rule8_aPrincipalOverItsRateIsRateLimitedOverHttpWhileAnotherPrincipalsCallsSucceed() throws Exception {
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        Tool<Ping, Pong> ping = new Tool<>("ping", "Ping", "Answers with the caller.", Ping.class, Pong.class, ToolHints.READ_ONLY,
                (Tool.Handler<Ping, Pong>) (q, call) -> new Pong(call.principal().subject()), p -> p.subject(), Set.of());
        ToolCatalog catalog = new ToolCatalog(List.of(ping), List.of(), ToolCatalog.CallObserver.NONE, Completions.none(),
                new ToolCatalog.Guards(RateLimiter.perMinute(3, nanos::get), AuditTrail.NONE, Clock.systemUTC()));
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, "alice-token-0123456789abcdef subject=alice role=member teams=team-a\nbob-token-0123456789abcdef subject=bob role=member teams=team-b\n");
        http = new HttpTransport(new TrainopsMcpServer(catalog, "test"), new HttpOptions("127.0.0.1", 0,
                new Authenticator(TokenFile.load(tokens, Clock.systemUTC()), null), List.of(), null), () -> new Readiness(true, "ok"));
        int port = http.start();

        try (McpSyncClient alice = client(port, "alice-token-0123456789abcdef"); McpSyncClient bob = client(port, "bob-token-0123456789abcdef")) {
            for (int i = 0; i < 3; i++) {
                assertThat(ping(alice).isError()).as("alice's call %d of her burst of 3", i + 1).isFalse();
            }
            McpSchema.CallToolResult limited = ping(alice);
            McpSchema.CallToolResult bobs = ping(bob);

            assertThat(limited.isError()).isTrue();
            assertThat(((McpSchema.TextContent) limited.content().get(0)).text()).startsWith("RATE_LIMITED: ");
            Map<?, ?> error = (Map<?, ?>) limited.meta().get(McpToolAdapter.ERROR_META);
            assertThat(error.get("code")).isEqualTo("RATE_LIMITED");
            assertThat(error.get("retryable")).isEqualTo(true);
            // 3 a minute: the next token is 20 s away
            assertThat(((Map<?, ?>) error.get("details")).get("retry_after_seconds")).isEqualTo(20);
            assertThat(bobs.isError()).as("bob, in the same second").isFalse();
            assertThat(((Map<?, ?>) bobs.structuredContent()).get("subject")).isEqualTo("bob");

            nanos.addAndGet(20_000_000_000L);
            assertThat(ping(alice).isError()).as("alice, once a token has come back").isFalse();
        }
    }
}

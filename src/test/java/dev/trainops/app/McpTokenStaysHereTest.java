package dev.trainops.app;

import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.trainops.server.Authenticator;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.Readiness;
import dev.trainops.server.TokenFile;
import dev.trainops.server.TrainopsMcpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MCP caller's bearer token authenticates the caller to trainops only (DESIGN.md, "Identity
 * and tenancy"): MLflow and Prometheus get trainops's own credentials, never the caller's token.
 */
class McpTokenStaysHereTest {
    static final String MEMBER_TOKEN = "alice-token-0123456789abcdef";

    @Test
    void theMcpTokenIsNeverSentOnToMlflowOrPrometheus(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, MEMBER_TOKEN + " subject=alice role=member teams=team-a\n");
        WireMockServer mlflow = new WireMockServer(options().dynamicPort());
        WireMockServer prometheus = new WireMockServer(options().dynamicPort());
        mlflow.start();
        prometheus.start();
        mlflow.stubFor(any(anyUrl()).willReturn(okJson("{}")));
        prometheus.stubFor(any(anyUrl()).willReturn(okJson("{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}")));
        Map<String, String> env = Map.of("MLFLOW_TRACKING_URI", mlflow.baseUrl(), "MLFLOW_TRACKING_TOKEN", "mlflow-own-token",
                "PROMETHEUS_URL", prometheus.baseUrl(), "PROMETHEUS_TOKEN", "prometheus-own-token");
        try (Trainops trainops = Trainops.create(new Trainops.Settings(Path.of(ChatCommandTest.CONFIG), dir.resolve("data"), true, 1.0), env);
             HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "test"), new HttpOptions("127.0.0.1", 0,
                     new Authenticator(TokenFile.load(tokens, Clock.systemUTC()), null), List.of(), null), trainops::readiness)) {
            trainops.connect();
            int port = http.start();
            try (McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                    .httpRequestCustomizer((b, method, uri, body, context) -> b.header("Authorization", "Bearer " + MEMBER_TOKEN)).build())
                    .requestTimeout(Duration.ofSeconds(60)).build()) {
                client.initialize();
                // every read-only tool, as the member: the ones that read MLflow and Prometheus among them
                for (McpSchema.Tool tool : client.listTools().tools()) {
                    if (Boolean.TRUE.equals(tool.annotations().readOnlyHint())) {
                        client.callTool(new McpSchema.CallToolRequest(tool.name(), Map.of()));
                    }
                }
                client.callTool(new McpSchema.CallToolRequest("forecast_training_cost", Map.of("model", "llm", "additional_epochs", 5)));
                client.callTool(new McpSchema.CallToolRequest("recommend_cost_optimization", Map.of("run_id", "llm-1")));
            }
        } finally {
            mlflow.stop();
            prometheus.stop();
        }
        List<LoggedRequest> toMlflow = mlflow.findAll(anyRequestedFor(anyUrl()));
        List<LoggedRequest> toPrometheus = prometheus.findAll(anyRequestedFor(anyUrl()));
        assertThat(toMlflow).as("trainops read MLflow during the calls").isNotEmpty();
        assertThat(toMlflow).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer mlflow-own-token"));
        assertThat(toPrometheus).allSatisfy(r -> assertThat(r.getHeader("Authorization")).isNotEqualTo("Bearer " + MEMBER_TOKEN));
        for (LoggedRequest r : concat(toMlflow, toPrometheus)) {
            assertThat(r.getHeaders().all().toString() + r.getUrl() + r.getBodyAsString()).doesNotContain(MEMBER_TOKEN);
        }
    }

    private static List<LoggedRequest> concat(List<LoggedRequest> a, List<LoggedRequest> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}

package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.ToolCatalog;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What deploy/monitoring relies on: with authentication configured (always, off loopback) trainops
 * serves {@code /metrics} and {@code /alerts/webhook} only to a bearer token of its token file, and
 * the least token there is (a viewer of a team that owns nothing) is enough for both. So the
 * ServiceMonitor and the AlertmanagerConfig send the token of the Secret trainops-monitoring-token.
 */
class MonitoringEndpointsAuthTest {
    static final String PROMETHEUS_TOKEN = "prometheus-0123456789abcdef0123456789";
    static final String PAYLOAD = "{\"version\":\"4\",\"status\":\"firing\",\"alerts\":[]}";

    @TempDir
    Path dir;
    final HttpClient http = HttpClient.newHttpClient();
    AutoCloseable server;

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    HttpOptions options() throws Exception {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, PROMETHEUS_TOKEN + " subject=kube-prometheus role=viewer teams=trainops-monitoring\n");
        return new HttpOptions("127.0.0.1", 0, new Authenticator(TokenFile.load(tokens, Clock.systemUTC()), null), List.of(), null);
    }

    static MonitoringEndpoints endpoints() {
        return new MonitoringEndpoints(() -> "# TYPE trainops_up gauge\ntrainops_up 1\n", body -> "{\"stored\":0}");
    }

    @Test
    void theHttpTransportServesMetricsAndTheWebhookOnlyWithABearerTokenOfItsTokenFile() throws Exception {
        HttpTransport transport = new HttpTransport(new TrainopsMcpServer(new ToolCatalog(List.of(), List.of()), "test"), options(),
                () -> new Readiness(true, "ok"), endpoints());
        server = transport;
        assertTokenRules(transport.start());
    }

    @Test
    void theMetricsPortOfAStdioServerAppliesTheSameRules() throws Exception {
        MonitoringHttp monitoring = new MonitoringHttp(options(), () -> new Readiness(true, "ok"), endpoints());
        server = monitoring;
        assertTokenRules(monitoring.start());
    }

    private void assertTokenRules(int port) throws Exception {
        assertThat(send(port, "GET", "/metrics", null).statusCode()).isEqualTo(401);
        assertThat(send(port, "GET", "/metrics", "wrong-token-wrong-token-wrong").statusCode()).isEqualTo(401);
        HttpResponse<String> metrics = send(port, "GET", "/metrics", PROMETHEUS_TOKEN);
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("trainops_up 1");

        assertThat(send(port, "POST", "/alerts/webhook", null).statusCode()).isEqualTo(401);
        HttpResponse<String> posted = send(port, "POST", "/alerts/webhook", PROMETHEUS_TOKEN);
        assertThat(posted.statusCode()).isEqualTo(200);
        assertThat(posted.body()).isEqualTo("{\"stored\":0}");

        assertThat(send(port, "GET", "/healthz", null).statusCode()).as("probes stay open").isEqualTo(200);
    }

    private HttpResponse<String> send(int port, String method, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, method.equals("POST") ? HttpRequest.BodyPublishers.ofString(PAYLOAD) : HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        Map.of("Content-Type", "application/json").forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

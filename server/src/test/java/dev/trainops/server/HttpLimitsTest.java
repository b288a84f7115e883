package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP transport's input limits over real HTTP (issue 14, "Bad input at scale";
 * docs/security.md, "Input limits"): malformed JSON-RPC is a 400 with a JSON-RPC error, an
 * oversized body a 413, a stalled client is cut off, and a session beyond the cap a 503 while the
 * sessions there keep working. No answer carries a stack trace or a class name.
 */
class HttpLimitsTest {
    record Ask(String question) {
    }

    record Answer(String answer) {
    }

    static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
            + "\"capabilities\":{},\"clientInfo\":{\"name\":\"t\",\"version\":\"1\"}}}";

    final ToolCatalog catalog = new ToolCatalog(List.of(new Tool<>("ask", "Ask", "Answers a question.", Ask.class, Answer.class,
            ToolHints.READ_ONLY, q -> new Answer("you asked " + q.question()), Answer::answer)));
    final HttpClient http = HttpClient.newHttpClient();
    HttpTransport transport;
    int port;

    @AfterEach
    void stop() throws Exception {
        if (transport != null) {
            transport.close();
        }
    }

    void start(HttpLimits limits) throws Exception {
        transport = new HttpTransport(new TrainopsMcpServer(catalog, "test"), HttpOptions.loopback(0), () -> new Readiness(true, "ok"), null,
                limits);
        port = transport.start();
    }

    @Test
    void malformedJsonRpcIsA400WithAJsonRpcErrorNeverA500OrAStackTrace() throws Exception {
        start(HttpLimits.DEFAULTS);
        for (String body : List.of("not json", "{\"jsonrpc\":", "", "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", "[]", "42",
                "\"initialize\"", "{\"a\":1}", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"initialize\"}", "{\"id\":1,\"method\":\"initialize\"}",
                "{\"jsonrpc\":\"2.0\",\"id\":{\"x\":1},\"method\":\"initialize\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}",
                "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[1]}", "{\"jsonrpc\":\"2.0\",\"id\":1}",
                "[".repeat(5000) + "]".repeat(5000), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":" + "{\"a\":".repeat(3000)
                        + "1" + "}".repeat(3001))) {
            HttpResponse<String> r = post(body, Map.of());
            assertThat(r.statusCode()).as(body.length() > 80 ? body.substring(0, 80) : body).isEqualTo(400);
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            assertThat(r.body()).contains("\"jsonrpc\":\"2.0\"", "\"id\":null", "\"message\"").containsPattern("\"code\":-32(600|700)");
            assertNoInternals(r.body());
        }
        assertThat(post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"", Map.of()).body()).contains("-32700", "not JSON");
        assertThat(post("[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", Map.of()).body()).contains("-32600", "batches are not supported");
        assertThat(post(INITIALIZE, Map.of()).statusCode()).as("the server still answers").isEqualTo(200);
    }

    @Test
    void anOversizedBodyIsA413WithAJsonMessageWhetherItsLengthIsDeclaredOrNot() throws Exception {
        start(new HttpLimits(64 * 1024, 10, Duration.ofSeconds(30)));
        String big = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"pad\":\"" + "x".repeat(100_000) + "\"}}";
        HttpResponse<String> declared = post(big, Map.of());
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(declared.body()).contains("\"code\":-32600", "the limit is 65536 bytes");
        HttpRequest chunked = request().POST(HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))).build();
        HttpResponse<String> streamed = http.send(chunked, HttpResponse.BodyHandlers.ofString());
        assertThat(streamed.statusCode()).isEqualTo(413);
        assertThat(streamed.body()).contains("the limit is 65536 bytes");
        assertNoInternals(streamed.body());
        assertThat(post(INITIALIZE, Map.of()).statusCode()).isEqualTo(200);
    }

    @Test
    void aClientThatStallsMidRequestIsCutOffAndHoldsNoThread() throws Exception {
        start(new HttpLimits(1 << 20, 10, Duration.ofSeconds(1)));
        List<Socket> stalled = new ArrayList<>();
        try {
            for (int i = 0; i < 80; i++) { // more than the transport's 64 threads
                Socket s = new Socket("127.0.0.1", port);
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                String head = i % 2 == 0 ? "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " // headers never finished
                        : "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"jsonrpc\"";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.flush();
                stalled.add(s);
            }
            long started = System.nanoTime();
            for (Socket s : stalled) {
                InputStream in = s.getInputStream();
                byte[] rest = in.readAllBytes(); // returns once the server closes the connection
                String answer = new String(rest, StandardCharsets.US_ASCII);
                assertNoInternals(answer);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        } finally {
            for (Socket s : stalled) {
                s.close();
            }
        }
        assertThat(post(INITIALIZE, Map.of()).statusCode()).as("the server still answers").isEqualTo(200);
    }

    @Test
    void aClientThatTricklesItsBodyNeverQuietForTheIdleTimeoutIsRefused408AtTheBodyDeadline() throws Exception {
        start(new HttpLimits(1 << 20, 10, Duration.ofSeconds(30), Duration.ofSeconds(1)));
        try (Socket s = new Socket("127.0.0.1", port)) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long started = System.nanoTime();
            InputStream in = s.getInputStream();
            StringBuilder answer = new StringBuilder();
            // one byte every 100 ms: never quiet for the 30 s idle timeout, so only the body deadline can end it
            for (int i = 0; i < 200 && !answer.toString().contains("\r\n\r\n"); i++) {
                try {
                    out.write(' ');
                    out.flush();
                } catch (java.io.IOException closed) {
                    break;
                }
                Thread.sleep(100);
                while (in.available() > 0) {
                    answer.append((char) in.read());
                }
            }
            assertThat(answer.toString()).startsWith("HTTP/1.1 408");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
            assertNoInternals(answer.toString());
        }
        assertThat(post(INITIALIZE, Map.of()).statusCode()).as("the server still answers").isEqualTo(200);
    }

    @Test
    void aBodyDeadlineMustBePositive() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new HttpLimits(1 << 20, 10, Duration.ofSeconds(30), Duration.ZERO))
                .hasMessageContaining("body deadline must be positive");
    }

    @Test
    void beyondTheSessionCapANewInitializeIsA503AndTheSessionsThereKeepWorking() throws Exception {
        start(new HttpLimits(1 << 20, 2, Duration.ofSeconds(30)));
        String first = post(INITIALIZE, Map.of()).headers().firstValue("Mcp-Session-Id").orElseThrow();
        String second = post(INITIALIZE, Map.of()).headers().firstValue("Mcp-Session-Id").orElseThrow();
        HttpResponse<String> third = post(INITIALIZE, Map.of());
        assertThat(third.statusCode()).isEqualTo(503);
        assertThat(third.headers().firstValue("Retry-After")).isPresent();
        assertThat(third.body()).contains("\"code\":-32000", "2 MCP sessions, its limit", "DELETE /mcp");
        assertNoInternals(third.body());
        post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", Map.of("Mcp-Session-Id", first));
        HttpResponse<String> list = post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/list\"}", Map.of("Mcp-Session-Id", first));
        assertThat(list.statusCode()).isEqualTo(200);
        assertThat(list.body()).contains("\"ask\"");
        HttpResponse<String> deleted = http.send(request().header("Mcp-Session-Id", second).DELETE().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(deleted.statusCode()).isLessThan(300);
        assertThat(post(INITIALIZE, Map.of()).statusCode()).as("a closed session frees its place").isEqualTo(200);
    }

    static void assertNoInternals(String body) {
        assertThat(body).doesNotContain("Exception", "\tat ", "java.", "jakarta.", "dev.trainops", "tools.jackson", "org.eclipse");
    }

    private HttpRequest.Builder request() {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/mcp"))
                .header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream");
    }

    private HttpResponse<String> post(String body, Map<String, String> headers) throws Exception {
        HttpRequest.Builder b = request().POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}

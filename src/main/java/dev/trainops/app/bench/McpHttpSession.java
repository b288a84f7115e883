package dev.trainops.app.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A raw MCP session over Streamable HTTP, no client library (what is timed is the server): initialize,
 * then tools/call POSTs, answered as JSON or as an SSE stream, each sorted into an {@link Outcome}.
 */
final class McpHttpSession {
    static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** A tool error is a result with isError; a transport error an HTTP status other than 200, a JSON-RPC error, or no answer. */
    enum Outcome { OK, TOOL_ERROR, TRANSPORT_ERROR }

    private final HttpClient http;
    private final URI uri;
    private final String sessionId;
    private final AtomicLong ids = new AtomicLong(1);
    /** The first error seen since it was last cleared, for the report: what it said, never a reason to stop. */
    volatile String firstError;

    private McpHttpSession(HttpClient http, URI uri, String sessionId) {
        this.http = http;
        this.uri = uri;
        this.sessionId = sessionId;
    }

    static McpHttpSession open(URI uri) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> init = http.send(post(uri, null, "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"trainops-bench\",\"version\":\"1\"}}}"),
                HttpResponse.BodyHandlers.ofString());
        String session = init.headers().firstValue("Mcp-Session-Id").orElseThrow(() -> new IllegalStateException(
                "initialize answered " + init.statusCode() + " without an Mcp-Session-Id: " + init.body()));
        http.send(post(uri, session, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"), HttpResponse.BodyHandlers.discarding());
        return new McpHttpSession(http, uri, session);
    }

    /** Sends one tools/call now; the future never fails, a failure is its outcome. */
    CompletableFuture<Outcome> call(String tool, String arguments) {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":" + ids.incrementAndGet() + ",\"method\":\"tools/call\",\"params\":{\"name\":\"" + tool
                + "\",\"arguments\":" + arguments + "}}";
        return http.sendAsync(post(uri, sessionId, body), HttpResponse.BodyHandlers.ofString())
                .thenApply(r -> outcome(tool, r))
                .exceptionally(e -> {
                    failed(tool + ": " + e);
                    return Outcome.TRANSPORT_ERROR;
                });
    }

    private Outcome outcome(String tool, HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            failed(tool + ": HTTP " + r.statusCode() + " " + r.body());
            return Outcome.TRANSPORT_ERROR;
        }
        JsonNode message = message(r);
        if (message == null || message.has("error") || !message.has("result")) {
            failed(tool + ": " + r.body());
            return Outcome.TRANSPORT_ERROR;
        }
        if (message.path("result").path("isError").asBoolean(false)) {
            failed(tool + ": tool error " + message.path("result").path("content"));
            return Outcome.TOOL_ERROR;
        }
        return Outcome.OK;
    }

    private void failed(String what) {
        if (firstError == null) {
            firstError = what.length() > 500 ? what.substring(0, 500) + "..." : what;
        }
    }

    /** The JSON-RPC answer: the body itself, or the last {@code data:} event of an SSE stream. */
    private static JsonNode message(HttpResponse<String> r) {
        String body = r.body();
        if (r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream")) {
            String last = null;
            for (String line : body.split("\n")) {
                if (line.startsWith("data:")) {
                    last = line.substring(5).trim();
                }
            }
            body = last;
        }
        try {
            return body == null ? null : JSON.readTree(body);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static HttpRequest post(URI uri, String session, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(CALL_TIMEOUT).header("Content-Type", "application/json")
                .header("Accept", "application/json, text/event-stream").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header("Mcp-Session-Id", session);
        }
        return b.build();
    }
}

package dev.trainops.server;

import dev.trainops.catalog.ToolError;
import dev.trainops.catalog.ToolException;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the HTTP side serves besides MCP: {@code GET /metrics} (Prometheus text format 0.0.4) and
 * {@code POST /alerts/webhook} (Alertmanager's webhook, payload version 4). The webhook function
 * answers a JSON summary, or throws a {@link ToolException} for a payload it refuses (HTTP 400);
 * either may be unavailable while the store opens (HTTP 503).
 */
public record MonitoringEndpoints(Supplier<String> metrics, Function<String, String> alertWebhook) {
    public MonitoringEndpoints {
        Objects.requireNonNull(metrics, "metrics must not be null");
        Objects.requireNonNull(alertWebhook, "alertWebhook must not be null");
    }

    static String errorJson(ToolError e) {
        return "{\"code\":\"" + e.code() + "\",\"message\":" + quote(e.message()) + ",\"hint\":" + quote(e.hint()) + "}";
    }

    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + "\"";
    }
}

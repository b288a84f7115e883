package dev.trainops.server;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** {@code GET /metrics} and {@code POST /alerts/webhook}. */
final class MonitoringServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String METRICS_PATH = "/metrics";
    static final String WEBHOOK_PATH = "/alerts/webhook";
    /** Alertmanager batches alerts; a megabyte holds thousands. */
    static final int MAX_BODY_BYTES = 1 << 20;

    private final transient MonitoringEndpoints endpoints;

    MonitoringServlet(MonitoringEndpoints endpoints) {
        this.endpoints = endpoints;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getRequestURI().equals(METRICS_PATH)) {
            resp.sendError(405, "POST Alertmanager's webhook payload here");
            return;
        }
        String text;
        try {
            text = endpoints.metrics().get();
        } catch (RuntimeException e) {
            resp.setStatus(503);
            resp.setContentType("text/plain; charset=utf-8");
            resp.getWriter().write("metrics are not ready: " + e.getMessage() + "\n");
            return;
        }
        resp.setStatus(200);
        resp.setContentType("text/plain; version=0.0.4; charset=utf-8");
        resp.getWriter().write(text);
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!req.getRequestURI().equals(WEBHOOK_PATH)) {
            resp.sendError(405, "GET /metrics");
            return;
        }
        resp.setContentType("application/json");
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            resp.setStatus(413);
            resp.getWriter().write("{\"code\":\"INVALID_ARGUMENT\",\"message\":\"The payload is over 1 MiB.\",\"hint\":\"Lower "
                    + "max_alerts in the Alertmanager webhook config.\"}");
            return;
        }
        try {
            String answer = endpoints.alertWebhook().apply(new String(body, StandardCharsets.UTF_8));
            resp.setStatus(200);
            resp.getWriter().write(answer);
        } catch (ToolException e) {
            resp.setStatus(e.code() == ErrorCode.INVALID_ARGUMENT ? 400 : 503);
            resp.getWriter().write(MonitoringEndpoints.errorJson(e.toError()));
        }
    }
}

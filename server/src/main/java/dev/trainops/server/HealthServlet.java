package dev.trainops.server;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.function.Supplier;

/**
 * {@code /healthz}: the process serves. {@code /readyz}: the backends have synced and the process
 * is not stopping. Both say whether this replica leads ({@code "leader": true|false}).
 */
final class HealthServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;

    private final transient Supplier<Readiness> readiness;

    HealthServlet(Supplier<Readiness> readiness) {
        this.readiness = readiness;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        resp.setContentType("application/json");
        Readiness r = readiness.get();
        if (req.getRequestURI().equals("/healthz")) {
            resp.setStatus(200);
            resp.getWriter().write("{\"status\":\"ok\",\"leader\":" + r.leader() + "}");
            return;
        }
        resp.setStatus(r.ready() ? 200 : 503);
        resp.getWriter().write("{\"status\":\"" + (r.ready() ? "ready" : "not_ready") + "\",\"detail\":\""
                + r.detail().replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"leader\":" + r.leader() + "}");
    }
}

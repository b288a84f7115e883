package dev.trainops.server;

import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * {@code --metrics-port} when serving MCP over stdio: a small HTTP server with {@code /metrics},
 * {@code /alerts/webhook} and the health probes, on the same bind and tokens rules as the MCP
 * HTTP transport.
 */
public final class MonitoringHttp implements AutoCloseable {
    private final Server jetty;
    private final ServerConnector connector;

    public MonitoringHttp(HttpOptions options, Supplier<Readiness> readiness, MonitoringEndpoints monitoring) {
        Jetty listening = Jetty.listening("metrics-http", 8, 2, options);
        this.jetty = listening.server();
        this.connector = listening.connector();
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder m = new ServletHolder("monitoring", new MonitoringServlet(monitoring));
        context.addServlet(m, MonitoringServlet.METRICS_PATH);
        context.addServlet(m, MonitoringServlet.WEBHOOK_PATH);
        ServletHolder health = new ServletHolder("health", new HealthServlet(readiness));
        context.addServlet(health, "/healthz");
        context.addServlet(health, "/readyz");
        context.addFilter(new FilterHolder(new BearerAuthFilter(options.authenticator(), null)), "/*", EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
    }

    /** Starts listening and returns the bound port. */
    public int start() throws Exception {
        jetty.start();
        return connector.getLocalPort();
    }

    @Override
    public void close() throws Exception {
        jetty.stop();
    }
}

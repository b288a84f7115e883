package dev.trainops.server;

import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpSyncServer;
import io.modelcontextprotocol.server.transport.DefaultServerTransportSecurityValidator;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.function.Supplier;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * MCP over Streamable HTTP at {@code /mcp} in embedded Jetty, with DNS-rebinding protection (Origin
 * and Host checked against loopback names and the configured origins), bearer tokens when
 * configured (a token file, an OAuth issuer, or both; with the RFC 9728 metadata at
 * {@code /.well-known/oauth-protected-resource}), and {@code /healthz} and {@code /readyz}.
 */
public final class HttpTransport implements AutoCloseable {
    public static final String MCP_PATH = "/mcp";

    private final Server jetty;
    private final McpSyncServer mcp;
    private final ServerConnector connector;

    public HttpTransport(TrainopsMcpServer server, HttpOptions options, Supplier<Readiness> readiness) {
        this(server, options, readiness, null);
    }

    /** With {@code monitoring}, also {@code GET /metrics} and {@code POST /alerts/webhook}. */
    public HttpTransport(TrainopsMcpServer server, HttpOptions options, Supplier<Readiness> readiness, MonitoringEndpoints monitoring) {
        this(server, options, readiness, monitoring, HttpLimits.DEFAULTS);
    }

    /** With {@code limits} on request size and sessions (docs/security.md, "Input limits"). */
    public HttpTransport(TrainopsMcpServer server, HttpOptions options, Supplier<Readiness> readiness, MonitoringEndpoints monitoring,
                         HttpLimits limits) {
        HttpServletStreamableServerTransportProvider provider = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(TrainopsMcpServer.jsonMapper())
                .mcpEndpoint(MCP_PATH)
                .securityValidator(securityValidator(options))
                .keepAliveInterval(Duration.ofSeconds(30))
                .maxRequestSize(limits.maxRequestBytes())
                // who is calling, as authentication found it, goes to every handler with the request
                .contextExtractor(request -> request.getAttribute(McpToolAdapter.PRINCIPAL) instanceof dev.trainops.access.Principal p
                        ? io.modelcontextprotocol.common.McpTransportContext.create(java.util.Map.of(McpToolAdapter.PRINCIPAL, p))
                        : io.modelcontextprotocol.common.McpTransportContext.EMPTY)
                .build();
        this.mcp = server.configure(McpServer.sync(server.track(provider)));

        Jetty listening = Jetty.listening("http", 64, 4, options);
        this.jetty = listening.server();
        this.connector = listening.connector();
        limits.harden(connector);

        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder mcpServlet = new ServletHolder("mcp", provider);
        mcpServlet.setAsyncSupported(true);
        context.addServlet(mcpServlet, MCP_PATH);
        ServletHolder health = new ServletHolder("health", new HealthServlet(readiness));
        context.addServlet(health, "/healthz");
        context.addServlet(health, "/readyz");
        if (monitoring != null) {
            ServletHolder m = new ServletHolder("monitoring", new MonitoringServlet(monitoring));
            context.addServlet(m, MonitoringServlet.METRICS_PATH);
            context.addServlet(m, MonitoringServlet.WEBHOOK_PATH);
        }
        ProtectedResourceMetadata metadata = new ProtectedResourceMetadata(options.publicUrl(), options.authenticator());
        if (options.authenticator().configured()) {
            ServletHolder wellKnown = new ServletHolder("oauth-protected-resource", metadata);
            context.addServlet(wellKnown, ProtectedResourceMetadata.PATH);
            context.addServlet(wellKnown, ProtectedResourceMetadata.PATH + "/*");
        }
        FilterHolder auth = new FilterHolder(new BearerAuthFilter(options.authenticator(), metadata));
        auth.setAsyncSupported(true);
        context.addFilter(auth, "/*", EnumSet.of(DispatcherType.REQUEST));
        FilterHolder limit = new FilterHolder(limits.filter(java.time.Clock.systemUTC()));
        limit.setAsyncSupported(true);
        context.addFilter(limit, MCP_PATH, EnumSet.of(DispatcherType.REQUEST));
        FilterHolder completions = new FilterHolder(server.unknownPrompts().httpFilter());
        completions.setAsyncSupported(true);
        context.addFilter(completions, MCP_PATH, EnumSet.of(DispatcherType.REQUEST));
        jetty.setHandler(context);
    }

    static DefaultServerTransportSecurityValidator securityValidator(HttpOptions options) {
        List<String> hosts = new ArrayList<>(List.of("localhost", "localhost:*", "127.0.0.1", "127.0.0.1:*", "[::1]", "[::1]:*"));
        List<String> origins = new ArrayList<>();
        for (String host : List.of("localhost", "127.0.0.1", "[::1]")) {
            origins.add("http://" + host);
            origins.add("http://" + host + ":*");
            origins.add("https://" + host);
            origins.add("https://" + host + ":*");
        }
        origins.addAll(options.allowedOrigins());
        for (String origin : options.allowedOrigins()) {
            String host = origin.replaceFirst("^https?://", "");
            hosts.add(host);
            if (!host.endsWith(":*")) {
                hosts.add(host + ":*");
            }
        }
        if (!HttpOptions.isLoopback(options.bind())) {
            // Off loopback every request must carry a bearer token, which a rebinding page cannot
            // have; the Host then is whatever name clients use for this machine, so it is not pinned.
            hosts.clear();
        }
        return DefaultServerTransportSecurityValidator.builder().allowedHosts(hosts).allowedOrigins(origins).build();
    }

    /** Starts listening and returns the bound port. */
    public int start() throws Exception {
        jetty.start();
        return connector.getLocalPort();
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() throws Exception {
        mcp.closeGracefully();
        jetty.stop();
    }
}

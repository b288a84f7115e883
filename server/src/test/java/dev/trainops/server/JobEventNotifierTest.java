package dev.trainops.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.catalog.CatalogResource;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolHints;
import dev.trainops.monitor.TeamWarning;
import dev.trainops.queue.JobEvent;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.transport.HttpServletStreamableServerTransportProvider;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpStreamableServerSession;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * Job events reach only the sessions whose principal sees the job's team (DESIGN.md, "Identity and
 * tenancy", rules 1, 4 and 5), over Streamable HTTP with a real MCP client per principal. The test's
 * server takes the principal from a header (standing in for authentication, which puts it in the
 * same request attribute).
 */
class JobEventNotifierTest {
    static final Principal ALICE = new Principal("alice", Set.of("team-a"), Role.MEMBER);
    static final Principal BOB = new Principal("bob", Set.of("team-b"), Role.VIEWER);
    static final Map<String, Principal> BY_NAME = Map.of("alice", ALICE, "bob", BOB, "root", Principal.admin("root"));
    static final Instant AT = Instant.parse("2026-12-01T10:00:00Z");

    record JobRequest(String jobId) {
    }

    record JobAnswer(String jobId) {
    }

    final TrainopsMcpServer server = new TrainopsMcpServer(new ToolCatalog(List.of(new Tool<>("job", "Job", "One job.", JobRequest.class,
            JobAnswer.class, ToolHints.READ_ONLY, (r, call) -> new JobAnswer(r.jobId()), a -> a.jobId(), Set.of())),
            List.of(new CatalogResource(JobEvent.RESOURCE_PREFIX + "{job_id}", "Training job", "One job.", "job",
                    vars -> Map.of("job_id", vars.get("job_id")), null))), "test");
    final List<AutoCloseable> open = new ArrayList<>();
    int port;

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    void start() throws Exception {
        HttpServletStreamableServerTransportProvider provider = HttpServletStreamableServerTransportProvider.builder()
                .jsonMapper(TrainopsMcpServer.jsonMapper()).mcpEndpoint(HttpTransport.MCP_PATH)
                .contextExtractor(request -> {
                    Principal p = BY_NAME.get(String.valueOf(request.getHeader("X-Test-Principal")));
                    return p == null ? McpTransportContext.EMPTY : McpTransportContext.create(Map.of(McpToolAdapter.PRINCIPAL, p));
                })
                .build();
        var mcp = server.configure(McpServer.sync(server.track(provider)));
        open.add(mcp::closeGracefully);
        Jetty jetty = Jetty.listening("test-http", 16, 2, HttpOptions.loopback(0));
        ServletContextHandler context = new ServletContextHandler();
        context.setContextPath("/");
        ServletHolder holder = new ServletHolder("mcp", provider);
        holder.setAsyncSupported(true);
        context.addServlet(holder, HttpTransport.MCP_PATH);
        jetty.server().setHandler(context);
        jetty.server().start();
        open.add(() -> jetty.server().stop());
        port = jetty.connector().getLocalPort();
    }

    /** A client calling as {@code who}, its log messages and resource updates in {@code received}. */
    McpAsyncClient client(String who, List<String> received) {
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port)
                .endpoint(HttpTransport.MCP_PATH).requestBuilder(java.net.http.HttpRequest.newBuilder().header("X-Test-Principal", who)).build();
        McpAsyncClient c = McpClient.async(transport).requestTimeout(Duration.ofSeconds(10))
                .loggingConsumer(m -> Mono.fromRunnable(() -> received.add("log " + m.data())))
                .resourcesUpdateConsumer(contents -> Mono.fromRunnable(() -> contents.forEach(x -> received.add("updated " + x.uri()))))
                .build();
        open.add(c::close);
        c.initialize().block(Duration.ofSeconds(10));
        return c;
    }

    static void await(List<String> received, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (received.stream().noneMatch(s -> s.startsWith(prefix)) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(received).as("waiting for " + prefix).anyMatch(s -> s.startsWith(prefix));
    }

    @Test
    void rule1_aJobsEventsAndResourceUpdatesReachOnlyTheSessionsThatSeeItsTeam() throws Exception {
        start();
        List<String> alice = new CopyOnWriteArrayList<>();
        List<String> bob = new CopyOnWriteArrayList<>();
        List<String> admin = new CopyOnWriteArrayList<>();
        McpAsyncClient a = client("alice", alice);
        McpAsyncClient b = client("bob", bob);
        McpAsyncClient r = client("root", admin);
        String bJob = JobEvent.RESOURCE_PREFIX + "tj-0000000000b1";
        for (McpAsyncClient c : List.of(a, b, r)) {
            c.subscribeResource(new McpSchema.SubscribeRequest(bJob)).block(Duration.ofSeconds(10));
        }

        server.jobEvents().accept(new JobEvent(JobEvent.Kind.STARTED, "tj-0000000000b1", "team-b", "b-run", "on h100-a", AT));
        server.jobEvents().accept(new JobEvent(JobEvent.Kind.STARTED, "tj-0000000000a1", "team-a", "a-run", "on h100-b", AT));
        server.jobEvents().warn(new TeamWarning(TeamWarning.Kind.BUDGET, "team-b", "budget", 0.75, 0.7, "spent $75 of $100", AT));
        await(admin, "log {\"kind\":\"STARTED\",\"job_id\":\"tj-0000000000a1\"");
        await(admin, "updated " + bJob);
        await(bob, "updated " + bJob);
        await(bob, "log {\"kind\":\"BUDGET\"");
        await(alice, "log {\"kind\":\"STARTED\",\"job_id\":\"tj-0000000000a1\"");
        Thread.sleep(300); // anything wrongly sent would have arrived by now

        assertThat(alice).singleElement().asString().contains("tj-0000000000a1").doesNotContain("team-b");
        assertThat(bob).hasSize(3).noneMatch(s -> s.contains("tj-0000000000a1"));
        assertThat(admin).hasSize(4);
    }

    @Test
    void aSessionWithoutAPrincipalOnAServerWithoutAuthenticationIsTheLocalPrincipal() throws Exception {
        start();
        List<String> anyone = new CopyOnWriteArrayList<>();
        client("nobody", anyone);
        server.jobEvents().accept(new JobEvent(JobEvent.Kind.STARTED, "tj-0000000000b1", "team-b", "b-run", "on h100-a", AT));
        await(anyone, "log {\"kind\":\"STARTED\"");
    }

    @Test
    void theWatchedSessionForwardsEveryPublicMethodOfTheSdksSession() {
        // a method the SDK adds later must be forwarded too, or the session would answer from its empty shell
        List<String> missing = Arrays.stream(McpStreamableServerSession.class.getMethods())
                .filter(m -> m.getDeclaringClass() != Object.class && !Modifier.isStatic(m.getModifiers()) && !m.isDefault())
                .filter(m -> !declaredBy(JobEventNotifier.Watched.class, m)).map(Method::toString).toList();
        assertThat(missing).isEmpty();
    }

    static boolean declaredBy(Class<?> type, Method m) {
        try {
            return type.getDeclaredMethod(m.getName(), m.getParameterTypes()) != null;
        } catch (NoSuchMethodException e) {
            return false;
        }
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.PromptLibrary;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.JobEventNotifier;
import dev.trainops.server.TrainopsMcpServer;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input at scale, a sample over the wire (issue 14): {@link #CASES} hostile argument sets per
 * tool through the real Streamable HTTP transport and the MCP SDK's client, as an admin and as a
 * member of team-a (two servers over one sandbox, each answering unauthenticated calls as its
 * principal). The same assertions as {@link BadInputFuzzTest}; a case the transport itself
 * refuses (a body over the size limit, nesting the JSON reader will not take) is counted apart,
 * and the server must answer the next call. The tally goes to target/fuzz-report-http.txt.
 */
class BadInputHttpTest {
    static final int CASES = Integer.getInteger("fuzz.http.cases", 200);

    @TempDir
    Path dataDir;

    Trainops trainops;
    final List<HttpTransport> transports = new ArrayList<>();
    final List<McpSyncClient> clients = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path config = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();
        trainops = Trainops.create(new Trainops.Settings(config, dataDir, true, 1.0));
        trainops.connect();
        for (Principal principal : List.of(BadInputFuzzTest.ADMIN, BadInputFuzzTest.MEMBER)) {
            HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "test", PromptLibrary.empty(), new JobEventNotifier(),
                    principal), HttpOptions.loopback(0), trainops::readiness);
            transports.add(http);
            int port = http.start();
            McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                    .requestTimeout(Duration.ofSeconds(60)).build();
            client.initialize();
            clients.add(client);
        }
        SandboxServers.awaitReady(clients.get(0)::callTool);
    }

    @AfterEach
    void stop() throws Exception {
        for (McpSyncClient c : clients) {
            c.closeGracefully();
        }
        for (HttpTransport t : transports) {
            t.close();
        }
        trainops.close();
    }

    @Test
    void badInputAtScale_aSampleOverStreamableHttpIsRefusedCleanlyAndTheServerKeepsAnswering() throws Exception {
        ToolCatalog catalog = trainops.catalog();
        FuzzChecks.Tally tally = new FuzzChecks.Tally();
        List<String> failures = new ArrayList<>();
        long started = System.nanoTime();
        try (FuzzChecks.StoreRows rows = new FuzzChecks.StoreRows(dataDir)) {
            for (Tool<?, ?> tool : catalog.tools()) {
                String name = tool.name();
                long seed = BadInputFuzzTest.SEED ^ name.hashCode() ^ 0x4854_5450L;
                HostileArguments hostile = new HostileArguments(catalog.inputSchema(tool), new Random(seed));
                Set<String> before = rows.ids();
                Set<String> answered = new HashSet<>();
                for (int i = 0; i < CASES; i++) {
                    HostileArguments.Case c = hostile.next();
                    tally.add(name, "cases");
                    for (int who = 0; who < clients.size(); who++) {
                        String label = name + " case " + i + " (tool seed " + seed + ") " + c.kind() + " as " + (who == 0 ? "admin" : "member")
                                + ": " + FuzzChecks.describe(c.arguments());
                        call(clients.get(who), name, c.arguments(), label, tally, failures, answered);
                    }
                }
                Set<String> unexplained = new HashSet<>(rows.ids());
                unexplained.removeAll(before);
                unexplained.removeAll(answered);
                if (!unexplained.isEmpty()) {
                    tally.add(name, "stored_refusals", unexplained.size());
                    failures.add(name + ": stored rows no success answered for: " + unexplained);
                }
            }
        }
        String report = tally.report("Bad input, over Streamable HTTP with the MCP SDK client", BadInputFuzzTest.SEED,
                Duration.ofNanos(System.nanoTime() - started).toMillis());
        System.out.print(report);
        tally.write(Path.of("target", "fuzz-report-http.txt"), report);
        assertThat(failures).as("first failures").isEmpty();
    }

    private static void call(McpSyncClient client, String tool, Map<String, Object> args, String label, FuzzChecks.Tally tally,
                             List<String> failures, Set<String> answered) {
        tally.add(tool, "calls");
        McpSchema.CallToolResult r;
        try {
            r = client.callTool(new McpSchema.CallToolRequest(tool, args));
        } catch (RuntimeException refused) {
            // the transport refused the request (413, or a JSON-RPC error for what its reader will not take): the server must still answer
            tally.add(tool, "transport_refused");
            McpSchema.CallToolResult alive = client.callTool(new McpSchema.CallToolRequest("get_gpu_availability", Map.of()));
            if (Boolean.TRUE.equals(alive.isError())) {
                failures.add("the server stopped answering after " + label + ": " + alive.content());
            }
            return;
        }
        String text = r.content().stream().map(c -> c instanceof McpSchema.TextContent t ? t.text() : String.valueOf(c)).reduce("", String::concat)
                + " " + (r.structuredContent() == null ? "" : Json.write(r.structuredContent())) + " " + (r.meta() == null ? "" : Json.write(r.meta()));
        if (Boolean.TRUE.equals(r.isError())) {
            String first = r.content().isEmpty() || !(r.content().get(0) instanceof McpSchema.TextContent t) ? "" : t.text();
            String code = first.contains(":") ? first.substring(0, first.indexOf(':')) : first;
            tally.add(tool, code);
            boolean allowed = FuzzChecks.allowed(tool).stream().map(ErrorCode::name).anyMatch(code::equals);
            if (!allowed && failures.size() < 20) {
                failures.add(code + " for " + label + " -> " + first);
            }
        } else {
            tally.add(tool, "ok");
            FuzzChecks.idsIn(r.structuredContent(), answered);
        }
        String leak = FuzzChecks.leak(text);
        if (leak != null) {
            tally.add(tool, "leaks");
            if (failures.size() < 20) {
                failures.add("leak " + leak + " for " + label);
            }
        }
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.server.Authenticator;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.TokenFile;
import dev.trainops.server.TrainopsMcpServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rule 9 over HTTP through the MCP SDK's client: with {@code --kube-impersonate}, the whole app on
 * fabric8's CRUD mock API server creates the Job that alice (a token-file member of team-a) queued
 * as alice ({@code Impersonate-User}, her team as {@code Impersonate-Group}), and deletes it as bob
 * when bob cancels it; the informers keep reading as the server.
 */
class KubeImpersonationOverHttpTest {
    static final String ALICE = "alice-token-0123456789abcdef";
    static final String BOB = "bob-token-0123456789abcdef";

    @TempDir
    Path data;
    @TempDir
    Path dir;

    static McpSyncClient client(int port, String token) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                .build()).requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
        return client;
    }

    /** The call's structured answer; the store opens in the background, so the first calls may say UPSTREAM_UNAVAILABLE. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> call(McpSyncClient client, String tool, Map<String, Object> args) throws InterruptedException {
        McpSchema.CallToolResult last = null;
        for (int i = 0; i < 120; i++) {
            last = client.callTool(new McpSchema.CallToolRequest(tool, args));
            if (!Boolean.TRUE.equals(last.isError())) {
                return (Map<String, Object>) last.structuredContent();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(tool + " did not answer: " + last.content());
    }

    /** The first request the mock API server gets that matches, within a minute. */
    static RecordedRequest await(KubernetesMockServer server, Predicate<RecordedRequest> match, List<RecordedRequest> seen)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            RecordedRequest r = server.takeRequest(200, TimeUnit.MILLISECONDS);
            if (r != null) {
                seen.add(r);
                if (match.test(r)) {
                    return r;
                }
            }
        }
        throw new AssertionError("no such request among " + seen.stream().map(r -> r.getMethod() + " " + r.getPath()).toList());
    }

    @Test
    void rule9_overHttpAMembersJobIsCreatedAsHerAndCancelledAsTheCanceller() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, ALICE + " subject=alice role=member teams=team-a\n" + BOB + " subject=bob role=member teams=team-a\n");
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (var client = server.createClient()) {
            client.resource(OwnHistoryTest.h100("h100-a")).create();
        }
        Map<String, String> saved = OwnHistoryTest.pointAt(server);
        List<RecordedRequest> seen = new ArrayList<>();
        try {
            try (Trainops trainops = Trainops.create(new Trainops.Settings(OwnHistoryTest.CONFIG, data, false, 1.0).withKubeImpersonate(true),
                    Map.of());
                 HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "test"), new HttpOptions("127.0.0.1", 0,
                         new Authenticator(TokenFile.load(tokens, Clock.systemUTC()), null), List.of(), null), trainops::readiness)) {
                trainops.connect();
                int port = http.start();
                try (McpSyncClient alice = client(port, ALICE); McpSyncClient bob = client(port, BOB)) {
                    Map<String, Object> queued = call(alice, "queue_training_job", Map.of("model", "llm", "run_name", "rule9-over-http",
                            "team", "team-a", "epochs", 1, "batch_size", 64, "gpu_type", "H100"));
                    String jobId = (String) queued.get("job_id");
                    assertThat(queued.get("submitted_by")).isEqualTo("alice");

                    RecordedRequest create = await(server, r -> r.getMethod().equals("POST")
                            && r.getPath().startsWith("/apis/batch/v1/namespaces/team-a/jobs"), seen);
                    assertThat(create.getHeader("Impersonate-User")).isEqualTo("alice");
                    assertThat(create.getHeaders().headers("Impersonate-Group")).containsExactly("team-a");
                    assertThat(seen).filteredOn(r -> r.getMethod().equals("GET")).as("reads stay the server's")
                            .allSatisfy(r -> assertThat(r.getHeader("Impersonate-User")).isNull());

                    call(bob, "cancel_training_job", Map.of("job_id", jobId, "reason", "rule 9 over HTTP"));
                    RecordedRequest delete = await(server, r -> r.getMethod().equals("DELETE")
                            && r.getPath().startsWith("/apis/batch/v1/namespaces/team-a/jobs"), seen);
                    assertThat(delete.getHeader("Impersonate-User")).isEqualTo("bob");
                    assertThat(delete.getHeaders().headers("Impersonate-Group")).containsExactly("team-a");
                }
            }
        } finally {
            OwnHistoryTest.restore(saved);
            server.destroy();
        }
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.PromptLibrary;
import dev.trainops.server.Authenticator;
import dev.trainops.server.HttpOptions;
import dev.trainops.server.HttpTransport;
import dev.trainops.server.JobEventNotifier;
import dev.trainops.server.TokenFile;
import dev.trainops.server.TrainopsMcpServer;
import dev.trainops.testing.Postgres;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 8 (docs/architecture.md, "Events"): two replicas, each a whole trainops with its
 * own Streamable HTTP transport, on one PostgreSQL schema and one API server (fabric8's CRUD mock).
 * What happens on replica 1 (a job cancelled through it, a quota crossing its collector sees)
 * reaches an MCP session connected to replica 2 through the store's event log, once, and never a
 * session of another team. Replica 1 runs the control loops ({@code --controllers on}), replica 2
 * does not ({@code off}), and replica 2 also reads a quotas.yaml with more room for team-a: the
 * quota warning its session hears can only come from replica 1's collector.
 */
class EventsAcrossReplicasTest {
    static final String ALICE = "alice-events-token-0123456789";
    static final String BOB = "bob-events-token-0123456789";
    static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    /** One replica: trainops on {@code config} and the shared store, its MCP server wired as `serve` wires it, listening on a free port. */
    int replica(String name, Path config, Controllers controllers, Map<String, String> env, Path tokens) throws Exception {
        Trainops trainops = Trainops.create(new Trainops.Settings(config, dir.resolve(name), false, 1.0).withControllers(controllers), env);
        open.add(trainops);
        JobEventNotifier notifier = new JobEventNotifier();
        trainops.onJobEvent(notifier);
        trainops.onTeamWarning(notifier::warn);
        HttpTransport http = new HttpTransport(new TrainopsMcpServer(trainops.catalog(), "test", PromptLibrary.empty(), notifier),
                new HttpOptions("127.0.0.1", 0, new Authenticator(TokenFile.load(tokens, Clock.systemUTC()), null), List.of(), null),
                trainops::readiness);
        open.add(http);
        int port = http.start();
        trainops.connect();
        return port;
    }

    /** A session as {@code token}, its log notifications into {@code logs}; its first request tells the server who it is. */
    McpSyncClient session(int port, String token, List<McpSchema.LoggingMessageNotification> logs) {
        McpSyncClient client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp")
                        .httpRequestCustomizer((builder, method, uri, body, context) -> builder.header("Authorization", "Bearer " + token))
                        .build())
                .requestTimeout(Duration.ofSeconds(30)).loggingConsumer(logs::add).build();
        open.add(client);
        client.initialize();
        client.setLoggingLevel(McpSchema.LoggingLevel.INFO);
        return client;
    }

    static Predicate<McpSchema.LoggingMessageNotification> job(String jobId, String kind) {
        return m -> JobEventNotifier.LOGGER.equals(m.logger()) && m.data() != null && m.data().contains("\"job_id\":\"" + jobId + "\"")
                && m.data().contains("\"kind\":\"" + kind + "\"");
    }

    static void await(List<McpSchema.LoggingMessageNotification> logs, Predicate<McpSchema.LoggingMessageNotification> what, String told)
            throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline && logs.stream().noneMatch(what)) {
            Thread.sleep(100);
        }
        assertThat(logs).as(told + " within " + WAIT.toSeconds() + " s; heard " + logs).anyMatch(what);
    }

    @Test
    void issue15_aJobEventAndAQuotaWarningProducedOnOneReplicaReachTheTeamsSessionOnTheOtherOnceAndNoOtherTeam() throws Exception {
        Path tokens = dir.resolve("tokens");
        Files.writeString(tokens, ALICE + " subject=alice role=member teams=team-a\n" + BOB + " subject=bob role=member teams=team-b\n");
        // replica 1's quotas.yaml gives team-a 2 GPUs (2 in use is 100%, past warn_at); replica 2's the shipped 8 (25%)
        Path tight = dir.resolve("config-1");
        copy(OwnHistoryTest.CONFIG, tight);
        String quotas = Files.readString(tight.resolve("quotas.yaml"));
        String teamA = "team-a: { gpus: 8,";
        assertThat(quotas).contains(teamA);
        Files.writeString(tight.resolve("quotas.yaml"), quotas.replace(teamA, "team-a: { gpus: 2,"));

        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        api.init(InetAddress.getLoopbackAddress(), 0);
        open.add(api::destroy);
        try (var client = api.createClient()) {
            client.resource(OwnHistoryTest.h100("h100-a")).create();
        }
        Map<String, String> saved = OwnHistoryTest.pointAt(api);
        open.add(() -> OwnHistoryTest.restore(saved));
        Map<String, String> env = Map.of("TRAINOPS_DB_URL", Postgres.freshSchemaUrl("replicas"), "TRAINOPS_DB_USER", Postgres.user());

        // replica 1 leads (its control loops run: admission, the collector), replica 2 only serves, as
        // `--controllers on` and `off` make them; with `auto` the Lease would pick one at random
        int one = replica("replica-1", tight, Controllers.on, env, tokens);
        int two = replica("replica-2", OwnHistoryTest.CONFIG, Controllers.off, env, tokens);
        McpSyncClient aliceOnOne = session(one, ALICE, new CopyOnWriteArrayList<>());
        McpSyncClient bobOnOne = session(one, BOB, new CopyOnWriteArrayList<>());
        List<McpSchema.LoggingMessageNotification> alice = new CopyOnWriteArrayList<>();
        List<McpSchema.LoggingMessageNotification> bob = new CopyOnWriteArrayList<>();
        McpSyncClient aliceOnTwo = session(two, ALICE, alice);
        session(two, BOB, bob);
        // a relay sends what is written after its replica's store opened (no history): wait for replica 2's
        KubeImpersonationOverHttpTest.call(aliceOnTwo, "get_job_queue_status", Map.of());

        // a job queued and cancelled through replica 1: its admission (whichever replica's pass) and its cancellation (replica 1's)
        String jobA = (String) KubeImpersonationOverHttpTest.call(aliceOnOne, "queue_training_job", Map.of("model", "llm",
                "run_name", "events-a", "team", "team-a", "epochs", 1, "batch_size", 64, "gpu_type", "H100")).get("job_id");
        await(alice, job(jobA, "ADMITTED"), "team-a's session on replica 2 hears of the admission");
        KubeImpersonationOverHttpTest.call(aliceOnOne, "cancel_training_job", Map.of("job_id", jobA, "reason", "events across replicas"));
        await(alice, job(jobA, "CANCELLED"), "team-a's session on replica 2 hears of the cancellation made on replica 1");

        // two of team-a's GPUs in use: replica 1's collector crosses warn_at, replica 2's does not
        String jobW = (String) KubeImpersonationOverHttpTest.call(aliceOnOne, "queue_training_job", Map.of("model", "llm",
                "run_name", "events-w", "team", "team-a", "epochs", 1, "batch_size", 64, "gpu_type", "H100", "gpu_count", 2)).get("job_id");
        Predicate<McpSchema.LoggingMessageNotification> quotaWarning = m -> JobEventNotifier.ALERTS_LOGGER.equals(m.logger())
                && m.data() != null && m.data().contains("\"kind\":\"QUOTA\"") && m.data().contains("\"scope\":\"team-a\"")
                && m.data().contains("\"resource\":\"gpu\"");
        await(alice, quotaWarning, "team-a's session on replica 2 hears replica 1's quota warning");
        McpSchema.LoggingMessageNotification warning = alice.stream().filter(quotaWarning).findFirst().orElseThrow();
        assertThat(warning.level()).isEqualTo(McpSchema.LoggingLevel.WARNING);
        assertThat(warning.data()).contains("team-a uses 2 of its 2 gpu quota");

        // team-b's own job through replica 1: once its session on replica 2 hears of it, everything before it was relayed too
        String jobB = (String) KubeImpersonationOverHttpTest.call(bobOnOne, "queue_training_job", Map.of("model", "llm",
                "run_name", "events-b", "team", "team-b", "epochs", 1, "batch_size", 64, "gpu_type", "H100")).get("job_id");
        KubeImpersonationOverHttpTest.call(bobOnOne, "cancel_training_job", Map.of("job_id", jobB, "reason", "events across replicas"));
        await(bob, job(jobB, "CANCELLED"), "team-b's session on replica 2 hears of its own job");

        assertThat(alice.stream().filter(job(jobA, "ADMITTED"))).as("once, not once per replica").hasSize(1);
        assertThat(alice.stream().filter(job(jobA, "CANCELLED"))).as("once, not once per replica").hasSize(1);
        assertThat(alice).as("team-a's session hears nothing of team-b")
                .noneMatch(m -> m.data() != null && (m.data().contains(jobB) || m.data().contains("team-b")));
        assertThat(bob).as("team-b's session hears nothing of team-a: no job event, no quota warning")
                .noneMatch(m -> m.data() != null && (m.data().contains(jobA) || m.data().contains(jobW) || m.data().contains("team-a")));
    }

    static void copy(Path from, Path to) throws java.io.IOException {
        try (var files = Files.walk(from)) {
            for (Path f : files.toList()) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(f, target);
                }
            }
        }
    }
}

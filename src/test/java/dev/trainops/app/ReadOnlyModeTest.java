package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditLog;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --read-only} (issue 14 item 8, docs/architecture.md "Read-only mode"): the whole app on
 * fabric8's CRUD mock API server, which records every request it gets. Only read-only tools are
 * listed; a start and a round of every read tool send the cluster no write, create no
 * PriorityClass, and leave every table of the store as it was.
 */
class ReadOnlyModeTest {
    static final Path CONFIG = OwnHistoryTest.CONFIG;

    @TempDir
    Path dir;

    @Test
    void aReadOnlyServerListsOnlyReadToolsAndWritesNothingToTheClusterOrTheStore() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        try (Store store = Store.sqlite(data)) {
            JobSpec spec = new JobSpec("team-a", "llm-old", "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 4, 64, Map.of(), false, null, null,
                    0, 0, null, null, null);
            QueueStore queue = new QueueStore(store, Clock.systemUTC());
            store.inTransaction(0, c -> queue.insert(c, QueuedJob.submitted("tj-00000000000a", spec, Instant.now().minusSeconds(60))));
            new AuditLog(store).append(new AuditEntry(Instant.now(), "alice", "member", Set.of("team-a"), "queue_training_job", "team-a",
                    "{}", "OK", ""));
        }
        Map<String, Long> rowsBefore = rows(data);

        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (var client = server.createClient()) {
            client.resource(OwnHistoryTest.h100("h100-a")).create();
        }
        drain(server);
        List<String> requests = new ArrayList<>();
        Map<String, String> saved = OwnHistoryTest.pointAt(server);
        try {
            TrainopsConfig config = TrainopsConfig.read(new Trainops.Settings(CONFIG, data, false, 1.0), Map.of());
            try (Trainops trainops = Trainops.create(config, new Gates(0, true))) {
                List<Tool<?, ?>> tools = trainops.catalog().tools();
                assertThat(tools).as("tools/list under --read-only").allSatisfy(t -> assertThat(t.hints().readOnly()).as(t.name()).isTrue());
                assertThat(tools).extracting(Tool::name).doesNotContain("queue_training_job", "cancel_training_job", "submit_batch_training")
                        .contains("get_gpu_availability", "get_job_queue_status", "get_budget_status", "get_audit_log");
                trainops.connect();

                String today = LocalDate.now(ZoneOffset.UTC).toString();
                String tomorrow = LocalDate.now(ZoneOffset.UTC).plusDays(1).toString();
                Map<String, Map<String, Object>> calls = new TreeMap<>(Map.of(
                        "get_gpu_availability", Map.of(),
                        "get_job_queue_status", Map.of(),
                        "get_budget_status", Map.of("scope", "team-a"),
                        "generate_cost_report", Map.of("start_date", today, "end_date", tomorrow),
                        "get_training_health_status", Map.of(),
                        "get_resource_utilization_report", Map.of(),
                        "check_training_quota", Map.of("team", "team-a"),
                        "calculate_quota", Map.of("team", "team-a", "gpu_count", 1),
                        "validate_job_resources", Map.of("model", "llm", "epochs", 3, "batch_size", 64, "gpu_type", "H100", "team", "team-a",
                                "dry_run", true),
                        "get_audit_log", Map.of()));
                calls.put("decide_job_priority", Map.of("model", "llm"));
                for (Map.Entry<String, Map<String, Object>> call : calls.entrySet()) {
                    OwnHistoryTest.answer(trainops, call.getKey(), call.getValue());
                }
                Map<String, Object> queue = OwnHistoryTest.answer(trainops, "get_job_queue_status", Map.of());
                assertThat(String.valueOf(queue)).as("the stored job is read").contains("tj-00000000000a");
                Map<String, Object> audit = OwnHistoryTest.answer(trainops, "get_audit_log", Map.of());
                assertThat(String.valueOf(audit)).contains("alice");
                // --read-only implies --controllers off: no control loop passes here (a moment for anything late to show)
                assertThat(trainops.leading()).isFalse();
                Thread.sleep(2_000);
                assertThat(BackgroundLoopsTest.sample(trainops.metrics().scrape(), "trainops_background_loop_failures_total",
                        "loop=\"queue-plan\"")).as("the read-only plan for positions and ETAs").isZero();
                requests.addAll(drain(server));
            }
        } finally {
            OwnHistoryTest.restore(saved);
            try (var client = server.createClient()) {
                assertThat(client.scheduling().v1().priorityClasses().list().getItems()).as("PriorityClasses checked, not created").isEmpty();
                assertThat(client.batch().v1().jobs().inAnyNamespace().list().getItems()).isEmpty();
            }
            server.destroy();
        }

        assertThat(requests).as("the API server was read").anyMatch(r -> r.startsWith("GET /api/v1/nodes"))
                .anyMatch(r -> r.startsWith("GET /apis/scheduling.k8s.io/v1/priorityclasses/"));
        assertThat(requests).as("no write reached the API server").allMatch(r -> r.startsWith("GET "));
        assertThat(rows(data)).as("rows per table of the store").isEqualTo(rowsBefore);
    }

    /** Every request the mock API server got since the last drain, as "METHOD path". */
    static List<String> drain(KubernetesMockServer server) throws InterruptedException {
        List<String> out = new ArrayList<>();
        RecordedRequest r;
        while ((r = server.takeRequest(200, TimeUnit.MILLISECONDS)) != null) {
            out.add(r.getMethod() + " " + r.getPath());
        }
        return out;
    }

    /** How many rows each table holds, read through a read-only store. */
    static Map<String, Long> rows(Path data) throws Exception {
        Map<String, Long> out = new TreeMap<>();
        try (Store store = Store.sqliteReadOnly(data); Connection c = store.connection(); Statement s = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            for (String t : tables) {
                try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM \"" + t + "\"")) {
                    rs.next();
                    out.put(t, rs.getLong(1));
                }
            }
        }
        assertThat(out).containsKeys("audit_log", "queue_job");
        return out;
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.cost.JobFootprint;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.PricingConfig;
import dev.trainops.kube.KubeNames;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.JobState;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/money.md "History without MLflow", the whole app: on a cluster (fabric8's CRUD mock API
 * server, not the sandbox) with no MLFLOW_TRACKING_URI, the forecast, comparison and recommendation
 * tools are listed and answer from the jobs trainops ran itself, and say so; a model with no run
 * history is priced at its job template's time limit.
 */
class OwnHistoryTest {
    static final Path CONFIG = Path.of(System.getProperty("trainops.configDir", "../config")).toAbsolutePath();

    @TempDir
    Path dir;

    static QueuedJob succeeded(String jobId, String runName, int batch, Instant start, long seconds) {
        JobSpec spec = new JobSpec("team-a", runName, "llm", "llm", Priority.NORMAL, 1000, "H100", 1, 4, batch, Map.of(), false, null, null, 0,
                0, null, null, null);
        return QueuedJob.submitted(jobId, spec, start.minusSeconds(60)).admittedTo("h100-a", start.minusSeconds(30)).runningSince(start, start)
                .ended(JobState.SUCCEEDED, null, "Succeeded.", start, start.plusSeconds(seconds));
    }

    @Test
    void withoutMlflowOrTheSandboxForecastCompareAndRecommendAnswerFromTrainopsOwnFinishedJobs() throws Exception {
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        Instant day = Instant.now().minusSeconds(86_400);
        try (Store store = Store.sqlite(data)) {
            QueueStore queue = new QueueStore(store, Clock.systemUTC());
            for (QueuedJob j : List.of(succeeded("tj-00000000000a", "llm-bs64", 64, day, 3600),
                    succeeded("tj-00000000000b", "llm-bs128", 128, day.plusSeconds(7200), 2800))) {
                store.inTransaction(0, c -> queue.insert(c, j));
            }
        }
        onCluster(CONFIG, data, trainops -> {
            assertThat(trainops.config().mlflow()).isEmpty();
            assertThat(trainops.catalog().tools()).extracting(Tool::name)
                    .contains("forecast_training_cost", "compare_training_configs", "recommend_cost_optimization");
            trainops.connect();

            Map<String, Object> forecast = answer(trainops, "forecast_training_cost", Map.of("job_name", "llm", "remaining_epochs", 5));
            assertThat(at(forecast, "based_on", "source")).isEqualTo("trainops-jobs");
            assertThat(at(forecast, "based_on", "run_name")).isEqualTo("llm-bs128");
            assertThat(forecast.get("method")).isEqualTo("JOB_AVERAGE");
            assertThat(((Number) forecast.get("estimated_duration_seconds")).longValue()).isEqualTo(3500);

            Map<String, Object> compare = answer(trainops, "compare_training_configs", Map.of("configs", List.of(
                    Map.of("model", "llm", "epochs", 10, "batch_size", 64, "gpu_type", "H100"),
                    Map.of("model", "llm", "epochs", 10, "batch_size", 128, "gpu_type", "H100"))));
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> options = (List<Map<String, Object>>) compare.get("options");
            assertThat(options).allSatisfy(o -> assertThat(at(o, "reference", "source")).isEqualTo("trainops-jobs"));
            assertThat(options).extracting(o -> ((Number) o.get("duration_seconds")).longValue()).containsExactly(9000L, 7000L);
            assertThat(compare.get("recommended")).isEqualTo(1);

            Map<String, Object> recommend = answer(trainops, "recommend_cost_optimization", Map.of("run_id", "llm-bs64"));
            assertThat(at(recommend, "run", "source")).isEqualTo("trainops-jobs");
            assertThat(at(recommend, "run", "run_id")).isEqualTo("tj-00000000000a");
            assertThat(new java.math.BigDecimal((String) recommend.get("baseline_cost"))).isPositive();
        });
    }

    @Test
    void aModelWithoutHistoryIsPricedAllInAtItsTemplatesTimeLimitByTheServer() throws Exception {
        Path config = dir.resolve("config");
        try (var files = Files.walk(CONFIG)) {
            for (Path f : files.toList()) {
                Path to = config.resolve(CONFIG.relativize(f).toString());
                if (Files.isDirectory(f)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(f, to);
                }
            }
        }
        Files.writeString(config.resolve("jobs.yaml"), "  fresh:\n    active_deadline_seconds: 7200\n", java.nio.file.StandardOpenOption.APPEND);
        Path data = dir.resolve("data");
        Files.createDirectories(data);
        PriceBook prices = PricingConfig.load(config.resolve("pricing.yaml"));
        // one H100 with the default template's 8 cores and 64 GiB, for the template's 2 h, as the ledger bills it
        JobFootprint job = new JobFootprint("H100", BigDecimal.ONE, new BigDecimal("8"), new BigDecimal("64"));
        onCluster(config, data, trainops -> {
            trainops.connect();
            Map<String, Object> arguments = Map.of("model", "fresh", "epochs", 3, "batch_size", 64, "gpu_count", 1, "gpu_type", "H100",
                    "team", "team-a", "dry_run", true);
            BigDecimal before = prices.cost(job, Instant.now(), 7200, false).amount();
            Map<String, Object> v = answer(trainops, "validate_job_resources", arguments);
            BigDecimal after = prices.cost(job, Instant.now(), 7200, false).amount();
            assertThat(((Number) v.get("estimated_duration_seconds")).longValue()).isEqualTo(7200);
            // priced from the moment of the call: equal to the bill then (between the two only if a tariff boundary fell in between)
            assertThat(new BigDecimal(String.valueOf(v.get("estimated_cost")))).isBetween(before.min(after), before.max(after));
            assertThat(at(v, "job_manifest", "spec")).isInstanceOfSatisfying(Map.class,
                    spec -> assertThat(((Number) spec.get("activeDeadlineSeconds")).longValue()).isEqualTo(7200));

            Map<String, Object> capped = new HashMap<>(arguments);
            capped.remove("gpu_count");
            capped.put("run_name", "fresh-1");
            capped.put("max_cost", "1.00");
            ToolOutcome refused = trainops.catalog().invoke("queue_training_job", capped);
            assertThat(refused).isInstanceOfSatisfying(ToolOutcome.Failure.class,
                    f -> assertThat(f.error().code()).isEqualTo(dev.trainops.catalog.ErrorCode.BUDGET_EXCEEDED));
        }, h100("h100-a"));
    }

    /** A ready node of 8 whole H100s, labelled as NVIDIA's GPU feature discovery labels it. */
    static Node h100(String name) {
        Map<String, Quantity> capacity = Map.of("cpu", new Quantity("96"), "memory", new Quantity("1024Gi"), "pods", new Quantity("110"),
                KubeNames.GPU_RESOURCE, new Quantity("8"));
        return new NodeBuilder().withNewMetadata().withName(name).withLabels(Map.of(KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-H100-80GB-HBM3",
                        KubeNames.LABEL_GPU_MEMORY_MIB, "81559", KubeNames.LABEL_GPU_COUNT, "8", KubeNames.LABEL_MIG_STRATEGY, "none")).endMetadata()
                .withNewSpec().endSpec().withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build();
    }

    interface AppCheck {
        void check(Trainops trainops) throws Exception;
    }

    /** Runs {@code check} against the whole app started on fabric8's CRUD mock API server, with no MLflow and no sandbox. */
    static void onCluster(Path config, Path data, AppCheck check, Node... nodes) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        try (var client = server.createClient()) {
            for (Node n : nodes) {
                client.resource(n).create();
            }
        }
        Map<String, String> saved = pointAt(server);
        try {
            try (Trainops trainops = Trainops.create(new Trainops.Settings(config, data, false, 1.0), Map.of())) {
                check.check(trainops);
            }
        } finally {
            restore(saved);
            server.destroy();
        }
    }

    /** Points the fabric8 client's system properties at {@code server}; returns what they were, for {@link #restore}. */
    static Map<String, String> pointAt(KubernetesMockServer server) {
        return dev.trainops.app.bench.KubeClientProperties.pointAt(server.url("/"));
    }

    static void restore(Map<String, String> saved) {
        dev.trainops.app.bench.KubeClientProperties.restore(saved);
    }

    /** The tool's structured answer; the store opens in the background, so a first call may wait for it (bounded). */
    static Map<String, Object> answer(Trainops trainops, String tool, Map<String, Object> arguments) throws InterruptedException {
        ToolOutcome last = null;
        for (int i = 0; i < 120; i++) {
            last = trainops.catalog().invoke(tool, arguments);
            if (last instanceof ToolOutcome.Success s) {
                return s.structured();
            }
            Thread.sleep(250);
        }
        throw new AssertionError(tool + " did not answer: " + last);
    }

    @SuppressWarnings("unchecked")
    static Object at(Map<String, Object> map, String outer, String inner) {
        return ((Map<String, Object>) map.get(outer)).get(inner);
    }
}

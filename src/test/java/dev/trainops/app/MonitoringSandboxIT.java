package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.monitor.Metrics;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 6 on the packaged server with the sandbox, over Streamable HTTP: {@code /metrics} shows
 * every family right after start; after a few sandbox jobs ran, the job, queue, usage, cost and
 * tool families moved with sane values; a real Alertmanager payload posted to
 * {@code /alerts/webhook} shows in get_training_health_status and its resolution clears it; the
 * utilisation report has the jobs with their GPU utilisation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MonitoringSandboxIT {
    static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

    @TempDir
    static Path dataDir;

    Process server;
    int port;
    McpSyncClient client;
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    void launch() throws Exception {
        port = SandboxServers.freePort();
        server = SandboxServers.http(dataDir, port, "600");
        client = McpClient.sync(HttpClientStreamableHttpTransport.builder("http://127.0.0.1:" + port).endpoint("/mcp").build())
                .requestTimeout(Duration.ofSeconds(30)).build();
        client.initialize();
    }

    @AfterAll
    void stop() throws Exception {
        if (client != null) {
            client.closeGracefully();
        }
        if (server != null) {
            server.destroy();
            server.waitFor(10, TimeUnit.SECONDS);
        }
    }

    HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    Map<String, Object> call(String tool, Map<String, Object> args) {
        return SandboxServers.call(client, tool, args);
    }

    /** The sum of a metric's samples whose labels contain every one of {@code labels}. */
    static double sum(String text, String name, String... labels) {
        double total = 0;
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).equals(name)) {
                String l = m.group(2) == null ? "" : m.group(2);
                if (java.util.Arrays.stream(labels).allMatch(l::contains)) {
                    total += Double.parseDouble(m.group(3));
                }
            }
        }
        return total;
    }

    /**
     * The value of the one series of a metric whose labels contain every one of {@code labels}; a
     * missing series fails (it is not a zero), and so do several.
     */
    static double value(String text, String name, String... labels) {
        List<Double> values = new java.util.ArrayList<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            String l = m.group(2) == null ? "" : m.group(2);
            if (m.group(1).equals(name) && java.util.Arrays.stream(labels).allMatch(l::contains)) {
                values.add(Double.parseDouble(m.group(3)));
            }
        }
        assertThat(values).as("the series %s%s on /metrics", name, java.util.Arrays.toString(labels)).hasSize(1);
        return values.get(0);
    }

    String awaitMetric(String name, DoublePredicate condition, String... labels) throws Exception {
        // the recorder and collector run every 15 s on a shared 2-core machine: a bound, not a timing claim
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        String text = "";
        while (System.nanoTime() < deadline) {
            text = get("/metrics").body();
            if (condition.test(sum(text, name, labels))) {
                return text;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(name + " " + String.join(",", labels) + " never got there: " + sum(text, name, labels));
    }

    static String payload(String name) throws Exception {
        return new String(Files.readAllBytes(Path.of("../tools/src/test/resources/alertmanager/" + name)), StandardCharsets.UTF_8);
    }

    @Test
    @SuppressWarnings("unchecked")
    void metricsAlertsAndUtilisationOnTheSandbox() throws Exception {
        // right after start: every family, text format 0.0.4
        HttpResponse<String> first = get("/metrics");
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(first.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
        TreeSet<String> families = new TreeSet<>();
        Matcher t = Pattern.compile("^# TYPE (\\S+) ", Pattern.MULTILINE).matcher(first.body());
        while (t.find()) {
            families.add(t.group(1));
        }
        assertThat(families).containsAll(Metrics.FAMILIES);
        double costBefore = sum(first.body(), "trainops_cost_total", "team=\"team-c\"");

        // a few short jobs run to the end
        for (int i = 0; i < 3; i++) {
            call("queue_training_job", Map.of("model", "validation", "run_name", "metrics-" + i, "team", "team-c", "epochs", 1,
                    "batch_size", 16, "gpu_type", "T4"));
        }
        String text = awaitMetric("trainops_jobs_succeeded_total", v -> v >= 3, "team=\"team-c\"");
        assertThat(sum(text, "trainops_jobs_admitted_total", "team=\"team-c\"")).isGreaterThanOrEqualTo(3);
        assertThat(sum(text, "trainops_job_duration_seconds_count", "team=\"team-c\"", "state=\"SUCCEEDED\"")).isGreaterThanOrEqualTo(3);
        // sandbox minutes: a validation epoch on a T4 is minutes, not hours or milliseconds
        double meanDuration = sum(text, "trainops_job_duration_seconds_sum", "team=\"team-c\"") / sum(text, "trainops_job_duration_seconds_count",
                "team=\"team-c\"");
        assertThat(meanDuration).isBetween(10.0, 4 * 3600.0);
        assertThat(sum(text, "trainops_queue_wait_seconds_count")).isGreaterThanOrEqualTo(3);
        assertThat(sum(text, "trainops_tool_calls_seconds_count", "tool=\"queue_training_job\"", "outcome=\"ok\"")).isEqualTo(3);
        // estimate against the ledger's bill, once the ledger has caught up with the jobs' ends
        text = awaitMetric("trainops_job_cost_actual_to_forecast_ratio_count", v -> v >= 3, "team=\"team-c\"");
        double forecast = sum(text, "trainops_job_cost_forecast_total", "team=\"team-c\"");
        double actual = sum(text, "trainops_job_cost_actual_total", "team=\"team-c\"");
        assertThat(forecast).isPositive();
        assertThat(actual).isPositive();
        // a measurement here; EstimatesEqualTheBillIT holds it to 0.97-1.03 (time-sliced T4s included)
        System.out.printf("monitoring IT: 3 validation jobs billed %.6f against %.6f estimated (x%.2f)%n", actual, forecast, actual / forecast);
        // the ledger's totals reach the usage and cost families on the next collection (every 15 s)
        text = awaitMetric("trainops_cost_total", v -> v > costBefore, "team=\"team-c\"");
        assertThat(sum(text, "trainops_gpu_usage_seconds_total", "team=\"team-c\"")).isPositive();
        // team-c's budget series is there, and the jobs it was billed for count in it
        assertThat(value(text, "trainops_budget_consumption_ratio", "scope=\"team-c\"")).isBetween(0.0, 1.0);
        text = awaitMetric("trainops_budget_consumption_ratio", v -> v > 0, "scope=\"team-c\"");
        assertThat(value(text, "trainops_budget_consumption_ratio", "scope=\"team-c\"")).isGreaterThan(0.0).isLessThanOrEqualTo(1.0);
        assertThat(sum(text, "trainops_backend_up", "backend=\"kubernetes\"")).isEqualTo(1);
        assertThat(sum(text, "trainops_backend_up", "backend=\"store\"")).isEqualTo(1);

        // Alertmanager's webhook: the alert shows in the health status, its resolution clears it
        HttpResponse<String> posted = post("/alerts/webhook", payload("firing.json"));
        assertThat(posted.statusCode()).as(posted.body()).isEqualTo(200);
        Map<String, Object> health = call("get_training_health_status", Map.of());
        List<Map<String, Object>> alerts = (List<Map<String, Object>>) health.get("alerts");
        assertThat(alerts).extracting(a -> a.get("alertname")).contains("TrainingJobLowGpuUtilization", "BudgetForecastOverBudget");
        assertThat(health.get("status")).isEqualTo("CRITICAL");
        assertThat(post("/alerts/webhook", payload("resolved.json")).statusCode()).isEqualTo(200);
        alerts = (List<Map<String, Object>>) call("get_training_health_status", Map.of("team", "team-a")).get("alerts");
        assertThat(alerts).isEmpty();
        assertThat(post("/alerts/webhook", "{\"version\":\"3\"}").statusCode()).isEqualTo(400);

        // the utilisation report: the jobs' GPU-hours with the sandbox runs' utilisation, once billed
        List<Map<String, Object>> jobs = List.of();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            Map<String, Object> report = call("get_resource_utilization_report", Map.of("team", "team-c"));
            jobs = ((List<Map<String, Object>>) report.get("jobs")).stream()
                    .filter(j -> String.valueOf(j.get("run_name")).startsWith("metrics-")).toList();
            if (jobs.size() == 3) {
                break;
            }
            Thread.sleep(1000);
        }
        assertThat(jobs).hasSize(3).allSatisfy(j -> {
            assertThat(((Number) j.get("allocated_gpu_hours")).doubleValue()).isPositive();
            assertThat(j.get("source")).isEqualTo("sandbox");
            assertThat(((Number) j.get("gpu_utilization_percent")).doubleValue()).isBetween(1.0, 100.0);
            assertThat(((Number) j.get("efficiency")).doubleValue()).isBetween(0.0, 1.0);
        });
    }
}

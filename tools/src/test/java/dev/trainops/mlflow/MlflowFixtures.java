package dev.trainops.mlflow;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.github.tomakehurst.wiremock.WireMockServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Real training histories (tools/src/test/resources/h200-runs.jsonl, recorded on an H200) rendered as MLflow REST
 * responses the way an autologging script would have logged them: epoch metrics at step = epoch
 * with the epoch's end timestamp, system GPU metrics per epoch, step-level loss at the global step.
 */
public final class MlflowFixtures {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final Map<String, ObjectNode> runs = new LinkedHashMap<>();
    private final Map<String, Map<String, ArrayNode>> histories = new LinkedHashMap<>();

    public static MlflowFixtures h200() {
        try (InputStream in = MlflowFixtures.class.getResourceAsStream("/h200-runs.jsonl")) {
            MlflowFixtures f = new MlflowFixtures();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    f.add(JSON.readTree(line));
                }
            }
            return f;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void add(JsonNode r) {
        String name = r.path("run_name").asString();
        // 32 hex digits, as MLflow run ids are
        String runId = String.format("%08x", name.hashCode()) + "000000000000000000000000";
        JsonNode epochs = r.path("epochs");
        long start = r.has("start_ms") ? r.path("start_ms").asLong() : epochs.get(0).path("start_ms").asLong();
        long end = epochs.get(epochs.size() - 1).path("end_ms").asLong();
        Map<String, ArrayNode> history = new LinkedHashMap<>();
        for (JsonNode e : epochs) {
            long step = e.path("epoch").asLong();
            long ts = e.path("end_ms").asLong();
            for (String key : List.of("train_loss", "val_loss", "val_accuracy", "val_perplexity")) {
                if (e.has(key)) {
                    point(history, key, e.path(key).asDouble(), ts, step);
                }
            }
            point(history, "system/gpu_0_utilization_percentage", e.path("gpu_util_mean").asDouble(), ts, step);
            point(history, "system/gpu_0_memory_usage_megabytes", e.path("gpu_mem_used_mb").asDouble(), ts, step);
        }
        for (JsonNode s : r.path("steps")) {
            point(history, "loss", s.get(2).asDouble(), s.get(1).asLong(), s.get(0).asLong());
        }
        int stepsPerEpoch = r.has("train_samples") ? r.path("train_samples").asInt() / r.path("batch_size").asInt() : 0;
        ObjectNode run = JSON.createObjectNode();
        ObjectNode info = run.putObject("info");
        info.put("run_id", runId).put("run_uuid", runId).put("run_name", name).put("experiment_id", "1").put("user_id", "trainer")
                .put("status", "FINISHED").put("start_time", start).put("end_time", end)
                .put("artifact_uri", "mlflow-artifacts:/1/" + runId + "/artifacts").put("lifecycle_stage", "active");
        ObjectNode data = run.putObject("data");
        ArrayNode metrics = data.putArray("metrics");
        history.forEach((key, points) -> metrics.add(points.get(points.size() - 1)));
        ArrayNode params = data.putArray("params");
        param(params, "model", r.path("model").asString());
        param(params, "epochs", r.path("epochs_planned").asString());
        param(params, "batch_size", r.path("batch_size").asString());
        param(params, "learning_rate", r.path("lr").asString());
        param(params, "gpu_type", "H200");
        param(params, "gpu_count", "1");
        if (stepsPerEpoch > 0) {
            param(params, "steps_per_epoch", Integer.toString(stepsPerEpoch));
            param(params, "train_samples", r.path("train_samples").asString());
        }
        data.putArray("tags").addObject().put("key", "mlflow.runName").put("value", name);
        runs.put(name, run);
        histories.put(name, history);
    }

    /**
     * Adds a run of your own (synthetic curves, or a real run cut after some epochs) in MLflow's
     * shapes: {@code metrics} maps a metric key to its points, as a script would have logged them.
     */
    public void put(String name, String runId, String status, java.time.Instant start, Map<String, String> params,
                    Map<String, List<MlflowRun.MetricPoint>> metrics) {
        Map<String, ArrayNode> history = new LinkedHashMap<>();
        metrics.forEach((key, points) -> points.forEach(p -> point(history, key, p.value(), p.timestamp().toEpochMilli(), p.step())));
        ObjectNode run = JSON.createObjectNode();
        ObjectNode info = run.putObject("info");
        info.put("run_id", runId).put("run_uuid", runId).put("run_name", name).put("experiment_id", "1").put("user_id", "trainer")
                .put("status", status).put("start_time", start.toEpochMilli())
                .put("artifact_uri", "mlflow-artifacts:/1/" + runId + "/artifacts").put("lifecycle_stage", "active");
        if (!status.equals("RUNNING")) {
            // an ended run's end_time: its last logged point
            metrics.values().stream().flatMap(List::stream).map(p -> p.timestamp().toEpochMilli()).max(Long::compare)
                    .ifPresent(end -> info.put("end_time", end));
        }
        ObjectNode data = run.putObject("data");
        ArrayNode latest = data.putArray("metrics");
        history.forEach((key, points) -> latest.add(points.get(points.size() - 1)));
        ArrayNode ps = data.putArray("params");
        params.forEach((k, v) -> param(ps, k, v));
        data.putArray("tags").addObject().put("key", "mlflow.runName").put("value", name);
        runs.put(name, run);
        histories.put(name, history);
    }

    public java.util.Set<String> names() {
        return runs.keySet();
    }

    /**
     * Serves every run on WireMock as MLflow 2.x would: experiments/search, runs/search by run name
     * and by params.model (most recent first, as MLflow orders by start time), runs/get and
     * metrics/get-history; anything else searched finds nothing ({@code {}}).
     */
    public void serve(WireMockServer mlflow) {
        mlflow.stubFor(post("/api/2.0/mlflow/experiments/search")
                .willReturn(okJson(
                        "{\"experiments\":[{\"experiment_id\":\"1\",\"name\":\"runs\",\"lifecycle_stage\":\"active\"}]}")));
        mlflow.stubFor(post("/api/2.0/mlflow/runs/search").atPriority(10)
                .willReturn(okJson("{}")));
        mlflow.stubFor(get(
                urlPathEqualTo("/api/2.0/mlflow/metrics/get-history")).atPriority(10)
                .willReturn(okJson("{}")));
        Map<String, List<ObjectNode>> byModel = new LinkedHashMap<>();
        runs.forEach((name, run) -> {
            String id = run.path("info").path("run_id").asString();
            searchStub(mlflow, "attributes.run_name = '" + name + "'", List.of(run));
            for (JsonNode p : run.path("data").path("params")) {
                if (p.path("key").asString().equals("model")) {
                    byModel.computeIfAbsent(p.path("value").asString(), k -> new ArrayList<>()).add(run);
                }
            }
            ObjectNode body = JSON.createObjectNode();
            body.set("run", run);
            mlflow.stubFor(get(
                    urlPathEqualTo("/api/2.0/mlflow/runs/get"))
                    .withQueryParam("run_id", equalTo(id))
                    .willReturn(okJson(body.toString())));
            histories.get(name).forEach((key, points) -> mlflow.stubFor(get(
                    urlPathEqualTo("/api/2.0/mlflow/metrics/get-history"))
                    .withQueryParam("run_id", equalTo(id))
                    .withQueryParam("metric_key", equalTo(key))
                    .willReturn(okJson(historyJson(name, key, null)))));
        });
        byModel.forEach((model, list) -> {
            List<ObjectNode> newestFirst = new ArrayList<>(list);
            newestFirst.sort(java.util.Comparator.comparingLong((ObjectNode r) -> r.path("info").path("start_time").asLong()).reversed());
            searchStub(mlflow, "params.model = '" + model + "'", newestFirst);
        });
    }

    private static void searchStub(WireMockServer mlflow, String filter, List<ObjectNode> hits) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode items = body.putArray("runs");
        hits.forEach(items::add);
        mlflow.stubFor(post("/api/2.0/mlflow/runs/search").atPriority(1)
                .withRequestBody(matchingJsonPath("$.filter",
                        equalTo(filter)))
                .willReturn(okJson(body.toString())));
    }

    private static void point(Map<String, ArrayNode> history, String key, double value, long ts, long step) {
        history.computeIfAbsent(key, k -> JSON.createArrayNode()).addObject().put("key", key).put("value", value)
                .put("timestamp", ts).put("step", step);
    }

    private static void param(ArrayNode params, String key, String value) {
        params.addObject().put("key", key).put("value", value);
    }

    public MlflowRun run(String name) {
        return MlflowClient.run(runs.get(name));
    }

    /** The history of one metric as the client would parse it (empty when the run did not log it). */
    public List<MlflowRun.MetricPoint> history(String name, String key) {
        ArrayNode points = histories.get(name).get(key);
        List<MlflowRun.MetricPoint> out = new ArrayList<>();
        if (points != null) {
            points.forEach(p -> out.add(MlflowClient.metric(p)));
        }
        return out;
    }

    public String getRunJson(String name) {
        ObjectNode body = JSON.createObjectNode();
        body.set("run", runs.get(name));
        return body.toString();
    }

    /** runs/search responses over {@code pageCount} pages; page i carries next_page_token "page-(i+1)". */
    public List<String> searchPages(int pageCount) {
        List<ObjectNode> all = new ArrayList<>(runs.values());
        List<String> pages = new ArrayList<>();
        int per = (int) Math.ceil(all.size() / (double) pageCount);
        for (int p = 0; p < pageCount; p++) {
            ObjectNode page = JSON.createObjectNode();
            ArrayNode items = page.putArray("runs");
            all.subList(p * per, Math.min(all.size(), (p + 1) * per)).forEach(items::add);
            if (p < pageCount - 1) {
                page.put("next_page_token", "page-" + (p + 2));
            }
            pages.add(page.toString());
        }
        return pages;
    }

    /** A metrics/get-history response; {@code token} non-null adds a next_page_token. */
    public String historyJson(String name, String key, String token) {
        ObjectNode body = JSON.createObjectNode();
        body.set("metrics", histories.get(name).get(key));
        if (token != null) {
            body.put("next_page_token", token);
        }
        return body.toString();
    }
}

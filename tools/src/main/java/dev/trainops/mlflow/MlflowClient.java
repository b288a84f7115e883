package dev.trainops.mlflow;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * MLflow's REST API 2.0 over java.net.http: experiments/search, experiments/get-by-name,
 * runs/search, runs/get and metrics/get-history, with the API's habits handled: pagination that
 * always sends {@code max_results} and stops when a page token repeats (mlflow#23916), {@code {}}
 * for no hits, int64s as numbers or strings, "NaN"/"Infinity" as strings, JSON errors from the
 * tracking server and plain-text ones from the basic-auth app, retries with backoff on 429/503,
 * and Basic or Bearer auth from the standard MLFLOW_TRACKING_* variables.
 */
public final class MlflowClient {
    static final int PAGE = 1000;
    static final int HISTORY_PAGE = 10_000;

    /** Where and how to reach MLflow. */
    public record Config(URI trackingUri, String username, String password, String token, Duration timeout, int maxAttempts,
                         Duration backoff) {
        public Config {
            Objects.requireNonNull(trackingUri, "trackingUri must not be null");
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be at least 1");
            }
        }

        /** From MLFLOW_TRACKING_URI, MLFLOW_TRACKING_USERNAME/PASSWORD, MLFLOW_TRACKING_TOKEN; empty when no URI is set. */
        public static Optional<Config> fromEnvironment(Map<String, String> env) {
            String uri = env.get("MLFLOW_TRACKING_URI");
            if (uri == null || uri.isBlank()) {
                return Optional.empty();
            }
            if (!uri.startsWith("http://") && !uri.startsWith("https://")) {
                throw new IllegalArgumentException("MLFLOW_TRACKING_URI must be an http(s) URL of a tracking server, was " + uri);
            }
            return Optional.of(new Config(URI.create(uri.endsWith("/") ? uri : uri + "/"), env.get("MLFLOW_TRACKING_USERNAME"),
                    env.get("MLFLOW_TRACKING_PASSWORD"), env.get("MLFLOW_TRACKING_TOKEN"), Duration.ofSeconds(5), 3,
                    Duration.ofMillis(200)));
        }
    }

    private static final JsonMapper JSON = MlflowHttp.JSON;

    private final MlflowHttp http;

    public MlflowClient(Config config) {
        this.http = new MlflowHttp(config);
    }

    public URI trackingUri() {
        return http.trackingUri();
    }

    /** The tracking URI for messages: without any user:password@ part. */
    String where() {
        return http.where();
    }

    /** Experiment ids by name, every page. */
    public Map<String, String> experiments() {
        Map<String, String> byName = new LinkedHashMap<>();
        String token = null;
        Set<String> seen = new HashSet<>();
        do {
            ObjectNode body = JSON.createObjectNode().put("max_results", PAGE);
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page = http.post("experiments/search", body);
            for (JsonNode e : page.path("experiments")) {
                byName.put(e.path("name").asString(), e.path("experiment_id").asString());
            }
            token = MlflowHttp.nextToken(page, seen);
        } while (token != null);
        return byName;
    }

    /** Runs of the given experiments matching an MLflow filter (may be null), every page, newest first. */
    public List<MlflowRun> searchRuns(List<String> experimentIds, String filter, int limit) {
        List<MlflowRun> runs = new ArrayList<>();
        String token = null;
        Set<String> seen = new HashSet<>();
        do {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode ids = body.putArray("experiment_ids");
            experimentIds.forEach(ids::add);
            body.put("max_results", Math.min(PAGE, Math.max(1, limit - runs.size())));
            body.putArray("order_by").add("attributes.start_time DESC");
            if (filter != null && !filter.isBlank()) {
                body.put("filter", filter);
            }
            if (token != null) {
                body.put("page_token", token);
            }
            JsonNode page = http.post("runs/search", body);
            for (JsonNode r : page.path("runs")) {
                runs.add(run(r));
            }
            token = runs.size() >= limit ? null : MlflowHttp.nextToken(page, seen);
        } while (token != null);
        return runs;
    }

    public MlflowRun getRun(String runId) {
        return run(http.get("runs/get", Map.of("run_id", runId)).path("run"));
    }

    /** Every logged value of one metric, in step order, every page. */
    public List<MlflowRun.MetricPoint> metricHistory(String runId, String key) {
        List<MlflowRun.MetricPoint> points = new ArrayList<>();
        String token = null;
        Set<String> seen = new HashSet<>();
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("run_id", runId);
            q.put("metric_key", key);
            q.put("max_results", Integer.toString(HISTORY_PAGE)); // always: from 3.4, leaving it out returns nothing
            if (token != null) {
                q.put("page_token", token);
            }
            JsonNode page = http.get("metrics/get-history", q);
            if (token != null && token.equals(page.path("next_page_token").asString(""))) {
                break; // the server sent back the page we asked past: it would repeat forever
            }
            for (JsonNode m : page.path("metrics")) {
                points.add(metric(m));
            }
            token = MlflowHttp.nextToken(page, seen);
        } while (token != null);
        points = new ArrayList<>(new java.util.LinkedHashSet<>(points)); // a repeated page adds nothing
        points.sort(java.util.Comparator.comparingLong(MlflowRun.MetricPoint::step).thenComparing(MlflowRun.MetricPoint::timestamp));
        return points;
    }

    static MlflowRun run(JsonNode r) {
        JsonNode info = r.path("info");
        Map<String, String> params = new LinkedHashMap<>();
        for (JsonNode p : r.path("data").path("params")) {
            params.put(p.path("key").asString(), p.path("value").asString());
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (JsonNode t : r.path("data").path("tags")) {
            tags.put(t.path("key").asString(), t.path("value").asString());
        }
        List<MlflowRun.MetricPoint> metrics = new ArrayList<>();
        for (JsonNode m : r.path("data").path("metrics")) {
            metrics.add(metric(m));
        }
        String runName = info.path("run_name").asString(tags.getOrDefault("mlflow.runName", ""));
        return new MlflowRun(info.path("run_id").asString(info.path("run_uuid").asString("")), runName,
                info.path("experiment_id").asString(""), info.path("status").asString(""),
                millis(info.path("start_time")), millis(info.path("end_time")), params, tags, metrics);
    }

    static MlflowRun.MetricPoint metric(JsonNode m) {
        return new MlflowRun.MetricPoint(m.path("key").asString(), number(m.path("value")), millis(m.path("timestamp")),
                m.path("step").isMissingNode() ? 0 : Long.parseLong(m.path("step").asString("0")));
    }

    /** MLflow writes NaN and the infinities as strings. */
    static double number(JsonNode v) {
        if (v.isNumber()) {
            return v.asDouble();
        }
        return switch (v.asString("NaN")) {
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(v.asString());
        };
    }

    /** int64 milliseconds, as a number or a string; null when absent (a running run has no end_time). */
    static Instant millis(JsonNode v) {
        if (v == null || v.isMissingNode() || v.isNull()) {
            return null;
        }
        return Instant.ofEpochMilli(v.isNumber() ? v.asLong() : Long.parseLong(v.asString()));
    }
}

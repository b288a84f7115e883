package dev.trainops.prometheus;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Prometheus's HTTP query API ({@code /api/v1/query}): an instant query answers a vector of
 * samples, each with its labels and a value Prometheus sends as a string ("NaN" and "+Inf"
 * included). Any failure is a {@link PrometheusException} naming the URL and the query.
 */
public final class PrometheusClient {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Where and how to reach Prometheus. */
    public record Config(URI url, String token, Duration timeout) {
        public Config {
            Objects.requireNonNull(url, "url must not be null");
        }

        /** From PROMETHEUS_URL (and PROMETHEUS_TOKEN for a bearer token); empty when no URL is set. */
        public static Optional<Config> fromEnvironment(Map<String, String> env) {
            String url = env.get("PROMETHEUS_URL");
            if (url == null || url.isBlank()) {
                return Optional.empty();
            }
            if (!url.startsWith("http://") && !url.startsWith("https://")) {
                throw new IllegalArgumentException("PROMETHEUS_URL must be an http(s) URL of a Prometheus server, was " + url);
            }
            return Optional.of(new Config(URI.create(url.endsWith("/") ? url : url + "/"), env.get("PROMETHEUS_TOKEN"), Duration.ofSeconds(5)));
        }
    }

    /** One sample of an instant vector. */
    public record Sample(Map<String, String> labels, double value) {
        public Sample {
            labels = Map.copyOf(labels);
        }

        /** The first of these labels that is set, or null. */
        public String label(String... names) {
            for (String n : names) {
                String v = labels.get(n);
                if (v != null && !v.isEmpty()) {
                    return v;
                }
            }
            return null;
        }
    }

    /** A query failed: Prometheus did not answer, or answered an error. */
    public static final class PrometheusException extends RuntimeException {
        public PrometheusException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Config config;
    private final HttpClient http;

    public PrometheusClient(Config config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
    }

    public URI url() {
        return config.url();
    }

    /** An instant query at {@code time} (now when null). */
    public List<Sample> query(String promql, Instant time) {
        String q = "query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)
                + (time == null ? "" : "&time=" + time.getEpochSecond() + "." + String.format("%03d", time.getNano() / 1_000_000));
        HttpRequest.Builder b = HttpRequest.newBuilder(config.url().resolve("api/v1/query?" + q)).timeout(config.timeout())
                .header("Accept", "application/json").GET();
        if (config.token() != null && !config.token().isBlank()) {
            b.header("Authorization", "Bearer " + config.token());
        }
        HttpResponse<String> response;
        try {
            response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new PrometheusException("Prometheus at " + config.url() + " did not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PrometheusException("interrupted while querying Prometheus", e);
        }
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (RuntimeException e) {
            throw new PrometheusException("Prometheus at " + config.url() + " answered " + response.statusCode() + " with no JSON", e);
        }
        if (response.statusCode() != 200 || !"success".equals(body.path("status").asString())) {
            throw new PrometheusException("Prometheus at " + config.url() + " answered " + response.statusCode() + " "
                    + body.path("errorType").asString("") + ": " + body.path("error").asString("") + " (query " + promql + ")", null);
        }
        JsonNode data = body.path("data");
        String type = data.path("resultType").asString();
        List<Sample> out = new ArrayList<>();
        if (type.equals("vector")) {
            for (JsonNode r : data.path("result")) {
                Map<String, String> labels = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> e : r.path("metric").properties()) {
                    labels.put(e.getKey(), e.getValue().asString());
                }
                out.add(new Sample(labels, number(r.path("value").get(1))));
            }
        } else if (type.equals("scalar")) {
            out.add(new Sample(Map.of(), number(data.path("result").get(1))));
        } else {
            throw new PrometheusException("Prometheus answered a " + type + " for an instant query: " + promql, null);
        }
        return out;
    }

    private static double number(JsonNode v) {
        String s = v == null ? "NaN" : v.asString();
        return switch (s) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }
}

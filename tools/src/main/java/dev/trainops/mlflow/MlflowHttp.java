package dev.trainops.mlflow;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side of MLflow's REST API 2.0, shared by the tracking client and the registry: one
 * {@link HttpClient}, Basic or Bearer auth, GET parameters in the query string and JSON bodies for
 * POST and DELETE (the server reads a DELETE's parameters from its JSON body, mlflow/server/handlers.py
 * {@code _get_request_message}), retries with exponential backoff on 429 and 503 and on no answer,
 * and MLflow's errors as {@link MlflowException}s whose messages never carry a credential.
 */
final class MlflowHttp {
    static final JsonMapper JSON = JsonMapper.builder().build();

    /** Whether sending the same request twice is harmless: only then is a request with no answer sent again. */
    enum Retry {
        IDEMPOTENT,
        /** A create that may have happened although no answer came back (model-versions/create). */
        NOT_ON_NO_ANSWER
    }

    private final MlflowClient.Config config;
    private final HttpClient http;
    private final String where;

    MlflowHttp(MlflowClient.Config config) {
        this.config = config;
        this.http = HttpClient.newBuilder().connectTimeout(config.timeout()).build();
        this.where = withoutUserInfo(config.trackingUri());
    }

    URI trackingUri() {
        return config.trackingUri();
    }

    /** The tracking URI as it may appear in a message: without a user:password@ part. */
    String where() {
        return where;
    }

    JsonNode get(String path, Map<String, String> query) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.length() == 0 ? "?" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(request(path + q).GET().build(), path, Retry.IDEMPOTENT);
    }

    JsonNode post(String path, JsonNode body) {
        return post(path, body, Retry.IDEMPOTENT);
    }

    JsonNode post(String path, JsonNode body, Retry retry) {
        return send(withBody(path, "POST", body), path, retry);
    }

    JsonNode delete(String path, JsonNode body) {
        return send(withBody(path, "DELETE", body), path, Retry.IDEMPOTENT);
    }

    /** The next page's token, or null on the last page or when a token comes back that was already followed. */
    static String nextToken(JsonNode page, Set<String> seen) {
        String token = page.path("next_page_token").asString("");
        if (token.isEmpty() || !seen.add(token)) {
            return null; // the last page, or a token that never advances
        }
        return token;
    }

    private HttpRequest withBody(String path, String method, JsonNode body) {
        return request(path).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(config.trackingUri().resolve("api/2.0/mlflow/" + path))
                .timeout(config.timeout()).header("Accept", "application/json");
        if (config.token() != null && !config.token().isBlank()) {
            b.header("Authorization", "Bearer " + config.token());
        } else if (config.username() != null && config.password() != null) {
            String basic = Base64.getEncoder().encodeToString((config.username() + ":" + config.password()).getBytes(StandardCharsets.UTF_8));
            b.header("Authorization", "Basic " + basic);
        }
        return b;
    }

    private JsonNode send(HttpRequest request, String path, Retry retry) {
        MlflowException last = null;
        for (int attempt = 1; attempt <= config.maxAttempts(); attempt++) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 200) {
                    String body = response.body();
                    return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
                }
                last = error(status, response.body(), path);
                if (status != 429 && status != 503) {
                    throw last;
                }
            } catch (IOException e) {
                last = new MlflowException(0, null, scrub("MLflow at " + where + " did not answer " + path + ": " + e.getMessage()), e);
                if (retry == Retry.NOT_ON_NO_ANSWER) {
                    throw new MlflowException(0, null, last.getMessage()
                            + " (it may have been done all the same: look before trying again)", e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MlflowException(0, null, "interrupted while calling MLflow", e);
            }
            if (attempt < config.maxAttempts()) {
                sleep(config.backoff().multipliedBy(1L << (attempt - 1)));
            }
        }
        throw last;
    }

    private MlflowException error(int status, String body, String path) {
        String code = null;
        String message = body == null ? "" : body.strip();
        try {
            JsonNode json = JSON.readTree(body);
            if (json != null && json.has("error_code")) {
                code = json.path("error_code").asString();
                message = json.path("message").asString(message);
            }
        } catch (RuntimeException notJson) {
            // the basic-auth app answers 401/403 in plain text
        }
        if (message.length() > 300) {
            message = message.substring(0, 300) + "...";
        }
        return new MlflowException(status, code, scrub("MLflow " + path + " answered " + status + (code == null ? "" : " " + code)
                + (message.isEmpty() ? "" : ": " + message)), null);
    }

    /** Takes out any credential an error text may echo (a proxy's page, an exception that names the URL). */
    private String scrub(String message) {
        String out = message.replace(config.trackingUri().toString(), where);
        for (String secret : new String[] {config.password(), config.token(), config.trackingUri().getRawUserInfo()}) {
            if (secret != null && !secret.isEmpty()) {
                out = out.replace(secret, "***");
            }
        }
        return out;
    }

    private static String withoutUserInfo(URI uri) {
        if (uri.getRawUserInfo() == null) {
            return uri.toString();
        }
        try {
            return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
        } catch (URISyntaxException e) {
            return uri.getScheme() + "://" + uri.getHost();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

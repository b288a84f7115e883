package dev.trainops.app.sandbox;

import dev.trainops.app.sandbox.ApiResources.ApiResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OpenAPI v3 documents of the sandbox's API server: the index at {@code /openapi/v3} and one document per group
 * version. Their PATCH operations declare the {@code fieldValidation} query parameter, which tells kubectl (1.27 and
 * later) that the server checks fields itself, so {@code kubectl apply} sends the object instead of validating it
 * against a schema first and stopping with "failed to download openapi" (fabric8's mock serves no OpenAPI). The
 * mock does not check fields: the trainops controller refuses what the queue refuses. The components carry each
 * CRD's schema, so {@code kubectl explain tj} works too; built-in kinds have none.
 */
final class OpenApiDocuments {
    private static final String PREFIX = "/openapi/v3/";

    private final List<ApiResource> resources;
    private final KubernetesSerialization json;

    OpenApiDocuments(List<ApiResource> resources, KubernetesSerialization json) {
        this.resources = resources;
        this.json = json;
    }

    /** The document at {@code path} (without its query), or empty when there is none. */
    Optional<Object> answer(String path) {
        if (path.equals("/openapi/v3")) {
            return Optional.of(index());
        }
        if (!path.startsWith(PREFIX)) {
            return Optional.empty();
        }
        String gv = path.substring(PREFIX.length());
        return groupVersions().contains(gv) ? Optional.of(document(gv)) : Optional.empty();
    }

    /** {@code api/v1}, {@code apis/batch/v1}, ...: the keys of the index, as client-go looks them up. */
    private List<String> groupVersions() {
        List<String> out = new ArrayList<>();
        for (ApiResource r : resources) {
            String key = key(r);
            if (!out.contains(key)) {
                out.add(key);
            }
        }
        return out;
    }

    private static String key(ApiResource r) {
        return r.group().isEmpty() ? "api/" + r.version() : "apis/" + r.group() + "/" + r.version();
    }

    private Map<String, Object> index() {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (String gv : groupVersions()) {
            // the hash changes with the document, so kubectl's disk cache of it does too when a CRD changes
            paths.put(gv, Map.of("serverRelativeURL", PREFIX + gv + "?hash=" + hash(json.asJson(document(gv)))));
        }
        return Map.of("paths", paths);
    }

    private Map<String, Object> document(String gv) {
        Map<String, Object> paths = new LinkedHashMap<>();
        Map<String, Object> schemas = new LinkedHashMap<>();
        for (ApiResource r : resources) {
            if (!key(r).equals(gv)) {
                continue;
            }
            Map<String, Object> gvk = gvk(r);
            String collection = "/" + gv + (r.namespaced() ? "/namespaces/{namespace}/" : "/") + r.plural();
            paths.put(collection + "/{name}", Map.of(
                    "get", operation("read", r, gvk, List.of()),
                    "patch", operation("patch", r, gvk, List.of(queryParameter("fieldValidation"), queryParameter("fieldManager")))));
            if (r.schema() != null) {
                Map<String, Object> schema = new LinkedHashMap<>(r.schema());
                schema.put("x-kubernetes-group-version-kind", List.of(gvk));
                schemas.put(schemaName(r), schema);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.0");
        doc.put("info", Map.of("title", "Kubernetes (the trainops sandbox)", "version", ApiDiscovery.GIT_VERSION));
        doc.put("paths", paths);
        doc.put("components", Map.of("schemas", schemas));
        return doc;
    }

    private static Map<String, Object> operation(String action, ApiResource r, Map<String, Object> gvk, List<Object> parameters) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("operationId", action + r.kind());
        op.put("parameters", parameters);
        op.put("responses", Map.of("200", Map.of("description", "OK")));
        op.put("x-kubernetes-action", action.equals("read") ? "get" : action);
        op.put("x-kubernetes-group-version-kind", gvk);
        return op;
    }

    private static Map<String, Object> queryParameter(String name) {
        return Map.of("name", name, "in", "query", "schema", Map.of("type", "string"));
    }

    private static Map<String, Object> gvk(ApiResource r) {
        return Map.of("group", r.group(), "version", r.version(), "kind", r.kind());
    }

    /** As a real API server names a CRD's schema: the group reversed, the version, the kind ({@code dev.trainops.v1alpha1.TrainingJob}). */
    static String schemaName(ApiResource r) {
        List<String> parts = new ArrayList<>(Arrays.asList(r.group().split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + r.version() + "." + r.kind();
    }

    private static String hash(String body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16).toUpperCase(java.util.Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}

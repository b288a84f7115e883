package dev.trainops.server;

import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /admission/validate}: an AdmissionReview ({@code admission.k8s.io/v1}) in, the same
 * kind out with the policy's response and the request's {@code uid} (docs/kubernetes.md, "The
 * admission webhook"). A body that is not such a review is HTTP 400 with a JSON error that says what
 * is wrong; the API server then applies the webhook's failurePolicy. A policy that fails is HTTP
 * 500 with a reference id in the log, never a stack trace in the answer.
 */
final class AdmissionServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(AdmissionServlet.class);
    static final String API_VERSION = "admission.k8s.io/v1";
    /**
     * An object is at most about 1.5 MiB (etcd's request limit); an update's review carries the
     * object and the old object, in JSON that may be larger than their stored form.
     */
    static final int MAX_BODY_BYTES = 4 << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    private final transient AdmissionPolicy policy;

    AdmissionServlet(AdmissionPolicy policy) {
        this.policy = policy;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        refuse(resp, 405, "This is the trainops admission webhook.", "POST an AdmissionReview (" + API_VERSION + ") here; the API server "
                + "does, as the ValidatingWebhookConfiguration trainops says (deploy/components/webhook).");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        byte[] body;
        try (InputStream in = req.getInputStream()) {
            body = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (body.length > MAX_BODY_BYTES) {
            refuse(resp, 413, "The AdmissionReview is over 4 MiB.", "An object stored in Kubernetes is at most 1.5 MiB; send the review "
                    + "the API server sends.");
            return;
        }
        AdmissionReview review;
        try {
            review = parse(body);
        } catch (IllegalArgumentException e) {
            refuse(resp, 400, e.getMessage(), "POST an AdmissionReview as the API server sends it: {\"apiVersion\":\"" + API_VERSION
                    + "\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":...,\"kind\":...,\"object\":...}}.");
            return;
        }
        AdmissionRequest request = review.getRequest();
        AdmissionResponse response;
        try {
            response = policy.review(request);
        } catch (RuntimeException e) {
            String ref = UUID.randomUUID().toString().substring(0, 8);
            log.warn("admission review {} of {} {}/{} failed [ref {}]", request.getUid(), request.getKind().getKind(),
                    request.getNamespace(), request.getName(), ref, e);
            refuse(resp, 500, "trainops could not review this request (reference " + ref + " in its log).",
                    "The API server applies the webhook's failurePolicy; retry, or see trainops's log for the reference.");
            return;
        }
        response.setUid(request.getUid());
        AdmissionReview answer = new AdmissionReview();
        answer.setApiVersion(API_VERSION);
        answer.setKind("AdmissionReview");
        answer.setResponse(response);
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.getOutputStream().write(KUBE.asJson(answer).getBytes(StandardCharsets.UTF_8));
    }

    /** The review, or an IllegalArgumentException whose message says what is wrong with it (no parser internals). */
    static AdmissionReview parse(byte[] body) {
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new IllegalArgumentException("The body is not JSON" + (at == null ? "" : " (line " + at.getLineNr() + ", column "
                    + at.getColumnNr() + ")") + ".");
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("The body is not a JSON object.");
        }
        if (!API_VERSION.equals(text(tree, "apiVersion")) || !"AdmissionReview".equals(text(tree, "kind"))) {
            throw new IllegalArgumentException("The body is not an AdmissionReview of " + API_VERSION + " (apiVersion "
                    + shown(text(tree, "apiVersion")) + ", kind " + shown(text(tree, "kind")) + ").");
        }
        JsonNode request = tree.get("request");
        if (request == null || !request.isObject()) {
            throw new IllegalArgumentException("The AdmissionReview has no request.");
        }
        for (String field : new String[] {"uid", "operation"}) {
            if (text(request, field) == null || text(request, field).isBlank()) {
                throw new IllegalArgumentException("The AdmissionReview's request has no " + field + ".");
            }
        }
        JsonNode kind = request.get("kind");
        if (kind == null || !kind.isObject() || text(kind, "kind") == null || text(kind, "version") == null) {
            throw new IllegalArgumentException("The AdmissionReview's request has no kind {group, version, kind}.");
        }
        try {
            return KUBE.convertValue(tree, AdmissionReview.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("The AdmissionReview's request.object is not a valid " + text(kind, "kind") + " of "
                    + (text(kind, "group") == null || text(kind, "group").isEmpty() ? "" : text(kind, "group") + "/") + text(kind, "version")
                    + ".");
        }
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v == null || !v.isString() ? null : v.asString();
    }

    private static String shown(String value) {
        return value == null ? "missing" : "'" + (value.length() > 60 ? value.substring(0, 60) + "..." : value) + "'";
    }

    private static void refuse(HttpServletResponse resp, int status, String message, String hint) throws IOException {
        resp.setStatus(status);
        resp.setContentType("application/json");
        resp.getOutputStream().write(("{\"code\":\"" + (status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT") + "\",\"message\":"
                + MonitoringEndpoints.quote(message) + ",\"hint\":" + MonitoringEndpoints.quote(hint) + "}").getBytes(StandardCharsets.UTF_8));
    }
}

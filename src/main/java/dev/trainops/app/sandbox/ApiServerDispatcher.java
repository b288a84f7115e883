package dev.trainops.app.sandbox;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionList;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.kubernetes.client.utils.Utils;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The sandbox's API server: fabric8's mock in CRUD mode, plus what a client such as kubectl needs from an API server
 * that the mock does not serve by itself (discovery and OpenAPI, {@link ApiDiscovery}), JSON merge patches applied
 * as RFC 7386 says ({@link MergePatch}), a clear 415 for the patch types it cannot apply, a 410 for an HTTP watch,
 * and a word to the sandbox when an object it must not lose was created or deleted (a Job, a
 * TrainingJob, a TrainingBatch), so the sandbox writes its state to disk at once, as an API server's etcd would hold
 * it. That word comes from the server side: a client watch for the same purpose has to be closed at the end, and
 * fabric8's mock server can stall its event loop for up to a minute closing a watch on a loaded machine.
 */
final class ApiServerDispatcher extends KubernetesCrudDispatcher {
    static final String CRDS_PATH = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    /** A bound on {@link #uidsPast}: a restored uid this high was not the mock's (it counts one per object). */
    private static final long MAX_UID_STEPS = 10_000_000;

    private final Runnable onDurableWrite;
    private final KubernetesSerialization json = new KubernetesSerialization();
    private final ApiDiscovery discovery = new ApiDiscovery(this::installedCrds);

    /** @param onDurableWrite told, on the server's event loop (it must not block), when a Job or a trainops object was created or deleted */
    ApiServerDispatcher(Runnable onDurableWrite) {
        this.onDurableWrite = onDurableWrite;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String method = request.getMethod();
        String path = request.getPath() == null ? "" : request.getPath();
        Optional<ApiDiscovery.Answer> discovered = discovery.answer(method, path);
        if (discovered.isPresent()) {
            return jsonResponse(discovered.get().code(), discovered.get().body());
        }
        if ("GET".equals(method) && watch(path) && !webSocket(request)) {
            // 410 Expired: a client-go reflector (kubectl delete waiting for a finalizer, kubectl wait) lists again
            // quietly and sees the change that way; kubectl get -w shows the message
            return status(410, "Expired", "The trainops sandbox's API server (fabric8's mock) streams watches over "
                    + "WebSocket only, which kubectl does not use: instead of kubectl get -w, run the command again "
                    + "(e.g. watch kubectl get tj -A).");
        }
        if ("PATCH".equals(method)) {
            Optional<String> unsupported = unsupportedPatch(request.getHeader("Content-Type"), path);
            if (unsupported.isPresent()) {
                return status(415, "UnsupportedMediaType", unsupported.get());
            }
            request = asJsonPatch(request, path);
        }
        boolean write = "PATCH".equals(method) || "PUT".equals(method);
        MockResponse before = write ? handleGet(objectPath(path)) : null;
        MockResponse response = super.dispatch(request);
        if (("POST".equals(method) || "DELETE".equals(method) || write && gone(response)) && durable(path) && response.code() / 100 == 2) {
            onDurableWrite.run(); // must not block: this runs on the server's event loop
        }
        if (write && gone(response) && before.code() == 200) {
            return finalState(before);
        }
        return response;
    }

    /** An update that took the last finalizer off an object being deleted: the mock removed it and answers nothing. */
    private static boolean gone(MockResponse response) {
        return response.code() / 100 == 2 && (response.getBody() == null || response.getBody().size() == 0);
    }

    /**
     * What a real API server answers for that update: the object as it last was, without finalizers (kubectl reads
     * the answer, and stops with "unexpected end of JSON input" on an empty one).
     */
    @SuppressWarnings("unchecked")
    private MockResponse finalState(MockResponse before) {
        Map<String, Object> object = json.unmarshal(before.getBody().readUtf8(), Map.class);
        if (object.get("metadata") instanceof Map<?, ?> metadata) {
            ((Map<String, Object>) metadata).remove("finalizers");
        }
        return jsonResponse(200, json.asJson(object));
    }

    /** The object a request addresses: the path without its query or subresource. */
    private static String objectPath(String path) {
        return path.split("\\?", 2)[0].replaceFirst("/(status|scale)$", "");
    }

    private static boolean watch(String path) {
        int q = path.indexOf('?');
        return q >= 0 && java.util.Arrays.asList(path.substring(q + 1).split("&")).stream()
                .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    }

    private static boolean webSocket(RecordedRequest request) {
        String upgrade = request.getHeader("Upgrade");
        return upgrade != null && upgrade.toLowerCase(Locale.ROOT).contains("websocket");
    }

    private static boolean durable(String path) {
        return path.startsWith("/apis/batch/v1/") && path.contains("/jobs") || path.startsWith("/apis/trainops.dev/");
    }

    /**
     * Why a PATCH of this content type cannot be applied, or empty when the mock applies it (a JSON patch or a JSON
     * merge patch: {@code kubectl apply} of a changed custom resource sends the latter).
     */
    static Optional<String> unsupportedPatch(String contentType, String path) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        String target = path.split("\\?", 2)[0];
        if (type.startsWith("application/strategic-merge-patch+json")) {
            return Optional.of("The trainops sandbox's API server (fabric8's mock) cannot apply a strategic merge patch to " + target
                    + ": change a built-in object with `kubectl replace -f FILE`, or delete it and apply it again "
                    + "(kubectl apply of a TrainingJob or TrainingBatch works: it sends a JSON merge patch).");
        }
        if (type.startsWith("application/apply-patch")) {
            return Optional.of("The trainops sandbox's API server (fabric8's mock) has no server-side apply (" + target
                    + "): use `kubectl apply` without --server-side.");
        }
        return Optional.empty();
    }

    /**
     * A JSON merge patch as the equivalent JSON patch against the stored object ({@link MergePatch}); any other
     * request, or one for an object that is not there (the store answers 404), as it came.
     */
    @SuppressWarnings("unchecked")
    private RecordedRequest asJsonPatch(RecordedRequest request, String path) {
        String type = request.getHeader("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith("application/merge-patch+json")) {
            return request;
        }
        // a patch of the status subresource applies to the whole object too; the store keeps only its status
        MockResponse current = handleGet(objectPath(path));
        Object patch;
        try {
            patch = json.unmarshal(new String(request.getBody().getBytes(), StandardCharsets.UTF_8), Object.class);
        } catch (RuntimeException notJson) {
            return request; // the store answers it as it does any body it cannot read
        }
        if (current.code() != 200 || current.getBody() == null || !(patch instanceof Map<?, ?> patchObject)) {
            return request;
        }
        Map<String, Object> stored = json.unmarshal(current.getBody().readUtf8(), Map.class);
        byte[] ops = json.asJson(MergePatch.asJsonPatch(stored, (Map<String, Object>) patchObject)).getBytes(StandardCharsets.UTF_8);
        return new RecordedRequest(request.getHttpVersion(), request.method(), request.getPath(),
                request.getHeaders().newBuilder().set("Content-Type", "application/json-patch+json").build(), new Buffer(ops));
    }

    /** The CRDs in the store now, read straight from it (this runs on the server's event loop: no request to itself). */
    List<CustomResourceDefinition> installedCrds() {
        MockResponse list = handleGet(CRDS_PATH);
        if (list.code() != 200 || list.getBody() == null) {
            return List.of();
        }
        CustomResourceDefinitionList crds = json.unmarshal(list.getBody().readUtf8(), CustomResourceDefinitionList.class);
        return crds.getItems() == null ? List.of() : crds.getItems();
    }

    /**
     * Puts {@code object} into the store as it was saved, with its uid, status and creation time (a create through
     * the API would give it a new uid and drop its status; the controllers use the uid as the queue's idempotency
     * key). Only while the sandbox seeds, before any client but the seeding one talks to the server: the store's lock
     * is the mock's own, out of reach here.
     *
     * @param plural the object's resource name, e.g. {@code trainingjobs}
     */
    void restore(GenericKubernetesResource object, String plural, boolean namespaced) {
        String path = "/apis/" + object.getApiVersion() + (namespaced ? "/namespaces/" + object.getMetadata().getNamespace() : "")
                + "/" + plural + "/" + object.getMetadata().getName();
        // a fresh resourceVersion: the store's counter started again at zero
        object.getMetadata().setResourceVersion(String.valueOf(requestResourceVersion()));
        uidsPast(object.getMetadata().getUid());
        processEvent(path, getKey(path), null, object, json.asJson(object));
    }

    /**
     * fabric8's mock numbers the uids it gives out, from 1 in every process ({@link Utils#generateId()}): moves that
     * count past a restored uid, so an object created after a restart never gets the uid a restored one holds.
     */
    static void uidsPast(String uid) {
        UUID restored;
        try {
            restored = UUID.fromString(uid);
        } catch (IllegalArgumentException | NullPointerException notOne) {
            return;
        }
        if (restored.getMostSignificantBits() != 0) {
            return; // not one of the mock's numbers
        }
        long target = restored.getLeastSignificantBits();
        for (long n = 0; n <= Math.min(target, MAX_UID_STEPS); n++) {
            if (Utils.generateId().getLeastSignificantBits() >= target) {
                return;
            }
        }
    }

    private MockResponse status(int code, String reason, String message) {
        return jsonResponse(code, json.asJson(new StatusBuilder().withStatus("Failure").withReason(reason).withCode(code)
                .withMessage(message).withNewMetadata().endMetadata().build()));
    }

    private static MockResponse jsonResponse(int code, String body) {
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(body);
    }
}

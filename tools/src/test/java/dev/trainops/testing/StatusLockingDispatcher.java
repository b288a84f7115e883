package dev.trainops.testing;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.concurrent.atomic.AtomicInteger;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The CRUD mock with a real API server's optimistic locking on status writes: a PUT of {@code .../status} that
 * carries a resourceVersion other than the stored one is refused with 409 Conflict (fabric8's mock accepts it and
 * overwrites). {@link #conflicts()} counts the refusals.
 */
public final class StatusLockingDispatcher extends KubernetesCrudDispatcher {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final AtomicInteger conflicts = new AtomicInteger();

    @Override
    public MockResponse handleUpdate(RecordedRequest request) {
        String path = request.getPath();
        String bare = path.contains("?") ? path.substring(0, path.indexOf('?')) : path;
        if (bare.endsWith("/status")) {
            MockResponse stored = handleGet(bare.substring(0, bare.length() - "/status".length()));
            String sent = resourceVersion(new String(request.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8));
            String current = stored.code() == 200 ? resourceVersion(new String(stored.getBody().getBytes(), java.nio.charset.StandardCharsets.UTF_8)) : null;
            if (sent != null && current != null && !sent.equals(current)) {
                conflicts.incrementAndGet();
                return new MockResponse().setResponseCode(409).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                        + "\"reason\":\"Conflict\",\"code\":409,\"message\":\"Operation cannot be fulfilled: the object has been modified; "
                        + "please apply your changes to the latest version and try again\"}");
            }
        }
        return super.handleUpdate(request);
    }

    public int conflicts() {
        return conflicts.get();
    }

    private static String resourceVersion(String json) {
        JsonNode meta = JSON.readTree(json).path("metadata");
        JsonNode rv = meta.path("resourceVersion");
        return rv.isMissingNode() || rv.isNull() ? null : rv.asString();
    }
}

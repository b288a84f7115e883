package dev.trainops.app.bench;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import io.fabric8.mockwebserver.http.WebSocketListener;
import java.util.Map;

/**
 * Answers cluster-wide list requests for the given paths with pre-rendered bodies and leaves
 * everything else (watches included) to the CRUD dispatcher, so informers list the large cluster
 * in one response and then watch as usual.
 */
final class PrerenderedDispatcher extends KubernetesCrudDispatcher {
    private final Map<String, String> lists;

    PrerenderedDispatcher(Map<String, String> lists) {
        this.lists = Map.copyOf(lists);
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        String path = request.getPath();
        int q = path.indexOf('?');
        String body = "GET".equals(request.getMethod()) ? lists.get(q < 0 ? path : path.substring(0, q)) : null;
        if (body == null) {
            return super.dispatch(request);
        }
        if (path.contains("watch=true")) {
            // A quiet watch that stays open: the synthetic cluster does not change during the run.
            // (Handing it to the CRUD store, which never saw these objects, makes informers relist.)
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
            });
        }
        return new MockResponse().setResponseCode(200).setHeader("Content-Type", "application/json").setBody(body);
    }
}

package dev.trainops.app.sandbox;

import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;

/**
 * The mock API server's CRUD store, telling the sandbox when a Job was created or deleted, so the
 * sandbox writes its state to disk at once, as an API server's etcd would hold it. It is told from
 * the server side: a client watch for the same purpose has to be closed at the end, and fabric8's
 * mock server can stall its event loop for up to a minute closing a watch on a loaded machine.
 */
final class JobWriteDispatcher extends KubernetesCrudDispatcher {
    private final Runnable onJobCreatedOrDeleted;

    JobWriteDispatcher(Runnable onJobCreatedOrDeleted) {
        this.onJobCreatedOrDeleted = onJobCreatedOrDeleted;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        MockResponse response = super.dispatch(request);
        String method = request.getMethod();
        String path = request.getPath() == null ? "" : request.getPath();
        if (("POST".equals(method) || "DELETE".equals(method)) && path.startsWith("/apis/batch/v1/") && path.contains("/jobs")
                && response.code() / 100 == 2) {
            onJobCreatedOrDeleted.run(); // must not block: this runs on the server's event loop
        }
        return response;
    }
}

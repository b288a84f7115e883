package dev.trainops.testing;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.util.HashMap;

/**
 * fabric8's mock API server in CRUD mode, started and stopped by the test. Stopping closes the
 * client first (dropping the informers' watch connections), then the server; the server's own
 * shutdown gives up after 10 s when a watch connection lingers on a loaded machine, which says
 * nothing about the code under test, so a second attempt is made and a last failure only logged.
 */
public final class CrudMockServer implements AutoCloseable {
    private final KubernetesMockServer server;
    private final KubernetesClient client;

    public CrudMockServer() {
        this(new KubernetesCrudDispatcher());
    }

    /** With a dispatcher of the test's own (one that refuses some requests, as RBAC would). */
    public CrudMockServer(KubernetesCrudDispatcher dispatcher) {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    public KubernetesMockServer server() {
        return server;
    }

    public KubernetesClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        for (int attempt = 1; attempt <= 2; attempt++) {
            try {
                server.destroy();
                return;
            } catch (IllegalStateException e) {
                System.err.println("mock API server shutdown, attempt " + attempt + ": " + e.getMessage());
            }
        }
    }
}

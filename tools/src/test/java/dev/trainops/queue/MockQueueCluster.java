package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;

import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.List;

/**
 * The set-up the queue tests share: the fabric8 mock API server in CRUD mode with their GPU nodes
 * (most often {@link #twoH100s two 8-GPU H100 nodes}), a {@link QueueHarness} over it and a store,
 * and the GPU quota of each team a test names. Closing it closes the harness, then the mock.
 */
final class MockQueueCluster implements AutoCloseable {
    final CrudMockServer mock;
    final QueueHarness q;

    MockQueueCluster(Store store, List<Node> nodes) throws Exception {
        this(store, nodes, new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher());
    }

    /** With a dispatcher of the test's own (one that refuses a stale status write, as an API server does). */
    MockQueueCluster(Store store, List<Node> nodes, io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher dispatcher)
            throws Exception {
        mock = new CrudMockServer(dispatcher);
        try {
            KubernetesClient client = mock.client();
            nodes.forEach(n -> client.resource(n).create());
            q = new QueueHarness(client, store, Scheduler.Settings.defaults());
        } catch (Exception | AssertionError e) {
            mock.close();
            throw e;
        }
    }

    /** h100-a and h100-b, 8 GPUs each, then {@code more}. */
    static MockQueueCluster twoH100s(Store store, Node... more) throws Exception {
        List<Node> nodes = new ArrayList<>(List.of(h100("h100-a"), h100("h100-b")));
        nodes.addAll(List.of(more));
        return new MockQueueCluster(store, nodes);
    }

    static Node h100(String name) {
        return gpuNode(name, "NVIDIA-H100-80GB-HBM3", 81559, 8);
    }

    MockQueueCluster quota(String team, int gpus) {
        q.quota(team, gpus);
        return this;
    }

    @Override
    public void close() {
        q.close();
        mock.close();
    }
}

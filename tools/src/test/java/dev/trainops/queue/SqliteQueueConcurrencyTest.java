package dev.trainops.queue;

import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

@EnableKubernetesMockClient(https = false, crud = true)
class SqliteQueueConcurrencyTest extends QueueConcurrencyContract {
    KubernetesMockServer server;
    KubernetesClient client;
    @TempDir
    Path dir;

    @Override
    KubernetesClient client() {
        return client;
    }

    @Override
    Store store() throws Exception {
        return Store.sqlite(dir);
    }
}

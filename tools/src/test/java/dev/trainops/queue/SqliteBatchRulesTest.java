package dev.trainops.queue;

import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;

/** Batches on a SQLite store. */
@EnableKubernetesMockClient(https = false, crud = true)
class SqliteBatchRulesTest extends BatchRulesContract {
    KubernetesMockServer server;
    KubernetesClient mock;

    @Override
    KubernetesClient kube() {
        return mock;
    }

    @Override
    Store store(Path dir) throws Exception {
        return Store.sqlite(dir);
    }
}

package dev.trainops.queue;

import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;

/** Batches on the real PostgreSQL on 127.0.0.1:5432. */
@EnableKubernetesMockClient(https = false, crud = true)
class PostgresBatchRulesTest extends BatchRulesContract {
    KubernetesMockServer server;
    KubernetesClient mock;

    @Override
    KubernetesClient kube() {
        return mock;
    }

    @Override
    Store store(Path dir) throws Exception {
        return dev.trainops.testing.Postgres.freshSchemaStore("batch");
    }
}

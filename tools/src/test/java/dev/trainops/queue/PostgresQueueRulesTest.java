package dev.trainops.queue;

import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.nio.file.Path;

/** The queue rules on the real PostgreSQL on 127.0.0.1:5432, a fresh schema per test. */
@EnableKubernetesMockClient(https = false, crud = true)
class PostgresQueueRulesTest extends QueueRulesContract {
    KubernetesMockServer server;
    KubernetesClient mock;

    @Override
    KubernetesClient kube() {
        return mock;
    }

    @Override
    Store store(Path dir) {
        return Postgres.freshSchemaStore("rules");
    }
}

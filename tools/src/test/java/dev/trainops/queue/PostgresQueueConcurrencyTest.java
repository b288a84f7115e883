package dev.trainops.queue;

import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;

/** Against the real PostgreSQL on 127.0.0.1:5432: two replicas' passes serialised by the advisory lock. */
@EnableKubernetesMockClient(https = false, crud = true)
class PostgresQueueConcurrencyTest extends QueueConcurrencyContract {
    KubernetesMockServer server;
    KubernetesClient client;

    @Override
    KubernetesClient client() {
        return client;
    }

    @Override
    Store store() {
        return Postgres.freshSchemaStore("queue");
    }
}

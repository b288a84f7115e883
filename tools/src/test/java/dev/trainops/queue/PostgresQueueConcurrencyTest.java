package dev.trainops.queue;

import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;

/** Against the real PostgreSQL on 127.0.0.1:5432: two replicas' passes serialised by the advisory lock. */
class PostgresQueueConcurrencyTest extends QueueConcurrencyContract {
    @Override
    Store store() {
        return Postgres.freshSchemaStore("queue");
    }
}

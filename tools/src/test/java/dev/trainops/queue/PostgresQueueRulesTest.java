package dev.trainops.queue;

import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;
import java.nio.file.Path;

/** The queue rules on the real PostgreSQL on 127.0.0.1:5432, a fresh schema per test. */
class PostgresQueueRulesTest extends QueueRulesContract {
    @Override
    Store store(Path dir) {
        return Postgres.freshSchemaStore("rules");
    }
}

package dev.trainops.queue;

import dev.trainops.store.Store;
import java.nio.file.Path;

/** Batches on the real PostgreSQL on 127.0.0.1:5432. */
class PostgresBatchRulesTest extends BatchRulesContract {
    @Override
    Store store(Path dir) throws Exception {
        return dev.trainops.testing.Postgres.freshSchemaStore("batch");
    }
}

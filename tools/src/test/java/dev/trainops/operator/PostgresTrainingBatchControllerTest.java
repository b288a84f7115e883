package dev.trainops.operator;

import dev.trainops.store.Store;
import java.nio.file.Path;

/** The TrainingBatch controller on the real PostgreSQL on 127.0.0.1:5432. */
class PostgresTrainingBatchControllerTest extends TrainingBatchControllerContract {
    @Override
    Store store(Path dir) {
        return dev.trainops.testing.Postgres.freshSchemaStore("tbatch");
    }
}

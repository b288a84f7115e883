package dev.trainops.operator;

import dev.trainops.store.Store;
import java.nio.file.Path;

/** The TrainingBatch controller on a SQLite store. */
class TrainingBatchControllerTest extends TrainingBatchControllerContract {
    @Override
    Store store(Path dir) throws Exception {
        return Store.sqlite(dir);
    }
}

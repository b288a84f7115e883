package dev.trainops.queue;

import dev.trainops.store.Store;
import java.nio.file.Path;

/** Batches on a SQLite store. */
class SqliteBatchRulesTest extends BatchRulesContract {
    @Override
    Store store(Path dir) throws Exception {
        return Store.sqlite(dir);
    }
}

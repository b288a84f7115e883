package dev.trainops.queue;

import dev.trainops.store.Store;
import java.nio.file.Path;

/** The queue rules on a SQLite store. */
class SqliteQueueRulesTest extends QueueRulesContract {
    @Override
    Store store(Path dir) throws Exception {
        return Store.sqlite(dir);
    }
}

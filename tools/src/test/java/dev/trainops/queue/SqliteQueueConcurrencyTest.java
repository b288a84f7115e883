package dev.trainops.queue;

import dev.trainops.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteQueueConcurrencyTest extends QueueConcurrencyContract {
    @TempDir
    Path dir;

    @Override
    Store store() throws Exception {
        return Store.sqlite(dir);
    }
}

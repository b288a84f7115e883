package dev.trainops.events;

import dev.trainops.store.Store;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The event log on SQLite, the local single-process store: one writer at a time, so ids appear in order. */
class SqliteEventLogTest extends EventLogContract {
    @TempDir
    Path dir;
    private int stores;

    @Override
    Store freshStore() {
        try {
            return Store.sqlite(dir.resolve("store-" + stores++));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void wakeAfterCommit(EventRelay relay) {
        relay.wake();
    }
}

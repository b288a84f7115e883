package dev.trainops.monitor;

import dev.trainops.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteAlertWebhookTest extends AlertWebhookContract {
    @TempDir
    Path dir;

    @Override
    Store store() {
        try {
            return Store.sqlite(dir);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

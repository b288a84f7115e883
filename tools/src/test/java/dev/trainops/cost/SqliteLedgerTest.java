package dev.trainops.cost;

import dev.trainops.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

class SqliteLedgerTest extends LedgerContract {
    @TempDir
    Path dir;
    private Store store;

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    Store store() throws Exception {
        if (store == null) {
            store = Store.sqlite(dir);
        }
        return store;
    }
}

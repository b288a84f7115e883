package dev.trainops.cost;

import dev.trainops.store.Store;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

class SqliteLedgerTest extends LedgerContract {
    @TempDir
    Path dir;
    private Store store;

    @Override
    Store store() throws Exception {
        if (store == null) {
            store = Store.sqlite(dir);
        }
        return store;
    }
}

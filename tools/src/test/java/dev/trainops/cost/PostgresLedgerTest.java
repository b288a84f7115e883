package dev.trainops.cost;

import dev.trainops.store.Store;
import org.junit.jupiter.api.AfterAll;
import dev.trainops.testing.Postgres;

/** Against the real PostgreSQL that CI and developer machines run on 127.0.0.1:5432 (TRAINOPS_TEST_PG_URL overrides). */
class PostgresLedgerTest extends LedgerContract {
    private static Store store;

    @AfterAll
    static void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }

    @Override
    Store store() {
        synchronized (PostgresLedgerTest.class) {
            if (store == null) {
                store = Postgres.freshSchemaStore("ledger");
            }
            return store;
        }
    }
}

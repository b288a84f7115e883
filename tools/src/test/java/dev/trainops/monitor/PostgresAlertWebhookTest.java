package dev.trainops.monitor;

import dev.trainops.store.Store;
import dev.trainops.testing.Postgres;

class PostgresAlertWebhookTest extends AlertWebhookContract {
    @Override
    Store store() {
        return Postgres.freshSchemaStore("alerts");
    }
}

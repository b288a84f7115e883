package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.testing.Postgres;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import org.junit.jupiter.api.Test;

/** Against the real PostgreSQL on 127.0.0.1:5432 (TRAINOPS_TEST_PG_URL overrides). */
class PostgresStoreTest extends StoreContract {
    private static final String SECRET = "s3cret-xyz";

    @Override
    Store open() {
        return Postgres.freshSchemaStore("store");
    }

    @Test
    void aStoreThatCannotBeReachedSaysWhereWithoutTheUrlOrThePassword() throws Exception {
        int port = freePort();
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/test?password=" + SECRET + "&user=trainops";
        assertThatThrownBy(() -> Store.open(url, "postgres", SECRET))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("cannot open the PostgreSQL store at 127.0.0.1:" + port + "/test: ")
                .hasMessageNotContaining(SECRET)
                .hasMessageNotContaining(url)
                .hasMessageNotContaining("password=")
                .hasMessageNotContaining("jdbc:")
                .hasNoCause();
    }

    @Test
    void openingAStoreLogsNeitherItsUrlNorItsPassword() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream before = System.err;
        String url;
        // slf4j-simple (the tests' and the app's logger) writes to whatever System.err is at the time
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            Store probe = Postgres.freshSchemaStore("store", SECRET);
            try (probe) {
                url = probe.description();
                probe.inTransaction(0, c -> c.isValid(1));
            }
        } finally {
            System.setErr(before);
        }
        String logged = err.toString(StandardCharsets.UTF_8);
        // Flyway names the database at INFO: the line is there, with the store's description in place of the URL
        assertThat(logged).contains("Database: the PostgreSQL store at ");
        assertThat(logged).doesNotContain(SECRET).doesNotContain("jdbc:postgresql").doesNotContain("currentSchema");
        assertThat(url).startsWith("the PostgreSQL store at ").doesNotContain("?");
    }

    @Test
    void aFailedTransactionNamesTheStoreNotItsUrl() {
        assertThatThrownBy(() -> store.inTransaction(0, c -> c.createStatement().execute("SELECT * FROM no_such_table")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("a transaction on the PostgreSQL store at ")
                .hasMessageNotContaining("jdbc:")
                .hasMessageNotContaining("currentSchema");
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

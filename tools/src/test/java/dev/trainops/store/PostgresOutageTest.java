package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.testing.PrivatePostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 15, "Faults of a shared service": the store on a PostgreSQL of the test's own, stopped and
 * started again under it. While it is down, borrowing a connection fails with
 * {@link StoreUnavailableException} (not the pool's 30 s timeout), a transaction's failure says
 * the store did not answer however it is wrapped, and once PostgreSQL is back the same store works
 * again without being reopened. (How fast it fails is measured where a user sees it: PostgresRestartIT.)
 */
class PostgresOutageTest {
    static PrivatePostgres pg;

    @BeforeAll
    static void startPostgres() {
        pg = PrivatePostgres.start();
    }

    @AfterAll
    static void stopPostgres() {
        if (pg != null) {
            pg.close();
        }
    }

    @Test
    void aStoppedPostgresIsUnavailableAndTheSameStoreWorksAgainOnceItIsBack() throws Exception {
        try (Store store = Store.open(pg.url(), PrivatePostgres.USER, null)) {
            store.inTransaction(0, c -> execute(c, "CREATE TABLE outage_probe (id INTEGER PRIMARY KEY)"));
            store.inTransaction(0, c -> execute(c, "INSERT INTO outage_probe VALUES (1)"));

            pg.stop(true);
            try {
                // a pooled connection used moments ago is lent without a check, and its statement fails on the cut
                // socket; the pool drops it, and the next borrow finds that no new connection can be opened
                StoreUnavailableException down = null;
                for (int i = 0; i < 5 && down == null; i++) {
                    try {
                        store.inTransaction(0, c -> execute(c, "INSERT INTO outage_probe VALUES (2)"));
                        throw new AssertionError("a write to a stopped PostgreSQL succeeded");
                    } catch (RuntimeException e) {
                        // found down, or a pooled connection cut: either way the transaction names the store
                        assertThat(StoreUnavailableException.in(e)).as(String.valueOf(e)).hasValueSatisfying(
                                u -> assertThat(u.what()).isEqualTo(store.description()));
                        down = e.getCause() instanceof StoreUnavailableException s && !s.getMessage().contains("connection was cut") ? s : null;
                    }
                }
                assertThat((Object) down).as("the store is found down").isNotNull();
                assertThat(down.store()).isEqualTo(store.description());
                assertThat(down.getMessage()).startsWith(store.description() + " is not answering (").doesNotContain("jdbc:");
                // known down now: the next call fails too, and says so
                assertThatThrownBy(store::connection).isInstanceOf(StoreUnavailableException.class)
                        .hasMessageContaining("has not answered for");
                assertThatThrownBy(() -> store.inTransaction(0, c -> execute(c, "INSERT INTO outage_probe VALUES (2)")))
                        .satisfies(e -> assertThat(StoreUnavailableException.in(e)).hasValueSatisfying(
                                u -> assertThat(u.what()).isEqualTo(store.description())));
            } finally {
                pg.startAgain();
            }

            // the server is back: within a few probes the same store answers, with the row written before
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Integer count = null;
            while (count == null) {
                try (Connection c = store.connection(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM outage_probe")) {
                    rs.next();
                    count = rs.getInt(1);
                } catch (SQLException e) {
                    assertThat(StoreUnavailableException.in(e)).as("only 'unavailable' while it comes back: " + e).isPresent();
                    assertThat(System.nanoTime() - deadline).as("the store answers again within 30 s").isNegative();
                    Thread.sleep(200);
                }
            }
            assertThat(count).isEqualTo(1);
            store.inTransaction(0, c -> execute(c, "INSERT INTO outage_probe VALUES (2)"));
        }
    }

    @Test
    void aFailingStatementIsNotAnOutage() {
        try (Store store = Store.open(pg.url(), PrivatePostgres.USER, null)) {
            assertThatThrownBy(() -> store.inTransaction(0, c -> execute(c, "SELECT * FROM no_such_table")))
                    .satisfies(e -> assertThat(StoreUnavailableException.in(e)).isEmpty());
        }
    }

    @Test
    void aLostConnectionIsAnOutageByItsSqlState() {
        assertThat(StoreUnavailableException.in(new IllegalStateException("wrapped", new SQLException("I/O error", "08006"))))
                .hasValueSatisfying(u -> assertThat(u.what()).isEqualTo("the store"));
        assertThat(StoreUnavailableException.in(new SQLException("terminating connection due to administrator command", "57P01"))).isPresent();
        assertThat(StoreUnavailableException.in(new SQLException("duplicate key", "23505"))).isEmpty();
        assertThat(StoreUnavailableException.in(new IllegalStateException("no cause"))).isEmpty();
    }

    private static boolean execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            return s.execute(sql);
        }
    }
}

package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the pooled store promises on either database; {@link SqliteStoreTest} and {@link PostgresStoreTest} run it. */
abstract class StoreContract {
    Store store;

    abstract Store open() throws Exception;

    /** The driver's own connection under the pool's proxy, to tell physical connections apart. */
    Object physical(Connection c) throws SQLException {
        Connection driver = c.unwrap(Connection.class);
        assertThat(driver).isNotSameAs(c);
        return driver;
    }

    @BeforeEach
    void openStore() throws Exception {
        store = open();
        try (Connection c = store.connection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE store_probe (id INTEGER PRIMARY KEY, note VARCHAR(64))");
        }
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void aReadGivesItsConnectionBackAndTheNextReadBorrowsItAgain() throws Exception {
        Object first;
        try (Connection c = store.connection()) {
            first = physical(c);
        }
        for (int i = 0; i < 50; i++) {
            try (Connection c = store.connection()) {
                assertThat(physical(c)).isSameAs(first);
            }
        }
        assertThat(store.poolStats().active()).isZero();
    }

    @Test
    void aTransactionBorrowsAPooledConnectionToo() throws Exception {
        Object read;
        try (Connection c = store.connection()) {
            read = physical(c);
        }
        Object written = store.inTransaction(0, this::physical);
        assertThat(written).isSameAs(read);
    }

    @Test
    void aTransactionThatFailsLeavesNothingBehindAndItsConnectionOutsideATransaction() throws Exception {
        assertThatThrownBy(() -> store.inTransaction(0, c -> {
            insert(c, 1, "rolled back");
            throw new IllegalStateException("the work failed");
        })).hasMessage("the work failed");
        // the same connection again: a transaction left open on it would make this BEGIN fail on
        // SQLite and keep the row visible to this connection on PostgreSQL
        store.inTransaction(0, c -> insert(c, 2, "committed"));
        assertThat(notes()).containsExactly("committed");
    }

    @Test
    void aConnectionReturnedWithAutocommitOffComesBackWithAutocommitOnAndItsWorkRolledBack() throws Exception {
        Object first;
        try (Connection c = store.connection()) {
            first = physical(c);
            c.setAutoCommit(false);
            insert(c, 1, "never committed");
        }
        try (Connection c = store.connection()) {
            assertThat(physical(c)).isSameAs(first);
            assertThat(c.getAutoCommit()).isTrue();
        }
        assertThat(notes()).isEmpty();
    }

    @Test
    void writersThatReadInsideTheirTransactionAllFinish() throws Exception {
        // as the admission pass does: it reads budgets from the ledger while it holds the queue's transaction (on its connection)
        int writers = 8;
        int each = 10;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                int base = w * each;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < each; i++) {
                        int id = base + i;
                        store.inTransaction(7, c -> {
                            notes();
                            return insert(c, id, "row " + id);
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(notes()).hasSize(writers * each);
        assertThat(store.poolStats().total()).isLessThanOrEqualTo(maxPoolSize());
    }

    @Test
    void aNestedBorrowSharesTheThreadsConnectionSoCallersHoldingEveryConnectionCannotStarveEachOther() throws Exception {
        // as validate_job_resources did: a queue snapshot read (one connection) asks the ledger for a budget (a second one);
        // with every connection lent to such callers, none came back until the pool's timeout
        int callers = maxPoolSize();
        java.util.concurrent.CyclicBarrier allHoldOne = new java.util.concurrent.CyclicBarrier(callers);
        ExecutorService pool = Executors.newFixedThreadPool(callers);
        try {
            List<Future<Boolean>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                done.add(pool.submit(() -> {
                    try (Connection outer = store.connection()) {
                        allHoldOne.await(20, java.util.concurrent.TimeUnit.SECONDS);
                        try (Connection inner = store.connection(); Statement s = inner.createStatement();
                             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM store_probe")) {
                            rs.next();
                            return physical(inner) == physical(outer);
                        }
                    }
                }));
            }
            for (Future<Boolean> f : done) {
                assertThat(f.get(20, java.util.concurrent.TimeUnit.SECONDS)).as("the nested borrow is the outer connection").isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.poolStats().active()).isZero();
    }

    @Test
    void aTransactionInsideAReadRunsOnTheReadsConnectionAndIsCommitted() throws Exception {
        try (Connection outer = store.connection()) {
            store.inTransaction(0, c -> {
                assertThat(physical(c)).isSameAs(physical(outer));
                return insert(c, 1, "inside a read");
            });
            try (Statement s = outer.createStatement(); ResultSet rs = s.executeQuery("SELECT note FROM store_probe WHERE id = 1")) {
                assertThat(rs.next()).isTrue();
            }
            assertThat(outer.getAutoCommit()).as("the read's connection is back in autocommit").isTrue();
        }
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            assertThat(other.submit(this::notes).get()).as("seen from another thread, so committed").hasSize(1);
        } finally {
            other.shutdownNow();
        }
        assertThat(store.poolStats().active()).isZero();
    }

    @Test
    void aBorrowClosedTwiceGivesItsShareBackOnce() throws Exception {
        Connection outer = store.connection();
        Connection inner = store.connection();
        inner.close();
        inner.close();
        assertThat(outer.isClosed()).isFalse();
        try (Statement s = outer.createStatement()) {
            s.execute("SELECT 1");
        }
        assertThatThrownBy(inner::createStatement).isInstanceOf(SQLException.class);
        outer.close();
        assertThat(store.poolStats().active()).isZero();
    }

    private int maxPoolSize() {
        return store.isSqlite() ? Store.SQLITE_POOL_SIZE : Store.POSTGRES_POOL_SIZE;
    }

    @Test
    void closeClosesThePoolAndItsConnections() throws Exception {
        try (Connection c = store.connection()) {
            assertThat(c.isValid(1)).isTrue();
        }
        assertThat(store.poolStats().total()).isPositive();
        store.close();
        assertThat(store.isClosed()).isTrue();
        assertThat(store.poolStats().total()).isZero();
        assertThatThrownBy(() -> store.connection()).isInstanceOf(SQLException.class);
    }

    int insert(Connection c, int id, String note) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO store_probe (id, note) VALUES (?, ?)")) {
            ps.setInt(1, id);
            ps.setString(2, note);
            return ps.executeUpdate();
        }
    }

    List<String> notes() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = store.connection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT note FROM store_probe ORDER BY id")) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}

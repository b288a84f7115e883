package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoreTest extends StoreContract {
    @TempDir
    Path dir;

    @Override
    Store open() throws Exception {
        return Store.sqlite(dir);
    }

    @Test
    void everyPooledConnectionWaitsForTheWriterAndSyncsEveryCommitInWalMode() throws Exception {
        // one borrower per thread: a thread's nested borrows share its connection (Store.connection())
        java.util.concurrent.CyclicBarrier allHoldOne = new java.util.concurrent.CyclicBarrier(Store.SQLITE_POOL_SIZE);
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newFixedThreadPool(Store.SQLITE_POOL_SIZE);
        try {
            List<java.util.concurrent.Future<List<String>>> pragmas = new ArrayList<>();
            for (int i = 0; i < Store.SQLITE_POOL_SIZE; i++) {
                pragmas.add(threads.submit(() -> {
                    try (Connection c = store.connection()) {
                        allHoldOne.await(20, java.util.concurrent.TimeUnit.SECONDS);
                        return List.of(pragma(c, "busy_timeout"), pragma(c, "synchronous"), pragma(c, "journal_mode"));
                    }
                }));
            }
            for (var p : pragmas) {
                assertThat(p.get(20, java.util.concurrent.TimeUnit.SECONDS)).containsExactly("5000", "2", "wal"); // synchronous 2: FULL
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(store.poolStats().total()).isEqualTo(Store.SQLITE_POOL_SIZE);
    }

    @Test
    void itIsDescribedByItsDataDirectory() {
        assertThat(store.description()).isEqualTo("the SQLite store in " + dir.toAbsolutePath());
    }

    @Test
    void aUrlOfAnotherDatabaseIsRefusedWithoutRepeatingIt() {
        assertThatThrownBy(() -> Store.open("jdbc:mysql://db.internal:3306/ops?password=s3cret-xyz", "ops", "s3cret-xyz"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("TRAINOPS_DB_URL must be a jdbc:sqlite: or jdbc:postgresql: URL; it starts with 'jdbc:mysql:'.")
                .hasMessageNotContaining("s3cret");
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}

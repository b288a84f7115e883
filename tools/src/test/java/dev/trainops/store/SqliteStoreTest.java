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
        List<Connection> held = new ArrayList<>();
        try {
            for (int i = 0; i < Store.SQLITE_POOL_SIZE; i++) {
                held.add(store.connection());
            }
            for (Connection c : held) {
                assertThat(pragma(c, "busy_timeout")).isEqualTo("5000");
                assertThat(pragma(c, "synchronous")).isEqualTo("2"); // FULL
                assertThat(pragma(c, "journal_mode")).isEqualTo("wal");
            }
        } finally {
            for (Connection c : held) {
                c.close();
            }
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

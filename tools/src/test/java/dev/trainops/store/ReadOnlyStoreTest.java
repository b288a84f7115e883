package dev.trainops.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --read-only's store: read as it is, never created, migrated or written. */
class ReadOnlyStoreTest {
    @Test
    void aReadOnlyStoreReadsButRefusesEveryWrite(@TempDir Path dir) throws Exception {
        try (Store store = Store.sqlite(dir)) {
            store.inTransaction(0, c -> {
                try (Statement s = c.createStatement()) {
                    s.executeUpdate("INSERT INTO audit_log (audit_id, at_ms, subject, role, teams, tool, team, arguments, outcome, message) "
                            + "VALUES ('a1', 1, 'alice', 'member', 'team-a', 'queue_training_job', 'team-a', '{}', 'OK', '')");
                }
                return null;
            });
        }
        try (Store store = Store.sqliteReadOnly(dir)) {
            assertThat(store.isReadOnly()).isTrue();
            try (Connection c = store.connection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_log")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(1);
            }
            assertThatThrownBy(() -> store.inTransaction(0, c -> null)).hasMessageContaining("is open read-only (--read-only)");
            try (Connection c = store.connection(); Statement s = c.createStatement()) {
                assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_log")).hasMessageContaining("readonly");
            }
        }
    }

    @Test
    void aReadOnlyStartCreatesNoStore(@TempDir Path dir) {
        assertThatThrownBy(() -> Store.sqliteReadOnly(dir)).hasMessageContaining("--read-only reads the SQLite store in")
                .hasMessageContaining("start trainops once without --read-only");
        assertThat(dir.resolve("trainops.db")).doesNotExist();
    }

    @Test
    void aReadOnlyStartDoesNotMigrateAStoreThatIsBehind(@TempDir Path dir) throws Exception {
        try (Store store = Store.sqlite(dir)) {
            store.connection().close();
        }
        String latest;
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("trainops.db")); Statement s = c.createStatement()) {
            try (java.sql.ResultSet rs = s.executeQuery("SELECT MAX(CAST(version AS INTEGER)) FROM flyway_schema_history")) {
                rs.next();
                latest = rs.getString(1);
            }
            // the store as a build before the latest migration left it
            s.executeUpdate("DELETE FROM flyway_schema_history WHERE version = '" + latest + "'");
        }
        long before = Files.size(dir.resolve("trainops.db"));
        assertThatThrownBy(() -> Store.sqliteReadOnly(dir)).hasMessageContaining("--read-only does not migrate")
                .hasMessageContaining("up to V" + latest);
        assertThat(Files.size(dir.resolve("trainops.db"))).isEqualTo(before);
    }

    @Test
    void aReadOnlyPostgresStoreIsNeverMigratedAndRefusesWrites() throws Exception {
        String schema = "t_readonly_" + java.util.UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = dev.trainops.testing.Postgres.baseUrl();
        String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
        String user = dev.trainops.testing.Postgres.user();
        try (Connection c = java.sql.DriverManager.getConnection(base, user, null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        }
        assertThatThrownBy(() -> Store.openReadOnly(url, user, null)).as("an empty schema is not migrated")
                .hasMessageContaining("--read-only does not migrate");
        try (Store store = Store.open(url, user, null)) {
            store.connection().close();
        }
        try (Store store = Store.openReadOnly(url, user, null); Connection c = store.connection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM audit_log")) {
                rs.next();
                assertThat(rs.getInt(1)).isZero();
            }
            assertThatThrownBy(() -> s.executeUpdate("DELETE FROM audit_log")).hasMessageContaining("read-only");
            assertThatThrownBy(() -> store.inTransaction(0, x -> null)).hasMessageContaining("is open read-only (--read-only)");
        }
    }
}

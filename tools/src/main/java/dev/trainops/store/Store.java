package dev.trainops.store;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import org.flywaydb.core.Flyway;

/**
 * The relational store: SQLite by default (a file in the data directory), PostgreSQL when
 * {@code TRAINOPS_DB_URL} names one (several replicas share it). Flyway migrates it at open.
 */
public final class Store {
    private final String url;
    private final String user;
    private final String password;
    private final boolean sqlite;

    private Store(String url, String user, String password) {
        this.url = Objects.requireNonNull(url, "url");
        this.user = user;
        this.password = password;
        this.sqlite = url.startsWith("jdbc:sqlite:");
        if (!sqlite && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("TRAINOPS_DB_URL must be a jdbc:sqlite: or jdbc:postgresql: URL, was " + url);
        }
    }

    /** A SQLite file in {@code dataDir}. */
    public static Store sqlite(Path dataDir) throws java.io.IOException {
        Files.createDirectories(dataDir);
        return open("jdbc:sqlite:" + dataDir.resolve("trainops.db").toAbsolutePath(), null, null);
    }

    /** Opens and migrates the store at {@code url}. */
    public static Store open(String url, String user, String password) {
        Store store = new Store(url, user, password);
        if (store.sqlite) {
            // WAL is a property of the database file: set it once here, not on every connection, where
            // concurrent openers would race for the lock the switch needs
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("PRAGMA journal_mode = WAL");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open SQLite at " + url + ": " + e.getMessage(), e);
            }
        }
        Flyway.configure().dataSource(url, user, password).locations("classpath:db/migration")
                .loggers("slf4j").load().migrate();
        return store;
    }

    public boolean isSqlite() {
        return sqlite;
    }

    public String url() {
        return url;
    }

    /** Work inside one transaction. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one write transaction and commits it. On SQLite the transaction takes
     * the write lock up front (BEGIN IMMEDIATE), so two writers queue instead of deadlocking; on
     * PostgreSQL, a non-zero {@code advisoryLock} is taken for the transaction
     * ({@code pg_advisory_xact_lock}), so only one holder of that key runs at a time across replicas.
     */
    public <T> T inTransaction(long advisoryLock, Work<T> work) {
        try (Connection c = connection()) {
            if (sqlite) {
                try (Statement s = c.createStatement()) {
                    s.execute("BEGIN IMMEDIATE");
                }
            } else {
                c.setAutoCommit(false);
                if (advisoryLock != 0) {
                    try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                        ps.setLong(1, advisoryLock);
                        ps.execute();
                    }
                }
            }
            try {
                T result = work.run(c);
                if (sqlite) {
                    try (Statement s = c.createStatement()) {
                        s.execute("COMMIT");
                    }
                } else {
                    c.commit();
                }
                return result;
            } catch (SQLException | RuntimeException e) {
                if (sqlite) {
                    try (Statement s = c.createStatement()) {
                        s.execute("ROLLBACK");
                    } catch (SQLException ignored) {
                        // the transaction may already be gone
                    }
                } else {
                    c.rollback();
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("store transaction failed at " + url + ": " + e.getMessage(), e);
        }
    }

    /** A new connection; SQLite waits up to 5 s for a writer instead of failing with SQLITE_BUSY. */
    public Connection connection() throws SQLException {
        Connection c = DriverManager.getConnection(url, user, password);
        if (sqlite) {
            try (Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = 5000");
                s.execute("PRAGMA synchronous = FULL");
            }
        }
        return c;
    }
}

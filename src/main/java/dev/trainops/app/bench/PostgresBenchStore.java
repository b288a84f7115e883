package dev.trainops.app.bench;

import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

/**
 * A PostgreSQL store for one benchmark run: a fresh schema ({@code trainops_bench_<random>}) in the
 * database at the URL, migrated as serve migrates it, and dropped with everything in it on
 * {@link #close()}, so a run leaves nothing behind and never sees another run's rows.
 */
public final class PostgresBenchStore implements AutoCloseable {
    /** {@code bench}'s default: the local database the tests use (trust auth, database {@code test}). */
    public static final String LOCAL_TEST_DB = "jdbc:postgresql://127.0.0.1:5432/test";

    /** Where a run connects: the JDBC URL, its user and password (either may be null, or in the URL). */
    public record Target(String url, String user, String password) {
        public Target {
            if (url == null || !url.startsWith("jdbc:postgresql:")) {
                throw new IllegalArgumentException("--postgres-url must be a jdbc:postgresql: URL (or none); it is " + PostgresBenchStore.shown(url));
            }
        }

        /** Connects once and answers the server's version, e.g. "15.4"; the driver's message when it cannot. */
        public String probe() throws SQLException {
            try (Connection c = DriverManager.getConnection(url, user, password)) {
                return c.getMetaData().getDatabaseProductVersion();
            }
        }

        /** The URL without its query string or user info, for messages (the password may be in either). */
        public String shown() {
            return PostgresBenchStore.shown(url);
        }
    }

    final Store store;
    /** "PostgreSQL 15.4", the server's major and minor version. */
    final String name;
    private final Target target;
    private final String schema;

    private PostgresBenchStore(Store store, String name, Target target, String schema) {
        this.store = store;
        this.name = name;
        this.target = target;
        this.schema = schema;
    }

    static PostgresBenchStore open(Target target) throws SQLException {
        String schema = "trainops_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String version;
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password()); Statement s = c.createStatement()) {
            version = c.getMetaData().getDatabaseMajorVersion() + "." + c.getMetaData().getDatabaseMinorVersion();
            s.execute("CREATE SCHEMA " + schema);
        }
        String url = target.url() + (target.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        try {
            return new PostgresBenchStore(Store.open(url, target.user(), target.password()), "PostgreSQL " + version, target, schema);
        } catch (RuntimeException e) {
            drop(target, schema);
            throw e;
        }
    }

    /** Closes the store, then drops its schema and every row the run wrote. */
    @Override
    public void close() throws SQLException {
        store.close();
        drop(target, schema);
    }

    private static void drop(Target target, String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(target.url(), target.user(), target.password()); Statement s = c.createStatement()) {
            s.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    static String shown(String url) {
        if (url == null) {
            return "null";
        }
        String bare = url.contains("?") ? url.substring(0, url.indexOf('?')) : url;
        int at = bare.indexOf('@');
        int hosts = bare.indexOf("//");
        return at > 0 && hosts >= 0 && at > hosts ? bare.substring(0, hosts + 2) + bare.substring(at + 1) : bare;
    }
}

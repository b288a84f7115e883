package dev.trainops.testing;

import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.UUID;

/**
 * The real PostgreSQL for tests: {@code TRAINOPS_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/test}, trust auth). Each caller gets a fresh schema, so
 * runs never see each other's rows. Not skipped when absent: CI must have it (.ci/run starts one).
 */
public final class Postgres {
    private Postgres() {
    }

    public static String baseUrl() {
        String url = System.getenv("TRAINOPS_TEST_PG_URL");
        return url == null || url.isBlank() ? "jdbc:postgresql://127.0.0.1:5432/test" : url;
    }

    public static String user() {
        String user = System.getenv("TRAINOPS_TEST_PG_USER");
        return user == null || user.isBlank() ? "postgres" : user;
    }

    public static Store freshSchemaStore(String purpose) {
        return freshSchemaStore(purpose, null);
    }

    /**
     * As {@link #freshSchemaStore(String)}, with a password both in the URL and as the argument
     * (trust auth ignores it), for tests that check it never shows.
     */
    public static Store freshSchemaStore(String purpose, String password) {
        String url = freshSchemaUrl(purpose) + (password == null ? "" : "&password=" + password);
        return Store.open(url, user(), password);
    }

    /**
     * A fresh, empty schema's JDBC URL (user {@link #user()}, no password), for a test that starts
     * trainops itself on it (TRAINOPS_DB_URL), several replicas on one schema included.
     */
    public static String freshSchemaUrl(String purpose) {
        String schema = "t_" + purpose + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        try (Connection c = DriverManager.getConnection(baseUrl(), user(), null); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + baseUrl() + " is needed for this test (start it, or set "
                    + "TRAINOPS_TEST_PG_URL): " + e.getMessage(), e);
        }
        String sep = baseUrl().contains("?") ? "&" : "?";
        return baseUrl() + sep + "currentSchema=" + schema;
    }
}

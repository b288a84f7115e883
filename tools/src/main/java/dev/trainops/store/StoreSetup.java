package dev.trainops.store;

import static dev.trainops.store.Store.BORROW_WAIT;
import static dev.trainops.store.Store.LOGIN_TIMEOUT;
import static dev.trainops.store.Store.POSTGRES_POOL_SIZE;
import static dev.trainops.store.Store.SQLITE_BUSY_TIMEOUT_MS;
import static dev.trainops.store.Store.SQLITE_POOL_SIZE;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;

/** How a {@link Store} is opened: its connection pool and data sources, and its Flyway migrations (or the check that it is migrated). */
final class StoreSetup {
    private StoreSetup() {
    }

    static HikariDataSource pool(String url, String user, String password, boolean sqlite, String description,
            Redactor redactor, boolean readOnly) {
        HikariConfig config = new HikariConfig();
        config.setPoolName(sqlite ? "trainops-sqlite" : "trainops-postgresql");
        // the pool gets a DataSource, not the URL: HikariCP logs its configuration at DEBUG, and the
        // URL with it (it masks a password, not the rest of the query string)
        config.setDataSource(sqlite ? sqliteDataSource(url, readOnly) : postgresDataSource(url, user, password, readOnly));
        config.setAutoCommit(true);
        // PostgreSQL refuses every write on a read-only session; SQLite opens its file read-only
        // (sqlite-jdbc only accepts the flag the connection was opened with, so the pool must say the same)
        config.setReadOnly(readOnly);
        if (sqlite) {
            config.setMaximumPoolSize(SQLITE_POOL_SIZE);
            config.setMinimumIdle(1);
        } else {
            config.setMaximumPoolSize(POSTGRES_POOL_SIZE);
            config.setMinimumIdle(2);
            // see connection(): a short borrow, and a pooled connection checked as briefly, so a
            // restarted or unreachable PostgreSQL fails a call fast instead of holding it
            config.setConnectionTimeout(BORROW_WAIT.toMillis());
            config.setValidationTimeout(BORROW_WAIT.toMillis());
        }
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            // HikariCP's PoolInitializationException: the driver's reason is in the causes
            throw new IllegalStateException("cannot open " + description + ": " + redactor.redact(rootMessage(e)));
        }
    }

    static DataSource sqliteDataSource(String url, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        // per connection, as sqlite-jdbc applies them when it opens one: wait for a writer instead
        // of failing with SQLITE_BUSY, and sync every commit to disk (jobs and money live here)
        config.setBusyTimeout(SQLITE_BUSY_TIMEOUT_MS);
        config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
        SQLiteDataSource dataSource = new SQLiteDataSource(config);
        dataSource.setUrl(url);
        return dataSource;
    }

    static DataSource postgresDataSource(String url, String user, String password, boolean readOnly) {
        PGSimpleDataSource dataSource = new PGSimpleDataSource() {
            static final long serialVersionUID = 1L;

            /**
             * HikariCP sets the login timeout from its (here short) borrow timeout: 1 s. A busy
             * machine may take longer to open a session, and a slow login is not a dead store: a
             * borrow meanwhile finds no failure and waits on (a refused connection fails at once).
             */
            @Override
            public void setLoginTimeout(int seconds) {
                super.setLoginTimeout(Math.max(seconds, (int) LOGIN_TIMEOUT.toSeconds()));
            }
        };
        try {
            dataSource.setURL(url);
        } catch (IllegalArgumentException e) {
            // the driver's message repeats the whole URL
            throw new IllegalArgumentException("TRAINOPS_DB_URL is not a PostgreSQL URL the driver can read; write it as "
                    + "jdbc:postgresql://HOST:PORT/DATABASE (" + StoreUrls.describe(url) + ").");
        }
        if (user != null) {
            dataSource.setUser(user);
        }
        if (password != null) {
            dataSource.setPassword(password);
        }
        if (readOnly) {
            // "always": the session refuses writes with autocommit on too (the driver's default applies it only to transactions)
            dataSource.setReadOnly(true);
            dataSource.setReadOnlyMode("always");
        }
        return dataSource;
    }

    /**
     * Where the migrations are: {@code db/migration} for both stores, and {@code db/vendor/sqlite} or
     * {@code db/vendor/postgresql} for the few whose SQL differs between them (V11's identity column).
     */
    static String[] locations(boolean sqlite) {
        return new String[] {"classpath:db/migration", sqlite ? "classpath:db/vendor/sqlite" : "classpath:db/vendor/postgresql"};
    }

    static void migrate(DataSource dataSource, boolean sqlite, String description, Redactor redactor) {
        try {
            // RedactingFlywayLogs: Flyway names the database's URL at INFO when it starts
            Flyway.configure().dataSource(dataSource).locations(locations(sqlite))
                    .loggers(RedactingFlywayLogs.class.getName()).load().migrate();
        } catch (FlywayException e) {
            throw new IllegalStateException("cannot migrate " + description + ": " + redactor.redact(rootMessage(e)));
        }
    }

    /** A read-only store is read as it is: one a migration behind would answer with missing tables and columns. */
    static void requireMigrated(DataSource dataSource, boolean sqlite, String description, Redactor redactor) {
        org.flywaydb.core.api.MigrationInfo[] pending;
        try {
            pending = Flyway.configure().dataSource(dataSource).locations(locations(sqlite))
                    .loggers(RedactingFlywayLogs.class.getName()).load().info().pending();
        } catch (FlywayException e) {
            throw new IllegalStateException("cannot read the schema version of " + description + ": " + redactor.redact(rootMessage(e)));
        }
        if (pending.length > 0) {
            throw new IllegalStateException("--read-only does not migrate " + description + ", and it lacks " + pending.length
                    + " migration(s) up to V" + pending[pending.length - 1].getVersion() + "; start this trainops once without "
                    + "--read-only to migrate it");
        }
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}

package dev.trainops.store;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The relational store: SQLite by default (a file in the data directory), PostgreSQL when
 * {@code TRAINOPS_DB_URL} names one (several replicas share it). Flyway migrates it at open.
 *
 * <p>Connections come from one HikariCP pool per store, so a read or a transaction borrows an open
 * connection instead of opening a new one. The store owns the pool: whoever opens a store closes it
 * (the composition root, on shutdown). No message and no log line names the JDBC URL, the user or
 * the password: errors name {@link #description()}, which is at most host, port and database.
 */
public final class Store implements AutoCloseable {
    /**
     * SQLite takes one writer at a time; WAL lets readers run beside it. The pool holds the writer
     * and readers, including the reads a transaction makes on another connection (budgets read from
     * the ledger inside the admission pass), so it is small but never one.
     */
    static final int SQLITE_POOL_SIZE = 4;
    /** Per replica; PostgreSQL's default limit of 100 connections leaves room for several replicas. */
    static final int POSTGRES_POOL_SIZE = 10;
    /** How long a transaction waits for its turn before its call fails. */
    private static final Duration TRANSACTION_WAIT = Duration.ofSeconds(30);
    static final int SQLITE_BUSY_TIMEOUT_MS = 5000;
    /**
     * PostgreSQL: how long one borrow from the pool waits (HikariCP's least) before it asks why no
     * connection came: the pool could not open one (the store is down: fail now) or every
     * connection is lent out (busy: wait on, up to {@link #TRANSACTION_WAIT}). A call answers
     * UPSTREAM_UNAVAILABLE within half a second of meeting a dead store, never after the pool's 30 s.
     */
    static final Duration BORROW_WAIT = Duration.ofMillis(250);
    /** How long opening one PostgreSQL session may take (a refused or unreachable server fails sooner). */
    static final Duration LOGIN_TIMEOUT = Duration.ofSeconds(10);
    /** While the store is known down, calls fail at once, and the store tries it again this often. */
    static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Store.class);

    private final HikariDataSource pool;
    /** The connection this thread holds from this store, if any: a nested borrow shares it (see {@link #connection()}). */
    private final ThreadLocal<Held> held = new ThreadLocal<>();
    private final boolean sqlite;
    private final String description;
    private final Redactor redactor;
    /**
     * Transactions queue here, in arrival order, before they borrow a connection: one at a time on
     * SQLite (its single writer), half the pool on PostgreSQL. A transaction may read on a second
     * connection while it holds its own (the admission pass reads budgets from the ledger), so the
     * pool always keeps connections for readers; a waiting writer holding a connection could
     * otherwise starve the one running, until the pool's timeout failed them both.
     */
    private final Semaphore transactions;
    private final boolean readOnly;
    /** PostgreSQL did not answer a borrow, nor the probes since: calls fail at once. */
    private volatile boolean down;
    private volatile long downSinceNanos;
    /** Tries a down store again every {@link #PROBE_EVERY}; started the first time the store is found down. */
    private java.util.concurrent.ScheduledExecutorService probe;
    /** Set by {@link #close()}: no probe starts after it. */
    private boolean closing;

    private Store(HikariDataSource pool, boolean sqlite, String description, Redactor redactor, boolean readOnly) {
        this.pool = pool;
        this.sqlite = sqlite;
        this.readOnly = readOnly;
        this.description = description;
        this.redactor = redactor;
        this.transactions = new Semaphore(sqlite ? 1 : POSTGRES_POOL_SIZE / 2, true);
    }

    /** A SQLite file in {@code dataDir}. */
    public static Store sqlite(Path dataDir) throws java.io.IOException {
        Files.createDirectories(dataDir);
        Path file = dataDir.resolve("trainops.db").toAbsolutePath();
        return open("jdbc:sqlite:" + file, null, null, "the SQLite store in " + dataDir.toAbsolutePath(), false);
    }

    /** Opens and migrates the store at {@code url}. */
    public static Store open(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        return open(url, user, password, StoreUrls.describe(url), false);
    }

    /**
     * The SQLite store in {@code dataDir} for {@code --read-only} (docs/architecture.md, "Read-only
     * mode"): opened read-only, neither created nor migrated; fails when it does not exist.
     */
    public static Store sqliteReadOnly(Path dataDir) {
        Path file = dataDir.resolve("trainops.db").toAbsolutePath();
        String description = "the SQLite store in " + dataDir.toAbsolutePath();
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("--read-only reads " + description + " as it is and creates none, and there is none yet; "
                    + "start trainops once without --read-only to create it, or point TRAINOPS_DB_URL at the store to read");
        }
        return open("jdbc:sqlite:" + file, null, null, description, true);
    }

    /** The store at {@code url} for {@code --read-only}: read-only connections, never migrated. */
    public static Store openReadOnly(String url, String user, String password) {
        Objects.requireNonNull(url, "url");
        return open(url, user, password, StoreUrls.describe(url), true);
    }

    private static Store open(String url, String user, String password, String description, boolean readOnly) {
        boolean sqlite = url.startsWith("jdbc:sqlite:");
        if (!sqlite && !url.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("TRAINOPS_DB_URL must be a jdbc:sqlite: or jdbc:postgresql: URL; it starts with "
                    + StoreUrls.scheme(url) + ".");
        }
        Redactor redactor = new Redactor(url, user, password);
        if (sqlite && !readOnly) {
            // WAL is a property of the database file: set it once here, not on every connection, where
            // concurrent openers would race for the lock the switch needs
            try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
                s.execute("PRAGMA busy_timeout = " + SQLITE_BUSY_TIMEOUT_MS);
                s.execute("PRAGMA journal_mode = WAL");
            } catch (SQLException e) {
                throw new IllegalStateException("cannot open " + description + ": " + redactor.redact(e.getMessage()), e);
            }
        }
        HikariDataSource pool = StoreSetup.pool(url, user, password, sqlite, description, redactor, readOnly);
        try {
            if (readOnly) {
                StoreSetup.requireMigrated(pool, sqlite, description, redactor);
            } else {
                StoreSetup.migrate(pool, sqlite, description, redactor);
            }
        } catch (RuntimeException e) {
            pool.close();
            throw e;
        }
        return new Store(pool, sqlite, description, redactor, readOnly);
    }

    /** Whether it was opened for {@code --read-only}: every write fails, and {@link #inTransaction} refuses to start one. */
    public boolean isReadOnly() {
        return readOnly;
    }

    public boolean isSqlite() {
        return sqlite;
    }

    /**
     * Which store this is, for messages: "the SQLite store in DIR" or "the PostgreSQL store at
     * HOST:PORT/DB". Never the URL's query string, user or password.
     */
    public String description() {
        return description;
    }

    /** How many connections the pool holds now, and how many of them are lent out. */
    public PoolStats poolStats() {
        HikariPoolMXBean bean = pool.getHikariPoolMXBean();
        return bean == null ? new PoolStats(0, 0, 0) : new PoolStats(bean.getTotalConnections(), bean.getActiveConnections(),
                bean.getIdleConnections());
    }

    /** A snapshot of the pool's connections. */
    public record PoolStats(int total, int active, int idle) {
    }

    public boolean isClosed() {
        return pool.isClosed();
    }

    /** Closes the pool and its connections; reads and transactions after this fail. */
    @Override
    public void close() {
        synchronized (this) {
            closing = true;
            if (probe != null) {
                probe.shutdownNow();
            }
        }
        pool.close();
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
     * The connection goes back to the pool with no transaction open and autocommit on.
     */
    public <T> T inTransaction(long advisoryLock, Work<T> work) {
        if (readOnly) {
            throw new IllegalStateException(description + " is open read-only (--read-only): nothing is written to it");
        }
        try {
            if (!transactions.tryAcquire(TRANSACTION_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("a transaction on " + description + " waited " + TRANSACTION_WAIT.toSeconds()
                        + " s for the transactions before it and gave up");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting to write to " + description, e);
        }
        try {
            Held outer = current();
            // a transaction inside a read runs on the read's connection; one inside a transaction takes its own, as it always has
            Held h = outer != null && !outer.inTransaction ? outer : hold(borrow());
            Connection share = share(h);
            h.inTransaction = true;
            try {
                return sqlite ? sqliteTransaction(h.connection, work) : postgresTransaction(h.connection, advisoryLock, work);
            } finally {
                h.inTransaction = false;
                share.close();
            }
        } catch (SQLException e) {
            throw failed(e);
        } finally {
            transactions.release();
        }
    }

    private IllegalStateException failed(SQLException e) {
        String why = redactor.redact(e.getMessage());
        // a connection the store cut in the middle (a restart): say which store did not answer
        SQLException cause = !(e instanceof StoreUnavailableException) && StoreUnavailableException.lostConnection(e.getSQLState())
                ? new StoreUnavailableException(description, "the connection was cut: " + why) : e;
        return new IllegalStateException("a transaction on " + description + " failed: " + why, cause);
    }

    private <T> T sqliteTransaction(Connection c, Work<T> work) throws SQLException {
        // autocommit stays on: sqlite-jdbc's own transactions begin DEFERRED, and a deferred reader
        // that later writes fails with SQLITE_BUSY instead of waiting
        execute(c, "BEGIN IMMEDIATE");
        boolean open = true;
        try {
            T result = work.run(c);
            execute(c, "COMMIT");
            open = false;
            return result;
        } finally {
            if (open) {
                try {
                    execute(c, "ROLLBACK");
                } catch (SQLException e) {
                    // the transaction may be gone already; if not, the connection must not go back
                    // to the pool inside it, where the next BEGIN on it would fail
                    pool.evictConnection(c);
                }
            }
        }
    }

    private <T> T postgresTransaction(Connection c, long advisoryLock, Work<T> work) throws SQLException {
        c.setAutoCommit(false);
        try {
            if (advisoryLock != 0) {
                try (PreparedStatement ps = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                    ps.setLong(1, advisoryLock);
                    ps.execute();
                }
            }
            T result = work.run(c);
            c.commit();
            return result;
        } catch (SQLException | RuntimeException e) {
            try {
                c.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
                pool.evictConnection(c);
            }
            throw e;
        } finally {
            try {
                c.setAutoCommit(true);
            } catch (SQLException e) {
                pool.evictConnection(c);
            }
        }
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * A PostgreSQL connection of its own, outside the pool, that has run {@code LISTEN channel}: the
     * event relay waits on it for the {@code NOTIFY} its writers send at commit (docs/architecture.md,
     * "Events"). Outside the pool because it is held for the life of the relay; whoever opens it
     * closes it. SQLite has no notifications: there it fails.
     */
    public StoreListener listen(String channel) throws SQLException {
        if (sqlite) {
            throw new IllegalStateException(description + " has no LISTEN/NOTIFY (SQLite): listen only on PostgreSQL; the relay polls SQLite");
        }
        if (!channel.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new IllegalArgumentException("channel must be a lower-case SQL identifier, was '" + channel + "'");
        }
        Connection c;
        try {
            c = pool.getDataSource().getConnection();
        } catch (SQLException e) {
            throw new SQLException("cannot connect to " + description + " to listen: " + redactor.redact(e.getMessage()), e.getSQLState());
        }
        try {
            c.setAutoCommit(true);
            execute(c, "LISTEN " + channel);
            return new StoreListener(c, c.unwrap(org.postgresql.PGConnection.class), description, redactor);
        } catch (SQLException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * A pooled connection; close it to give it back. SQLite waits up to 5 s for a writer instead of
     * failing with SQLITE_BUSY. A caller that turns autocommit off gets it back on, and its open
     * transaction rolled back, when the connection returns to the pool.
     */
    public Connection connection() throws SQLException {
        Held h = current();
        return share(h != null ? h : hold(borrow()));
    }

    /**
     * A connection this thread borrows while it already holds one (a read inside a read, a ledger
     * query inside a queue snapshot) is the one it holds, not a second from the pool: with every
     * connection lent to callers that each wait for a second one, none would ever come back (seen
     * under load: four validate_job_resources calls each held one of SQLite's four and waited 30 s
     * for another). The shared connection goes back to the pool when the last of its borrowers closes it.
     */
    private static final class Held {
        final Connection connection;
        final Held outer;
        final Thread owner;
        int borrowers;
        boolean inTransaction;

        Held(Connection connection, Held outer, Thread owner) {
            this.connection = connection;
            this.outer = outer;
            this.owner = owner;
        }

    }

    private Connection share(Held h) {
        h.borrowers++;
        return (Connection) java.lang.reflect.Proxy.newProxyInstance(Connection.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Borrower(h));
    }

    /** One borrower's view of a held connection: its close() gives back its share, and the last one gives the connection back. */
    private final class Borrower implements java.lang.reflect.InvocationHandler {
        private final Held h;
        private boolean closed;

        Borrower(Held h) {
            this.h = h;
        }

        @Override
        public Object invoke(Object proxy, java.lang.reflect.Method method, Object[] args) throws Throwable {
            switch (method.getName()) {
                case "close":
                    if (!closed) {
                        closed = true;
                        release(h);
                    }
                    return null;
                case "isClosed":
                    return closed || h.connection.isClosed();
                case "equals":
                    return proxy == args[0];
                case "hashCode":
                    return System.identityHashCode(proxy);
                case "toString":
                    return "shared " + h.connection;
                default:
                    if (closed) {
                        throw new SQLException("this borrow of a connection to " + description + " was closed");
                    }
                    try {
                        return method.invoke(h.connection, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
            }
        }
    }

    /** The connection this thread holds, if it still holds one (one given back from another thread is not held). */
    private Held current() {
        Held h = held.get();
        while (h != null && h.borrowers <= 0) {
            h = h.outer;
        }
        if (h == null) {
            held.remove();
        } else {
            held.set(h);
        }
        return h;
    }

    private Held hold(Connection c) {
        Held h = new Held(c, current(), Thread.currentThread());
        held.set(h);
        return h;
    }

    private void release(Held h) throws SQLException {
        if (--h.borrowers > 0) {
            return;
        }
        if (h.owner == Thread.currentThread() && held.get() == h) {
            if (h.outer == null) {
                held.remove();
            } else {
                held.set(h.outer);
            }
        }
        h.connection.close();
    }

    private Connection borrow() throws SQLException {
        return sqlite ? pool.getConnection() : postgresConnection();
    }

    /**
     * A PostgreSQL connection, or {@link StoreUnavailableException} within about {@link #BORROW_WAIT}
     * when the store does not answer. Once it is known down, calls fail at once while the store's
     * own probe tries it every {@link #PROBE_EVERY}, so the server notices by itself when it
     * answers again (docs/architecture.md, "When the store is down"). A pool that is merely busy
     * is waited for.
     */
    private Connection postgresConnection() throws SQLException {
        long deadline = System.nanoTime() + TRANSACTION_WAIT.toNanos();
        while (true) {
            if (down) {
                throw new StoreUnavailableException(description, "it has not answered for " + downFor() + "; trainops tries it again every "
                        + PROBE_EVERY.toSeconds() + " s");
            }
            try {
                return pool.getConnection();
            } catch (java.sql.SQLTransientConnectionException e) {
                // HikariCP's timeout: its cause is why the pool could not open a connection, null when all were lent out
                if (e.getCause() != null) {
                    String why = redactor.redact(StoreSetup.rootMessage(e.getCause()));
                    markDown(why);
                    throw new StoreUnavailableException(description, why);
                }
                if (System.nanoTime() - deadline > 0) {
                    throw new java.sql.SQLTransientConnectionException("every connection to " + description + " stayed lent out for "
                            + TRANSACTION_WAIT.toSeconds() + " s", "08001");
                }
            }
        }
    }

    private synchronized void markDown(String why) {
        if (down || closing) {
            return;
        }
        downSinceNanos = System.nanoTime();
        down = true;
        log.warn("{} is not answering ({}); calls that need it answer UPSTREAM_UNAVAILABLE until it does", description, why);
        if (probe == null) {
            probe = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "trainops-store-probe");
                t.setDaemon(true);
                return t;
            });
        }
        probe.schedule(this::probe, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One try of a down store: up again when the pool lends a connection that answers, else another try a period later. */
    private void probe() {
        try (Connection c = pool.getConnection()) {
            if (c.isValid((int) Math.max(1, BORROW_WAIT.toSeconds()))) {
                synchronized (this) {
                    down = false;
                }
                log.info("{} answers again, after {} without", description, downFor());
                return;
            }
        } catch (SQLException | RuntimeException stillDown) {
            // tried again below, unless the store was closed meanwhile
        }
        synchronized (this) {
            if (!closing) {
                probe.schedule(this::probe, PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
    }

    private String downFor() {
        return Duration.ofNanos(System.nanoTime() - downSinceNanos).toMillis() + " ms";
    }
}

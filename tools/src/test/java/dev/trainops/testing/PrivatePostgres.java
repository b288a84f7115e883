package dev.trainops.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL of a test's own: {@code initdb} into a fresh directory, started with {@code pg_ctl}
 * on a free loopback port (trust auth, superuser {@code postgres}, database {@code trainops}), so a
 * test can stop and restart it without disturbing the shared instance on 5432 that other tests use.
 * Closing it stops the server (immediately) and deletes its directory; a JVM that dies first stops
 * it from a shutdown hook.
 *
 * <p>The binaries come from {@code TRAINOPS_TEST_PG_BIN}, else the newest
 * {@code /usr/lib/postgresql/N/bin} (Debian's layout; .ci/run installs it), else the {@code PATH}.
 * initdb and the server refuse to run as root, and these machines and CI run tests as root: then
 * every command runs as the {@code postgres} user ({@code runuser}, else {@code setpriv}) on a
 * directory that user owns.
 */
public final class PrivatePostgres implements AutoCloseable {
    public static final String DATABASE = "trainops";
    public static final String USER = "postgres";
    private static final Duration COMMAND_WAIT = Duration.ofSeconds(60);

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;
    private final boolean asPostgres;
    private final Thread hook;
    private volatile boolean running;

    private PrivatePostgres(Path bin, Path dir, int port, boolean asPostgres) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
        this.asPostgres = asPostgres;
        this.hook = new Thread(this::stopQuietly, "private-postgres-stop");
    }

    /** initdb, start, and create the {@value #DATABASE} database. */
    public static PrivatePostgres start() {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        PrivatePostgres pg;
        try {
            // under /tmp, not java.io.tmpdir: the postgres user must be able to reach it, and a build
            // directory under a home directory may not let it through
            Path tmp = Path.of("/tmp");
            Path dir = Files.isDirectory(tmp) && Files.isWritable(tmp) ? Files.createTempDirectory(tmp, "trainops-pg-")
                    : Files.createTempDirectory("trainops-pg-");
            pg = new PrivatePostgres(bin, dir, freePort(), root);
            if (root) {
                pg.run(List.of("chown", USER + ":", dir.toString()), false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Runtime.getRuntime().addShutdownHook(pg.hook);
        try {
            pg.run(List.of(bin.resolve("initdb").toString(), "-D", pg.data.toString(), "-A", "trust", "-U", USER, "-E", "UTF8",
                    "--no-locale", "--no-sync"), true);
            pg.startServer();
            try (Connection c = DriverManager.getConnection(pg.url("postgres"), USER, null); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (RuntimeException | SQLException e) {
            pg.close();
            throw new IllegalStateException("cannot start a private PostgreSQL from " + bin + ": " + e.getMessage(), e);
        }
        return pg;
    }

    /** The JDBC URL of the {@value #DATABASE} database. */
    public String url() {
        return url(DATABASE);
    }

    private String url(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    public boolean running() {
        return running;
    }

    /** A fresh connection as {@value #USER} (the caller closes it). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url(), USER, null);
    }

    /** Stops the server: {@code fast} ends the sessions and shuts down cleanly; otherwise it dies as on a crash ({@code immediate}). */
    public void stop(boolean fast) {
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", fast ? "fast" : "immediate", "-w", "-t", "60", "stop"),
                true);
        running = false;
    }

    /** Starts it again, on the same port and data. */
    public void startAgain() {
        startServer();
    }

    private void startServer() {
        // the socket directory is the data directory: /var/run/postgresql may not exist or be the postgres user's to write
        String options = "-p " + port + " -c listen_addresses=127.0.0.1 -c unix_socket_directories=" + data
                + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=60";
        run(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", dir.resolve("server.log").toString(), "-o", options,
                "-w", "-t", "60", "start"), true);
        running = true;
    }

    /** The server's log, for a failing test's message. */
    public String logTail(int lines) {
        try {
            List<String> all = Files.readAllLines(dir.resolve("server.log"), StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no server log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        try {
            stopQuietly();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
            deleteDirectory();
        }
    }

    private void stopQuietly() {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            try {
                stop(false);
            } catch (RuntimeException e) {
                System.err.println("private PostgreSQL on port " + port + " did not stop: " + e.getMessage());
            }
        }
    }

    private void deleteDirectory() {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("cannot delete " + dir + ": " + e.getMessage());
        }
    }

    /** Runs a command (as the postgres user when {@code asPostgres} applies); fails with its output when it fails. */
    private void run(List<String> command, boolean postgresUser) {
        List<String> full = new ArrayList<>();
        if (postgresUser && asPostgres) {
            full.addAll(switchUser());
        }
        full.addAll(command);
        try {
            Path out = Files.createTempFile("trainops-pg-cmd", ".log");
            try {
                Process p = new ProcessBuilder(full).directory(dir.toFile()).redirectErrorStream(true).redirectOutput(out.toFile()).start();
                if (!p.waitFor(COMMAND_WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + COMMAND_WAIT.toSeconds() + " s");
                }
                if (p.exitValue() != 0) {
                    throw new IllegalStateException(String.join(" ", command) + " exited with " + p.exitValue() + ": "
                            + Files.readString(out, StandardCharsets.UTF_8).strip());
                }
            } finally {
                Files.deleteIfExists(out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static List<String> switchUser() {
        if (Files.isExecutable(Path.of("/usr/sbin/runuser")) || Files.isExecutable(Path.of("/sbin/runuser"))) {
            return List.of("runuser", "-u", USER, "--");
        }
        return List.of("setpriv", "--reuid=" + USER, "--regid=" + USER, "--init-groups", "--");
    }

    private static Path binaries() {
        String env = System.getenv("TRAINOPS_TEST_PG_BIN");
        if (env != null && !env.isBlank()) {
            return Path.of(env);
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(debian)) {
            try (Stream<Path> versions = Files.list(debian)) {
                var newest = versions.filter(v -> Files.isExecutable(v.resolve("bin").resolve("initdb")))
                        .max(Comparator.comparingInt(v -> version(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return newest.get().resolve("bin");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        for (String p : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!p.isEmpty() && Files.isExecutable(Path.of(p, "initdb"))) {
                return Path.of(p);
            }
        }
        throw new IllegalStateException("no initdb: install PostgreSQL (Debian: apt-get install postgresql; .ci/run does) or set "
                + "TRAINOPS_TEST_PG_BIN to the directory holding initdb and pg_ctl");
    }

    private static int version(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}

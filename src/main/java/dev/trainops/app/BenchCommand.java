package dev.trainops.app;

import dev.trainops.app.bench.Benchmarks;
import dev.trainops.app.bench.PostgresBenchStore;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainops bench}: latency and start-up figures, printed with the machine they ran on. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure get_gpu_availability latency through MCP on a large synthetic cluster, the informers' "
                + "initial sync, admission decisions/s on SQLite and PostgreSQL, admitted workloads/s end to end (Jobs created on a "
                + "mock API server), tool calls through MCP over HTTP under an open-loop load, and start-up: launch to initialize and "
                + "to tools/list over stdio against a mock API server of the same size, optionally side by side with --previous-jar; "
                + "admission webhook reviews over HTTPS.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--nodes", defaultValue = "1000", description = "Synthetic nodes (default: ${DEFAULT-VALUE}).")
    int nodes;

    @Option(names = "--gpus-per-node", defaultValue = "8", description = "GPUs per node (default: ${DEFAULT-VALUE}).")
    int gpusPerNode;

    @Option(names = "--pods", defaultValue = "50000", description = "Synthetic pods (default: ${DEFAULT-VALUE}).")
    int pods;

    @Option(names = "--calls", defaultValue = "2000", description = "Measured get_gpu_availability calls (default: ${DEFAULT-VALUE}).")
    int calls;

    @Option(names = "--launches", defaultValue = "5", description = "Process launches timed to the first tools/list (default: ${DEFAULT-VALUE}; 0 skips).")
    int launches;

    @Option(names = "--queued", defaultValue = "10000", description = "Jobs queued for the admission benchmark (default: ${DEFAULT-VALUE}; 0 skips).")
    int queued;

    @Option(names = "--postgres-url", paramLabel = "URL", description = "PostgreSQL to measure admission on as well, in a fresh "
            + "schema dropped afterwards (default: " + PostgresBenchStore.LOCAL_TEST_DB + ", skipped with a line saying why when "
            + "nothing answers there; a URL given here must answer; 'none' skips). The password comes from PGPASSWORD, or the URL.")
    String postgresUrl;

    @Option(names = "--postgres-user", paramLabel = "USER", defaultValue = "postgres",
            description = "PostgreSQL user, unless the URL names one (default: ${DEFAULT-VALUE}).")
    String postgresUser;

    @Option(names = "--e2e-jobs", defaultValue = "2000", description = "Jobs submitted for admitted workloads/s end to end: admission "
            + "with trainops's Kubernetes runner creating each admitted job's batch/v1 Job on a mock API server in CRUD mode holding "
            + "the --nodes nodes (default: ${DEFAULT-VALUE}; 0 skips).")
    int endToEndJobs;

    @Option(names = "--http-rate", paramLabel = "CALLS_PER_S", defaultValue = "200", description = "Read-only tool calls a second "
            + "through MCP over Streamable HTTP, sent on a fixed schedule (open loop) to the whole server on the synthetic cluster "
            + "(default: ${DEFAULT-VALUE}; 0 skips).")
    int httpRate;

    @Option(names = "--http-seconds", defaultValue = "60", description = "How long the HTTP load lasts (default: ${DEFAULT-VALUE}).")
    int httpSeconds;

    @Option(names = "--webhook-reviews", defaultValue = "2000", description = "AdmissionReviews sent over HTTPS to the admission webhook, "
            + "its facts from the synthetic cluster (default: ${DEFAULT-VALUE}; 0 skips).")
    int webhookReviews;

    @Option(names = "--webhook-only", description = "Only the cluster's initial sync and the admission webhook's reviews (--webhook-reviews).")
    boolean webhookOnly;

    @Option(names = "--previous-jar", paramLabel = "JAR", description = "An older build's trainops.jar: its start-up is measured side by side "
            + "with this build's, in the same run against the same mock cluster.")
    java.nio.file.Path previousJar;

    @Option(names = "--startup-only", description = "Only the start-up measure (launch to initialize and to tools/list against a mock "
            + "API server with --nodes nodes and --pods pods).")
    boolean startupOnly;

    @Option(names = "--config-dir", paramLabel = "DIR", description = "Config directory for the launched servers (default: $TRAINOPS_HOME/config).")
    java.nio.file.Path configDir;

    static final int MAX_HTTP_RATE = 10_000;
    static final int MAX_HTTP_SECONDS = 3600;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || gpusPerNode < 1 || pods < 0 || calls < 1 || launches < 0 || queued < 0 || webhookReviews < 0) {
            System.err.println("trainops bench: --nodes, --gpus-per-node and --calls must be at least 1; --pods, --launches, --queued and "
                    + "--webhook-reviews at least 0");
            return 2;
        }
        String wrong = endToEndJobs < 0 ? "--e2e-jobs must be at least 0 (0 skips the end-to-end measure), got " + endToEndJobs
                : httpRate < 0 || httpRate > MAX_HTTP_RATE ? "--http-rate must be between 0 (skips the HTTP load) and " + MAX_HTTP_RATE
                        + " calls a second, got " + httpRate
                : httpSeconds < 1 || httpSeconds > MAX_HTTP_SECONDS ? "--http-seconds must be between 1 and " + MAX_HTTP_SECONDS + ", got "
                        + httpSeconds
                : null;
        if (wrong != null) {
            System.err.println("trainops bench: " + wrong);
            return 2;
        }
        if (previousJar != null && !java.nio.file.Files.isRegularFile(previousJar)) {
            System.err.println("trainops bench: --previous-jar " + previousJar + " is not a file; pass the path of an older trainops.jar");
            return 2;
        }
        java.nio.file.Path config = BackendOptions.orHome(configDir, "config");
        if (webhookOnly && webhookReviews < 1) {
            System.err.println("trainops bench: --webhook-only needs --webhook-reviews of at least 1");
            return 2;
        }
        if (!startupOnly) {
            PostgresBenchStore.Target postgres = null;
            String postgresSkipped = null;
            if (queued > 0 && !webhookOnly) {
                try {
                    postgres = postgres();
                } catch (IllegalArgumentException e) {
                    System.err.println("trainops bench: " + e.getMessage());
                    return 2;
                }
                if (postgres == null) {
                    postgresSkipped = "--postgres-url none";
                } else if (postgresUrl == null) {
                    try {
                        postgres.probe();
                    } catch (java.sql.SQLException e) {
                        postgresSkipped = "no PostgreSQL answered at " + postgres.shown() + " (" + e.getMessage() + "); pass --postgres-url "
                                + "to measure one";
                        postgres = null;
                    }
                }
            }
            new Benchmarks(System.out).run(new Benchmarks.Plan(nodes, gpusPerNode, pods, calls, launches, config, queued, postgres,
                    postgresSkipped, webhookReviews, webhookOnly, endToEndJobs, httpRate, httpSeconds));
        }
        if (launches > 0 && !webhookOnly) {
            java.nio.file.Path jar = java.nio.file.Path.of(BenchCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!java.nio.file.Files.isRegularFile(jar)) {
                System.out.println("start-up: skipped (not running from the packaged jar)");
                return 0;
            }
            new dev.trainops.app.bench.StartupBench(System.out).run(nodes, gpusPerNode, pods, launches, config, jar, previousJar);
        }
        return 0;
    }

    /**
     * Where admission is measured on PostgreSQL: null for {@code --postgres-url none}; the local test
     * database by default; a URL given must answer now, not after minutes of other measures.
     */
    private PostgresBenchStore.Target postgres() {
        if ("none".equals(postgresUrl)) {
            return null;
        }
        String password = System.getenv("PGPASSWORD");
        PostgresBenchStore.Target target = new PostgresBenchStore.Target(postgresUrl == null ? PostgresBenchStore.LOCAL_TEST_DB : postgresUrl,
                postgresUser, password == null || password.isEmpty() ? null : password);
        if (postgresUrl != null) {
            try {
                target.probe();
            } catch (java.sql.SQLException e) {
                throw new IllegalArgumentException("--postgres-url " + target.shown() + " does not answer: " + e.getMessage()
                        + "; check the URL, --postgres-user and PGPASSWORD, or pass --postgres-url none");
            }
        }
        return target;
    }
}

package dev.trainops.app;

import dev.trainops.app.bench.Benchmarks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainops bench}: latency and start-up figures, printed with the machine they ran on. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure get_gpu_availability latency through MCP on a large synthetic cluster, the informers' "
                + "initial sync, admission, and start-up: launch to initialize and to tools/list over stdio against a mock API "
                + "server of the same size, optionally side by side with --previous-jar; admission webhook reviews over HTTPS.")
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

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || gpusPerNode < 1 || pods < 0 || calls < 1 || launches < 0 || queued < 0 || webhookReviews < 0) {
            System.err.println("trainops bench: --nodes, --gpus-per-node and --calls must be at least 1; --pods, --launches, --queued and "
                    + "--webhook-reviews at least 0");
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
            new Benchmarks(System.out).run(nodes, gpusPerNode, pods, calls, launches, config, queued, webhookReviews, webhookOnly);
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
}

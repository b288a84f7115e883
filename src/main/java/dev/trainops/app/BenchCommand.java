package dev.trainops.app;

import dev.trainops.app.bench.Benchmarks;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code trainops bench}: latency and start-up figures, printed with the machine they ran on. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure get_gpu_availability latency through MCP on a large synthetic cluster, the informers' "
                + "initial sync, and launch-to-first-tools/list over stdio.")
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

    @Option(names = "--config-dir", paramLabel = "DIR", description = "Config directory for the launched servers (default: $TRAINOPS_HOME/config).")
    java.nio.file.Path configDir;

    @Override
    public Integer call() throws Exception {
        if (nodes < 1 || gpusPerNode < 1 || pods < 0 || calls < 1 || launches < 0 || queued < 0) {
            System.err.println("trainops bench: --nodes, --gpus-per-node and --calls must be at least 1; --pods and --launches at least 0");
            return 2;
        }
        new Benchmarks(System.out).run(nodes, gpusPerNode, pods, calls, launches, BackendOptions.orHome(configDir, "config"), queued);
        return 0;
    }
}

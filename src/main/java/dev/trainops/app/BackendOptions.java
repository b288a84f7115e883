package dev.trainops.app;

import dev.trainops.app.sandbox.SandboxKubeconfig;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The backend options every command that talks to a cluster takes (serve, chat, bench). */
final class BackendOptions {
    @Option(names = "--sandbox", description = "Run against the embedded demo cluster (fabric8 mock API server and a simulated kubelet).")
    boolean sandbox;

    @Option(names = "--sandbox-speed", paramLabel = "N", defaultValue = "1",
            description = "Run the sandbox clock N times faster than real time (default: ${DEFAULT-VALUE}).")
    double sandboxSpeed;

    @Option(names = "--sandbox-kubeconfig", paramLabel = "FILE",
            description = "With --sandbox: write a kubeconfig for the sandbox's API server to FILE (mode 0600) once it runs, "
                    + "removed when trainops stops, so kubectl can use the demo cluster: kubectl --kubeconfig FILE get tj -A. "
                    + "Never overwrites a file trainops did not write.")
    Path sandboxKubeconfig;

    @Option(names = "--config-dir", paramLabel = "DIR",
            description = "Defaults read at start: pricing, priorities, quotas, budgets, sandbox cluster "
                    + "(default: $TRAINOPS_HOME/config, else ./config).")
    Path configDir;

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "Where state lives: the store, the sandbox's cluster and runs (default: $TRAINOPS_HOME/data, else ./data).")
    Path dataDir;

    Trainops.Settings settings() {
        if (!(sandboxSpeed > 0)) {
            throw new IllegalArgumentException("--sandbox-speed must be above 0, was " + sandboxSpeed);
        }
        if (sandboxKubeconfig != null) {
            if (!sandbox) {
                throw new IllegalArgumentException(SandboxKubeconfig.OPTION + " writes a kubeconfig for the sandbox's API server and needs "
                        + "--sandbox; against a real cluster, use your own kubeconfig (KUBECONFIG).");
            }
            SandboxKubeconfig.checkWritable(sandboxKubeconfig);
        }
        return new Trainops.Settings(orHome(configDir, "config"), orHome(dataDir, "data"), sandbox, sandboxSpeed)
                .withSandboxKubeconfig(sandboxKubeconfig == null ? null : sandboxKubeconfig.toAbsolutePath());
    }

    static Path orHome(Path given, String child) {
        if (given != null) {
            return given.toAbsolutePath();
        }
        String home = System.getenv("TRAINOPS_HOME");
        if (home != null && !home.isBlank() && Files.isDirectory(Path.of(home))) {
            return Path.of(home, child).toAbsolutePath();
        }
        return Path.of(child).toAbsolutePath();
    }
}

package dev.trainops.app;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.app.sandbox.SandboxRunEvidence;
import dev.trainops.app.sandbox.SandboxRunHistory;
import dev.trainops.forecast.MlflowRunHistory;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.recommend.MlflowRunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * Run history and run evidence: MLflow when MLFLOW_TRACKING_URI is set (it wins in the sandbox
 * too), else the sandbox's run store; with neither there is no history, so no forecast,
 * comparison or recommendation tool.
 */
final class HistoryModule {
    /** Null without MLflow. */
    final MlflowReader mlflow;
    /** Null without any history. */
    final Supplier<RunHistorySource> runs;
    /** Null without any history. */
    final Supplier<RunEvidenceSource> evidence;

    /** A run as completions offer it: its name and the model it trained (null when it logged none). */
    record KnownRun(String runName, String model) {
    }

    /** How many of the newest runs completions offer names and models from. */
    static final int KNOWN_RUNS = 500;

    /** The newest runs, newest first; empty without any history. */
    final Supplier<List<KnownRun>> known;

    private HistoryModule(MlflowReader mlflow, Supplier<RunHistorySource> runs, Supplier<RunEvidenceSource> evidence,
                          Supplier<List<KnownRun>> known) {
        this.mlflow = mlflow;
        this.runs = runs;
        this.evidence = evidence;
        this.known = known;
    }

    static HistoryModule create(TrainopsConfig config, ClusterModule cluster) {
        Optional<MlflowClient.Config> mlflowConfig = config.mlflow();
        Clock clock = cluster.clock;
        if (mlflowConfig.isPresent()) {
            MlflowReader reader = new MlflowReader(new MlflowClient(mlflowConfig.get()), clock, Duration.ofMinutes(1), Ticker.systemTicker(),
                    ForkJoinPool.commonPool());
            RunHistorySource history = new MlflowRunHistory(reader);
            RunEvidenceSource evidence = new MlflowRunEvidence(reader);
            return new HistoryModule(reader, () -> history, () -> evidence, () -> reader.search("", KNOWN_RUNS).value().stream()
                    .map(r -> new KnownRun(r.runName(), r.params().get("model"))).toList());
        }
        SandboxCluster sandbox = cluster.sandbox;
        if (sandbox != null) {
            RunHistorySource history = new SandboxRunHistory(sandbox::runs);
            RunEvidenceSource evidence = new SandboxRunEvidence(sandbox::runs);
            return new HistoryModule(null, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                return history;
            }, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                return evidence;
            }, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                List<KnownRun> out = new java.util.ArrayList<>(sandbox.runs().runs().stream()
                        .map(r -> new KnownRun(r.runName(), r.params().get("model"))).toList());
                java.util.Collections.reverse(out);
                return out.stream().limit(KNOWN_RUNS).toList();
            });
        }
        return new HistoryModule(null, null, null, List::of);
    }

    boolean present() {
        return runs != null;
    }

    /** The MLflow backend's state; empty without MLflow. */
    Optional<HealthStatus.Backend> health() {
        if (mlflow == null) {
            return Optional.empty();
        }
        return Optional.of(new HealthStatus.Backend("mlflow", mlflow.healthy(), !mlflow.healthy(), mlflow.healthy() ? "answering"
                : "a refresh failed; answers come from the cache"));
    }
}

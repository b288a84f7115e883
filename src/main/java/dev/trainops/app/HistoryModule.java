package dev.trainops.app;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.app.sandbox.SandboxRunEvidence;
import dev.trainops.app.sandbox.SandboxRunHistory;
import dev.trainops.forecast.ForecastService;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.history.OwnJobHistory;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.recommend.CostRecommender;
import dev.trainops.recommend.RunEvidenceSource;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;

/**
 * Run history and run evidence: MLflow when MLFLOW_TRACKING_URI is set (it wins in the sandbox
 * too), else the sandbox's run store, else trainops's own finished jobs from its store
 * (docs/money.md, "History without MLflow"): the forecast, comparison and recommendation tools are
 * always there, and their answers name the history they used.
 */
final class HistoryModule {
    /** Null without MLflow. */
    final MlflowReader mlflow;
    final Supplier<RunHistorySource> runs;
    final Supplier<RunEvidenceSource> evidence;
    /** False when the history is trainops's own jobs: no run logs metrics for the training poller or utilisation reports to read. */
    final boolean metrics;

    /** A run as completions offer it: its name, the model it trained (null when it logged none) and its team (rule 6; null: none). */
    record KnownRun(String runName, String model, String team) {
    }

    /** How many of the newest runs completions offer names and models from. */
    static final int KNOWN_RUNS = 500;

    /** The newest runs, newest first; empty when the history is trainops's own jobs (completions read those from the queue). */
    final Supplier<List<KnownRun>> known;

    private HistoryModule(MlflowReader mlflow, Supplier<RunHistorySource> runs, Supplier<RunEvidenceSource> evidence, boolean metrics,
                          Supplier<List<KnownRun>> known) {
        this.mlflow = mlflow;
        this.runs = runs;
        this.evidence = evidence;
        this.metrics = metrics;
        this.known = known;
    }

    static HistoryModule create(TrainopsConfig config, ClusterModule cluster, CostModule cost) {
        Optional<MlflowClient.Config> mlflowConfig = config.mlflow();
        Clock clock = cluster.clock;
        if (mlflowConfig.isPresent()) {
            MlflowReader reader = new MlflowReader(new MlflowClient(mlflowConfig.get()), clock, Duration.ofMinutes(1), Ticker.systemTicker(),
                    ForkJoinPool.commonPool());
            RunHistorySource history = ForecastService.mlflowHistory(reader, config.experimentTeams());
            RunEvidenceSource evidence = CostRecommender.mlflowEvidence(reader, config.experimentTeams());
            dev.trainops.access.ExperimentTeams owners = config.experimentTeams();
            return new HistoryModule(reader, () -> history, () -> evidence, true, () -> {
                java.util.Map<String, String> experiments = experimentNames(reader, owners);
                return reader.search("", KNOWN_RUNS).value().stream().map(r -> new KnownRun(r.runName(), r.params().get("model"),
                        owners.ownerOf(r.tags(), r.params(), experiments.get(r.experimentId()), r.experimentId()))).toList();
            });
        }
        SandboxCluster sandbox = cluster.sandbox;
        if (sandbox != null) {
            RunHistorySource history = new SandboxRunHistory(sandbox::runs, config.experimentTeams());
            RunEvidenceSource evidence = new SandboxRunEvidence(sandbox::runs, config.experimentTeams());
            return new HistoryModule(null, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                return history;
            }, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                return evidence;
            }, true, () -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                List<KnownRun> out = new java.util.ArrayList<>(sandbox.runs().runs().stream()
                        .map(r -> new KnownRun(r.runName(), r.params().get("model"),
                                config.experimentTeams().ownerOf(r.tags(), r.params(), r.experiment()))).toList());
                java.util.Collections.reverse(out);
                return out.stream().limit(KNOWN_RUNS).toList();
            });
        }
        // the store opens in the background: each call reads it through the cost module, waiting (bounded) while it opens
        return new HistoryModule(null, () -> new OwnJobHistory(cost.await().queueStore(), clock),
                () -> new OwnJobHistory(cost.await().queueStore(), clock), false, List::of);
    }

    /** Experiment names by id when teams.yaml maps any (rule 6); empty when it maps none or MLflow cannot say. */
    private static java.util.Map<String, String> experimentNames(MlflowReader reader, dev.trainops.access.ExperimentTeams owners) {
        try {
            return owners.experiments().isEmpty() ? java.util.Map.of() : reader.experimentNames().value();
        } catch (RuntimeException e) {
            return java.util.Map.of(); // the ids in teams.yaml still map
        }
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

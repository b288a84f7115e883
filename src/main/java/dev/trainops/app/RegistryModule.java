package dev.trainops.app;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.app.sandbox.RunStore;
import dev.trainops.app.sandbox.SandboxCluster;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.names.RunId;
import dev.trainops.registry.ModelRegistry;
import dev.trainops.registry.ModelRun;
import dev.trainops.registry.ModelService;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The model registry (issue 18): MLflow's when MLFLOW_TRACKING_URI is set (it wins in the sandbox
 * too), else the sandbox's embedded registry in {@code <data-dir>/sandbox/models.json} beside its
 * run store; with neither there is no registry and the registry tools are not listed.
 */
final class RegistryModule {
    private RegistryModule() {
    }

    /** The service behind the registry tools, made once on first use; empty when there is no registry. */
    static Optional<Supplier<ModelService>> create(TrainopsConfig config, ClusterModule cluster, HistoryModule history, CostModule cost) {
        Optional<MlflowClient.Config> mlflow = config.mlflow();
        ModelRun.Source runs;
        Supplier<ModelRegistry> registry;
        if (mlflow.isPresent() && history.mlflow != null) {
            MlflowRegistry client = new MlflowRegistry(mlflow.get());
            registry = () -> ModelRegistry.mlflow(client);
            runs = mlflowRuns(history.mlflow, config.experimentTeams());
        } else if (cluster.sandbox != null) {
            SandboxCluster sandbox = cluster.sandbox;
            registry = () -> ModelRegistry.embedded(config.dataDir().resolve("sandbox").resolve("models.json"), cluster.clock);
            runs = sandboxRuns(() -> {
                Trainops.await(sandbox.seeded(), "the sandbox run history");
                return sandbox.runs();
            }, config.experimentTeams());
        } else {
            return Optional.empty();
        }
        Supplier<ModelService> service = memoize(() -> new ModelService(registry.get(), runs, () -> cost.await().queueStore(),
                () -> cost.await().ledger(), config.prices().currency(), cluster.clock));
        return Optional.of(service);
    }

    /** Runs in MLflow: by id, else the newest run of the name; owned per rule 6. */
    static ModelRun.Source mlflowRuns(MlflowReader reader, ExperimentTeams owners) {
        return nameOrId -> {
            MlflowRun found = null;
            if (RunId.isValid(nameOrId)) {
                try {
                    found = reader.run(nameOrId).value();
                } catch (ToolException e) {
                    if (e.code() != ErrorCode.NOT_FOUND) {
                        throw e;
                    }
                }
            }
            if (found == null) {
                found = reader.search("attributes.run_name = '" + nameOrId + "'", 50).value().stream()
                        .max(Comparator.comparing(r -> r.startTime() == null ? Instant.EPOCH : r.startTime())).orElse(null);
            }
            if (found == null) {
                return Optional.empty();
            }
            MlflowRun r = found;
            List<MlflowRun.MetricPoint> accuracy = reader.history(r.runId(), "val_accuracy").value();
            if (accuracy.isEmpty()) {
                accuracy = reader.history(r.runId(), "accuracy").value();
            }
            Map<String, Double> metrics = new HashMap<>();
            r.metrics().forEach(p -> metrics.put(p.key(), p.value()));
            String team = owners.ownerOf(r.tags(), r.params());
            if (team == null && !owners.experiments().isEmpty()) {
                String experiment = reader.experimentNames().value().get(r.experimentId());
                team = experiment == null ? owners.ownerOf(r.tags(), r.params(), r.experimentId())
                        : owners.ownerOf(r.tags(), r.params(), experiment, r.experimentId());
            }
            return Optional.of(new ModelRun(r.runId(), r.runName(), r.experimentId(), r.status(), r.startTime(), r.endTime(), team, r.params(),
                    r.tags(), metrics, accuracy));
        };
    }

    /** Runs in the sandbox's run store: by id, else the newest run of the name. */
    static ModelRun.Source sandboxRuns(Supplier<RunStore> store, ExperimentTeams owners) {
        return nameOrId -> {
            RunStore runs = store.get();
            Optional<RunStore.Run> found = runs.find(nameOrId).or(() -> runs.runs().stream().filter(r -> r.runName().equals(nameOrId))
                    .max(Comparator.comparingLong(RunStore.Run::startTime)));
            return found.map(r -> {
                Map<String, RunStore.Metric> latest = new HashMap<>();
                List<MlflowRun.MetricPoint> accuracy = new ArrayList<>();
                for (RunStore.Metric m : r.metrics()) {
                    latest.merge(m.key(), m, (a, b) -> b.step() > a.step() || (b.step() == a.step() && b.timestamp() >= a.timestamp()) ? b : a);
                    if (m.key().equals("val_accuracy")) {
                        accuracy.add(new MlflowRun.MetricPoint(m.key(), m.value(), Instant.ofEpochMilli(m.timestamp()), m.step()));
                    }
                }
                Map<String, Double> metrics = new HashMap<>();
                latest.forEach((k, m) -> metrics.put(k, m.value()));
                return new ModelRun(r.runId(), r.runName(), r.experiment(), r.status(), Instant.ofEpochMilli(r.startTime()),
                        r.endTime() == null ? null : Instant.ofEpochMilli(r.endTime()), owners.ownerOf(r.tags(), r.params(), r.experiment()),
                        r.params(), r.tags(), metrics, accuracy);
            });
        };
    }

    private static <T> Supplier<T> memoize(Supplier<T> make) {
        return new Supplier<>() {
            private volatile T value;

            @Override
            public synchronized T get() {
                if (value == null) {
                    value = make.get();
                }
                return value;
            }
        };
    }
}

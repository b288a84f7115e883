package dev.trainops.app.sandbox;

import dev.trainops.catalog.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.type.TypeReference;

/**
 * The sandbox's embedded run store, shaped like MLflow's: runs with params, a status, start and
 * end times, and metric histories (epoch-level metrics at step = epoch with the epoch's end
 * timestamp, as docs/tools.md's MLflow conventions say). Kept in {@code <data-dir>/sandbox/runs.json}.
 */
public final class RunStore {

    public record Metric(String key, double value, long timestamp, long step) {
    }

    public record Run(String runId, String runName, String experiment, String status, long startTime, Long endTime,
                      Map<String, String> params, Map<String, String> tags, List<Metric> metrics) {
        public Run {
            params = Map.copyOf(params);
            tags = Map.copyOf(tags);
            metrics = List.copyOf(metrics);
        }
    }

    private final Path file;
    private final Map<String, Run> runs = new LinkedHashMap<>();

    private RunStore(Path file) {
        this.file = file;
    }

    /** Opens the store in {@code dir}, seeding it from the history on first use. */
    public static synchronized RunStore open(Path dir, RunHistory history, Instant now) throws IOException {
        Files.createDirectories(dir);
        RunStore store = new RunStore(dir.resolve("runs.json"));
        if (Files.exists(store.file)) {
            List<Run> saved = Json.MAPPER.readValue(store.file.toFile(), new TypeReference<List<Run>>() {
            });
            saved.forEach(r -> store.runs.put(r.runId(), r));
        } else {
            for (RunHistory.PastRun past : history.runs()) {
                store.seed(past, now);
            }
            store.save();
        }
        return store;
    }

    private void seed(RunHistory.PastRun past, Instant now) {
        double total = past.epochs().stream().mapToDouble(RunHistory.Epoch::durationS).sum();
        Instant end = now.minus(Duration.ofSeconds((long) (past.endedHoursAgo() * 3600)));
        Instant start = end.minusMillis((long) (total * 1000));
        List<Metric> metrics = new ArrayList<>();
        Instant t = start;
        for (RunHistory.Epoch e : past.epochs()) {
            t = t.plusMillis((long) (e.durationS() * 1000));
            metrics.addAll(epochMetrics(e, t.toEpochMilli()));
        }
        Map<String, String> params = Map.of("model", past.model(), "epochs", Integer.toString(past.epochsPlanned()),
                "batch_size", Integer.toString(past.batchSize()), "learning_rate", Double.toString(past.learningRate()),
                "gpu_type", past.gpuType(), "gpu_count", Integer.toString(past.gpuCount()), "team", past.team());
        String id = id(past.runName());
        runs.put(id, new Run(id, past.runName(), past.experiment(), "FINISHED", start.toEpochMilli(), end.toEpochMilli(),
                params, Map.of("team", past.team(), "source", "sandbox-history"), metrics));
    }

    static List<Metric> epochMetrics(RunHistory.Epoch e, long timestamp) {
        List<Metric> m = new ArrayList<>();
        m.add(new Metric("train_loss", e.trainLoss(), timestamp, e.epoch()));
        m.add(new Metric("val_loss", e.valLoss(), timestamp, e.epoch()));
        if (e.valAccuracy() != null) {
            m.add(new Metric("val_accuracy", e.valAccuracy(), timestamp, e.epoch()));
        }
        if (e.valPerplexity() != null) {
            m.add(new Metric("val_perplexity", e.valPerplexity(), timestamp, e.epoch()));
        }
        m.add(new Metric("system/gpu_0_utilization_percentage", e.gpuUtilMean(), timestamp, e.epoch()));
        m.add(new Metric("system/gpu_0_memory_usage_megabytes", e.gpuMemUsedMb(), timestamp, e.epoch()));
        return m;
    }

    private static String id(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(java.nio.charset.StandardCharsets.UTF_8)).toString().replace("-", "");
    }

    /** Starts a run for a sandbox job, or returns the one already started for it. */
    public synchronized Run start(String runName, String experiment, long startTime, Map<String, String> params, Map<String, String> tags) {
        String id = id(experiment + "/" + runName + "/" + startTime);
        Run existing = runs.get(id);
        if (existing != null) {
            return existing;
        }
        Run run = new Run(id, runName, experiment, "RUNNING", startTime, null, params, tags, List.of());
        runs.put(id, run);
        save();
        return run;
    }

    /** The latest run of this name still RUNNING: the one a resumed attempt of an interrupted job continues. */
    public synchronized Optional<Run> running(String runName, String experiment) {
        return runs.values().stream().filter(r -> r.runName().equals(runName) && r.experiment().equals(experiment)
                && r.status().equals("RUNNING")).max(java.util.Comparator.comparingLong(Run::startTime));
    }

    /** How many epochs a run has logged (its checkpoints: a resumed attempt starts after the last). */
    static int epochsLogged(Run run) {
        return (int) run.metrics().stream().filter(m -> m.key().equals("val_loss")).map(Metric::step).distinct().count();
    }

    /** Logs the metrics of one epoch; logging an epoch twice is a no-op (restarts replay safely). */
    public synchronized void logEpoch(String runId, RunHistory.Epoch epoch, long timestamp) {
        Run run = runs.get(runId);
        if (run == null || run.metrics().stream().anyMatch(m -> m.step() == epoch.epoch() && m.key().equals("val_loss"))) {
            return;
        }
        List<Metric> metrics = new ArrayList<>(run.metrics());
        metrics.addAll(epochMetrics(epoch, timestamp));
        runs.put(runId, new Run(run.runId(), run.runName(), run.experiment(), run.status(), run.startTime(), run.endTime(),
                run.params(), run.tags(), metrics));
        save();
    }

    public synchronized void finish(String runId, String status, long endTime) {
        Run run = runs.get(runId);
        if (run == null || !run.status().equals("RUNNING")) {
            return;
        }
        runs.put(runId, new Run(run.runId(), run.runName(), run.experiment(), status, run.startTime(), endTime,
                run.params(), run.tags(), run.metrics()));
        save();
    }

    public synchronized List<Run> runs() {
        return runs.values().stream().sorted(Comparator.comparingLong(Run::startTime)).toList();
    }

    public synchronized Optional<Run> find(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    private void save() {
        try {
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Json.MAPPER.writeValue(tmp.toFile(), new ArrayList<>(runs.values()));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the sandbox run store at " + file, e);
        }
    }
}

package dev.trainops.mlflow;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Cached reads of MLflow for the tools: Caffeine with refresh-after-write, so once a value exists
 * a reader never waits on MLflow (a refresh runs in the background and a failed refresh keeps the
 * old value); every answer says how fresh it is. A value never loaded and not loadable is an
 * UPSTREAM_UNAVAILABLE error that names MLflow and what to check.
 */
public final class MlflowReader {

    /** A cached value, when it was fetched, and whether the last refresh failed. */
    public record Read<T>(T value, Instant asOf, boolean stale) {
    }

    /** Collects the reads behind one answer: the oldest {@code asOf} among them, and whether any was stale. */
    public static final class Freshness {
        private Instant asOf;
        private boolean stale;

        /** Notes a read and returns its value. */
        public <T> T note(Read<T> read) {
            if (asOf == null || read.asOf().isBefore(asOf)) {
                asOf = read.asOf();
            }
            stale |= read.stale();
            return read.value();
        }

        /** When the oldest read was fetched from MLflow; null before the first read. */
        public Instant asOf() {
            return asOf;
        }

        public boolean stale() {
            return stale;
        }
    }

    private record Timed<T>(T value, Instant fetchedAt) {
    }

    private final MlflowClient client;
    private final Clock clock;
    private final LoadingCache<String, Timed<MlflowRun>> runs;
    private final LoadingCache<List<String>, Timed<List<MlflowRun.MetricPoint>>> histories;
    private final LoadingCache<List<Object>, Timed<List<MlflowRun>>> searches;
    private final LoadingCache<String, Timed<Map<String, String>>> experimentNames;
    private final Map<Object, Instant> failedSince = new ConcurrentHashMap<>();
    private volatile boolean lastCallAnswered = true;

    private volatile java.util.function.Consumer<Boolean> onRead = hit -> {
    };

    public MlflowReader(MlflowClient client, Clock clock, Duration refreshAfter, Ticker ticker, Executor executor) {
        this.client = client;
        this.clock = clock;
        this.runs = Caffeine.newBuilder().maximumSize(10_000).refreshAfterWrite(refreshAfter).ticker(ticker).executor(executor)
                .build(id -> fetch(id, () -> client.getRun(id)));
        this.histories = Caffeine.newBuilder().maximumSize(50_000).refreshAfterWrite(refreshAfter).ticker(ticker).executor(executor)
                .build(key -> fetch(key, () -> client.metricHistory(key.get(0), key.get(1))));
        this.searches = Caffeine.newBuilder().maximumSize(1_000).refreshAfterWrite(refreshAfter).ticker(ticker).executor(executor)
                .build(key -> fetch(key, () -> {
                    List<String> experiments = List.copyOf(client.experiments().values());
                    return experiments.isEmpty() ? List.of() : client.searchRuns(experiments, (String) key.get(0), (Integer) key.get(1));
                }));
        this.experimentNames = Caffeine.newBuilder().maximumSize(1).refreshAfterWrite(refreshAfter).ticker(ticker).executor(executor)
                .build(key -> fetch(key, () -> {
                    Map<String, String> byId = new java.util.HashMap<>();
                    client.experiments().forEach((name, id) -> byId.put(id, name));
                    return Map.copyOf(byId);
                }));
    }

    /**
     * One call to MLflow. A "does not exist" (404, RESOURCE_DOES_NOT_EXIST) or a bad request (400)
     * is MLflow answering about the request: it says nothing about MLflow's health, so it neither
     * marks the key stale nor MLflow down. Anything else (unreachable, 5xx, 429, 401/403) does, and
     * MLflow is healthy again as soon as a later call gets an answer.
     */
    private <T> Timed<T> fetch(Object key, java.util.function.Supplier<T> call) {
        try {
            T value = call.get();
            failedSince.remove(key);
            lastCallAnswered = true;
            return new Timed<>(value, clock.instant());
        } catch (MlflowException e) {
            if (!e.aboutTheRequest()) {
                failedSince.putIfAbsent(key, clock.instant());
                lastCallAnswered = false;
            } else {
                failedSince.remove(key);
                lastCallAnswered = true;
            }
            throw e;
        }
    }

    /** Told of every read: true when a value was cached (a hit), false when MLflow had to be asked first. */
    public void onRead(java.util.function.Consumer<Boolean> observer) {
        this.onRead = observer;
    }

    /**
     * Whether the latest call to MLflow got an answer (a 404 for an unknown run is an answer). A key
     * whose refresh failed keeps answering from the cache marked stale; it does not keep MLflow
     * marked down once other calls succeed.
     */
    public boolean healthy() {
        return lastCallAnswered;
    }

    /** Experiment names by id, every active experiment (who owns a run, by config/teams.yaml). */
    public Read<Map<String, String>> experimentNames() {
        onRead.accept(experimentNames.asMap().containsKey("experiments"));
        return read(experimentNames::get, "experiments");
    }

    public Read<MlflowRun> run(String runId) {
        onRead.accept(runs.asMap().containsKey(runId));
        return read(runs::get, runId);
    }

    public Read<List<MlflowRun.MetricPoint>> history(String runId, String metricKey) {
        List<String> key = List.of(runId, metricKey);
        onRead.accept(histories.asMap().containsKey(key));
        return read(histories::get, key);
    }

    /**
     * Runs matching a runs/search filter in every active experiment, at most {@code limit}; an
     * empty answer is cached too, so a name that is not a run name costs MLflow one call a minute.
     */
    public Read<List<MlflowRun>> search(String filter, int limit) {
        List<Object> key = List.of(filter, limit);
        onRead.accept(searches.asMap().containsKey(key));
        return read(searches::get, key);
    }

    private <K, T> Read<T> read(java.util.function.Function<K, Timed<T>> get, K key) {
        try {
            Timed<T> timed = get.apply(key);
            return new Read<>(timed.value(), timed.fetchedAt(), failedSince.containsKey(key));
        } catch (MlflowException | CompletionException e) {
            MlflowException cause = e instanceof MlflowException me ? me
                    : e.getCause() instanceof MlflowException me2 ? me2 : null;
            if (cause != null && cause.notFound()) {
                throw new ToolException(ErrorCode.NOT_FOUND, "MLflow has no " + key + ".",
                        "Check the run id or name (MLflow UI, or runs/search).");
            }
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "MLflow at " + client.where() + " did not answer and nothing is cached for " + key + ".",
                    "Check MLFLOW_TRACKING_URI and that the tracking server is up, then retry.", true,
                    Map.of("backend", "mlflow"));
        }
    }
}

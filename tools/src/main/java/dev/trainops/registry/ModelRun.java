package dev.trainops.registry;

import dev.trainops.catalog.Nullable;
import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A run as the registry tools read it, from MLflow or the sandbox's run store: what it logged
 * (params, tags, the latest value of each metric, the accuracy history for cost rule 8) and the
 * team that owns it (rule 6; null for a run of no team, which admins only see).
 */
public record ModelRun(String runId, String runName, String experimentId, String status, @Nullable Instant start, @Nullable Instant end,
                       @Nullable String team, Map<String, String> params, Map<String, String> tags, Map<String, Double> metrics,
                       List<MlflowRun.MetricPoint> accuracy) {
    public ModelRun {
        Objects.requireNonNull(runId, "a run must have a run id");
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        metrics = Map.copyOf(metrics);
        accuracy = List.copyOf(accuracy);
    }

    /** The accuracy the run ended with (its last {@code val_accuracy} or {@code accuracy}), null when it logged none. */
    public @Nullable Double finalAccuracy() {
        MlflowRun.MetricPoint last = null;
        for (MlflowRun.MetricPoint p : accuracy) {
            if (Double.isFinite(p.value()) && (last == null || p.step() >= last.step())) {
                last = p;
            }
        }
        if (last != null) {
            return last.value();
        }
        Double v = metrics.containsKey("val_accuracy") ? metrics.get("val_accuracy") : metrics.get("accuracy");
        return v == null || !Double.isFinite(v) ? null : v;
    }

    /** Where runs are found for registration and lineage. */
    public interface Source {
        /** The run with this id, else the newest run of this name; empty when there is none. */
        java.util.Optional<ModelRun> find(String runIdOrName);
    }
}

package dev.trainops.forecast;

import dev.trainops.catalog.Nullable;
import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run a forecast can rest on: its params, status, start, its epoch- and step-level metrics, and
 * its accuracy metric when it logged one ({@code val_accuracy} or {@code accuracy}, at step = epoch).
 * A trainops job read from its own store has no metrics but its {@link Totals}: how many epochs it
 * ran and for how long.
 */
public record HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                          List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                          List<MlflowRun.MetricPoint> accuracyMetric, @Nullable Totals totals) {
    public HistoricRun {
        params = Map.copyOf(params);
        epochMetric = List.copyOf(epochMetric);
        stepMetric = List.copyOf(stepMetric);
        accuracyMetric = List.copyOf(accuracyMetric);
    }

    /** A run with metrics (MLflow, the sandbox). */
    public HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                       List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                       List<MlflowRun.MetricPoint> accuracyMetric) {
        this(runId, runName, status, start, params, epochMetric, stepMetric, accuracyMetric, null);
    }

    /** A finished job's whole run: {@code epochs} epochs in {@code seconds}, start-up and warm-up included. */
    public record Totals(int epochs, long seconds) {
    }

    /** Has a duration to measure: epochs placed in time, or a finished job's totals. */
    public boolean measurable() {
        return start != null && (!epochMetric.isEmpty() || totals != null);
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }

    public String param(String key, String otherwise) {
        String v = params.get(key);
        return v == null || v.isBlank() ? otherwise : v;
    }
}

package dev.trainops.forecast;

import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run a forecast can rest on: its params, status, start, its epoch- and step-level metrics, and
 * its accuracy metric when it logged one ({@code val_accuracy} or {@code accuracy}, at step = epoch).
 */
public record HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                          List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                          List<MlflowRun.MetricPoint> accuracyMetric) {
    public HistoricRun {
        params = Map.copyOf(params);
        epochMetric = List.copyOf(epochMetric);
        stepMetric = List.copyOf(stepMetric);
        accuracyMetric = List.copyOf(accuracyMetric);
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }

    public String param(String key, String otherwise) {
        String v = params.get(key);
        return v == null || v.isBlank() ? otherwise : v;
    }
}

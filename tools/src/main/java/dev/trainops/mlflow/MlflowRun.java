package dev.trainops.mlflow;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A run as MLflow's REST API returns it ({@code info} and {@code data}), with int64s and the
 * "NaN"/"Infinity" strings already parsed. {@code metrics} holds the latest value of each key.
 */
public record MlflowRun(
        String runId,
        String runName,
        String experimentId,
        String status,
        Instant startTime,
        Instant endTime,
        Map<String, String> params,
        Map<String, String> tags,
        List<MetricPoint> metrics) {

    public MlflowRun {
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        metrics = List.copyOf(metrics);
    }

    /** One logged value: {@code step} is the epoch for epoch-level metrics, the optimizer step otherwise. */
    public record MetricPoint(String key, double value, Instant timestamp, long step) {
    }
}

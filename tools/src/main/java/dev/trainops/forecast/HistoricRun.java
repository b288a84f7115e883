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
 * ran and for how long. {@code team} owns it (rule 6: its {@code team} tag or param, else its
 * experiment's team in config/teams.yaml); null for a run of no team, which admins only see.
 */
public record HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                          List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                          List<MlflowRun.MetricPoint> accuracyMetric, @Nullable Totals totals, @Nullable String team) {
    public HistoricRun {
        params = Map.copyOf(params);
        epochMetric = List.copyOf(epochMetric);
        stepMetric = List.copyOf(stepMetric);
        accuracyMetric = List.copyOf(accuracyMetric);
    }

    /** A run with metrics (MLflow, the sandbox), owned by the team its {@code team} param names. */
    public HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                       List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                       List<MlflowRun.MetricPoint> accuracyMetric) {
        this(runId, runName, status, start, params, epochMetric, stepMetric, accuracyMetric, null);
    }

    /** A run owned by the team its {@code team} param names, if any. */
    public HistoricRun(String runId, String runName, String status, Instant start, Map<String, String> params,
                       List<MlflowRun.MetricPoint> epochMetric, List<MlflowRun.MetricPoint> stepMetric,
                       List<MlflowRun.MetricPoint> accuracyMetric, @Nullable Totals totals) {
        this(runId, runName, status, start, params, epochMetric, stepMetric, accuracyMetric, totals,
                dev.trainops.access.ExperimentTeams.NONE.ownerOf(Map.of(), params));
    }

    /** This run, owned by {@code owner}. */
    public HistoricRun ownedBy(@Nullable String owner) {
        return new HistoricRun(runId, runName, status, start, params, epochMetric, stepMetric, accuracyMetric, totals, owner);
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

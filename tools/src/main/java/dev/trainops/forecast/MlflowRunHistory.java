package dev.trainops.forecast;

import dev.trainops.catalog.ToolException;
import dev.trainops.mlflow.MlflowClient;
import dev.trainops.mlflow.MlflowException;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.mlflow.MlflowRun;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Run history from MLflow: a run id, else runs with that run name, else runs whose {@code model}
 * param has that name, in every experiment. Epoch boundaries come from {@code val_loss} (or
 * {@code train_loss}) at step = epoch; step-level timestamps from {@code loss}.
 */
public final class MlflowRunHistory implements RunHistorySource {
    private static final Pattern RUN_ID = Pattern.compile("^[0-9a-f]{32}$");
    private static final Pattern SAFE_NAME = Pattern.compile("^[A-Za-z0-9_.:/ -]{1,128}$");
    static final int MAX_RUNS = 20;

    private final MlflowClient client;
    private final MlflowReader reader;

    public MlflowRunHistory(MlflowClient client, MlflowReader reader) {
        this.client = client;
        this.reader = reader;
    }

    @Override
    public List<HistoricRun> find(String nameOrId) {
        if (!SAFE_NAME.matcher(nameOrId).matches()) {
            throw ToolException.invalidArgument("job_name", "Argument 'job_name' may hold letters, digits, spaces and _ . : / - only.",
                    "Use the run's name or id as MLflow shows it, or a model name.");
        }
        List<MlflowRun> runs = new ArrayList<>();
        if (RUN_ID.matcher(nameOrId).matches()) {
            try {
                runs.add(reader.run(nameOrId).value());
            } catch (ToolException notARunId) {
                // not a run id after all: try it as a name
            }
        }
        try {
            if (runs.isEmpty()) {
                List<String> experiments = new ArrayList<>(client.experiments().values());
                if (experiments.isEmpty()) {
                    return List.of();
                }
                runs.addAll(client.searchRuns(experiments, "attributes.run_name = '" + nameOrId + "'", MAX_RUNS));
                if (runs.isEmpty()) {
                    runs.addAll(client.searchRuns(experiments, "params.model = '" + nameOrId + "'", MAX_RUNS));
                }
            }
        } catch (MlflowException e) {
            throw new ToolException(dev.trainops.catalog.ErrorCode.UPSTREAM_UNAVAILABLE,
                    "MLflow at " + client.trackingUri() + " could not search runs: " + e.getMessage(),
                    "Check MLFLOW_TRACKING_URI and the tracking server, then retry.", true, Map.of("backend", "mlflow"));
        }
        List<HistoricRun> out = new ArrayList<>();
        for (MlflowRun r : runs) {
            List<MlflowRun.MetricPoint> epochs = reader.history(r.runId(), "val_loss").value();
            if (epochs.isEmpty()) {
                epochs = reader.history(r.runId(), "train_loss").value();
            }
            List<MlflowRun.MetricPoint> steps = reader.history(r.runId(), "loss").value();
            out.add(new HistoricRun(r.runId(), r.runName(), r.status(), r.startTime(), r.params(), epochs, steps));
        }
        return out;
    }

    @Override
    public String name() {
        return "mlflow";
    }
}

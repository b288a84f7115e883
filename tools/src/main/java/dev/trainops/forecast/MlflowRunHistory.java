package dev.trainops.forecast;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.names.RunId;
import dev.trainops.names.SafeName;
import java.util.ArrayList;
import java.util.List;

/**
 * Run history from MLflow: a run id, else runs with that run name, else runs whose {@code model}
 * param has that name, in every experiment. Epoch boundaries come from {@code val_loss} (or
 * {@code train_loss}) at step = epoch; step-level timestamps from {@code loss}; accuracy from
 * {@code val_accuracy} (or {@code accuracy}). Every read goes through the {@link MlflowReader}
 * cache, so with MLflow down a name asked before still answers, marked stale.
 */
final class MlflowRunHistory implements RunHistorySource {
    static final int MAX_RUNS = 20;

    private final MlflowReader reader;
    private final ExperimentTeams owners;

    MlflowRunHistory(MlflowReader reader, ExperimentTeams owners) {
        this.reader = reader;
        this.owners = owners;
    }

    @Override
    public Found find(String nameOrId) {
        // the name goes into an MLflow filter string below
        SafeName.parse("job_name", nameOrId, "Use the run's name or id as MLflow shows it, or a model name.");
        MlflowReader.Freshness freshness = new MlflowReader.Freshness();
        List<MlflowRun> runs = new ArrayList<>();
        if (RunId.isValid(nameOrId)) {
            try {
                runs.add(freshness.note(reader.run(nameOrId)));
            } catch (ToolException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
                // not a run id after all: try it as a name
            }
        }
        if (runs.isEmpty()) {
            runs.addAll(freshness.note(reader.search("attributes.run_name = '" + nameOrId + "'", MAX_RUNS)));
        }
        if (runs.isEmpty()) {
            runs.addAll(freshness.note(reader.search("params.model = '" + nameOrId + "'", MAX_RUNS)));
        }
        List<HistoricRun> out = new ArrayList<>();
        for (MlflowRun r : runs) {
            List<MlflowRun.MetricPoint> epochs = freshness.note(reader.history(r.runId(), "val_loss"));
            if (epochs.isEmpty()) {
                epochs = freshness.note(reader.history(r.runId(), "train_loss"));
            }
            List<MlflowRun.MetricPoint> steps = freshness.note(reader.history(r.runId(), "loss"));
            List<MlflowRun.MetricPoint> accuracy = freshness.note(reader.history(r.runId(), "val_accuracy"));
            if (accuracy.isEmpty()) {
                accuracy = freshness.note(reader.history(r.runId(), "accuracy"));
            }
            out.add(new HistoricRun(r.runId(), r.runName(), r.status(), r.startTime(), r.params(), epochs, steps, accuracy, null,
                    owner(r, freshness)));
        }
        return new Found(out, freshness.asOf(), freshness.stale());
    }

    /** Rule 6: the run's team tag or param, else its experiment's team in config/teams.yaml (by name, else id), else none. */
    private String owner(MlflowRun r, MlflowReader.Freshness freshness) {
        String named = owners.ownerOf(r.tags(), r.params());
        if (named != null || owners.experiments().isEmpty()) {
            return named;
        }
        return owners.ownerOf(r.tags(), r.params(), experimentName(reader, r.experimentId(), freshness), r.experimentId());
    }

    /** The experiment's name, or null when MLflow cannot say (the id still maps). */
    static String experimentName(MlflowReader reader, String experimentId, MlflowReader.Freshness freshness) {
        try {
            return freshness.note(reader.experimentNames()).get(experimentId);
        } catch (ToolException e) {
            return null;
        }
    }

    @Override
    public String name() {
        return "mlflow";
    }
}

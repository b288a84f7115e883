package dev.trainops.forecast;

import java.util.List;

/** Where forecasts find run history: MLflow, or the sandbox's embedded run store. */
public interface RunHistorySource {
    /**
     * The runs a name stands for: the run with this id, else runs with this run name, else the runs
     * whose {@code model} param is this name (past runs standing in for a job not yet started).
     */
    List<HistoricRun> find(String nameOrId);

    /** Short name shown in answers ("mlflow", "sandbox"). */
    String name();
}

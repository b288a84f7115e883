package dev.trainops.forecast;

import java.time.Instant;
import java.util.List;

/** Where forecasts find run history: MLflow, or the sandbox's embedded run store. */
public interface RunHistorySource {
    /**
     * The runs a name stands for: the run with this id, else runs with this run name, else the runs
     * whose {@code model} param is this name (past runs standing in for a job not yet started).
     */
    Found find(String nameOrId);

    /** Short name shown in answers ("mlflow", "sandbox"). */
    String name();

    /**
     * Runs found, and how fresh they are: {@code asOf} is when the oldest piece was read from the
     * source, {@code stale} says a refresh failed and an older copy is being served.
     */
    record Found(List<HistoricRun> runs, Instant asOf, boolean stale) {
        public Found {
            runs = List.copyOf(runs);
        }
    }
}

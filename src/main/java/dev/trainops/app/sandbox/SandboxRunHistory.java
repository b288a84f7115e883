package dev.trainops.app.sandbox;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.forecast.HistoricRun;
import dev.trainops.forecast.RunHistorySource;
import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** The sandbox's embedded run store as a forecast history source, with MLflow's conventions. */
public final class SandboxRunHistory implements RunHistorySource {
    private final Supplier<RunStore> store;
    private final ExperimentTeams owners;

    public SandboxRunHistory(Supplier<RunStore> store) {
        this(store, ExperimentTeams.NONE);
    }

    /** @param owners which team owns a run whose tags and params name none (rule 6) */
    public SandboxRunHistory(Supplier<RunStore> store, ExperimentTeams owners) {
        this.store = store;
        this.owners = owners;
    }

    @Override
    public Found find(String nameOrId) {
        RunStore runs = store.get();
        if (runs == null) {
            return new Found(List.of(), null, false);
        }
        List<RunStore.Run> all = runs.runs();
        List<RunStore.Run> hits = all.stream().filter(r -> r.runId().equals(nameOrId)).toList();
        if (hits.isEmpty()) {
            hits = all.stream().filter(r -> r.runName().equals(nameOrId)).toList();
        }
        if (hits.isEmpty()) {
            hits = all.stream().filter(r -> nameOrId.equals(r.params().get("model"))).toList();
        }
        List<HistoricRun> out = new ArrayList<>();
        for (RunStore.Run r : hits) {
            out.add(new HistoricRun(r.runId(), r.runName(), r.status(), Instant.ofEpochMilli(r.startTime()), r.params(),
                    metric(r, "val_loss"), List.of(), metric(r, "val_accuracy"), null, owners.ownerOf(r.tags(), r.params(), r.experiment())));
        }
        return new Found(out, null, false);
    }

    private static List<MlflowRun.MetricPoint> metric(RunStore.Run r, String key) {
        return r.metrics().stream().filter(m -> m.key().equals(key))
                .map(m -> new MlflowRun.MetricPoint(m.key(), m.value(), Instant.ofEpochMilli(m.timestamp()), m.step())).toList();
    }

    @Override
    public String name() {
        return "sandbox";
    }
}

package dev.trainops.app.sandbox;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.recommend.RunEvidence;
import dev.trainops.recommend.RunEvidenceSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** The sandbox's embedded run store as the recommender's run source, with MLflow's conventions. */
public final class SandboxRunEvidence implements RunEvidenceSource {
    private final Supplier<RunStore> store;
    private final ExperimentTeams owners;

    public SandboxRunEvidence(Supplier<RunStore> store) {
        this(store, ExperimentTeams.NONE);
    }

    /** @param owners which team owns a run whose tags and params name none (rule 6) */
    public SandboxRunEvidence(Supplier<RunStore> store, ExperimentTeams owners) {
        this.store = store;
        this.owners = owners;
    }

    @Override
    public Lookup lookup(String runIdOrName, int maxSiblings) {
        RunStore runs = store.get();
        if (runs == null) {
            return new Lookup(null, List.of(), null, false);
        }
        List<RunStore.Run> all = runs.runs();
        RunStore.Run run = all.stream().filter(r -> r.runId().equals(runIdOrName)).findFirst()
                .orElseGet(() -> all.stream().filter(r -> r.runName().equals(runIdOrName))
                        .max(Comparator.comparingLong(RunStore.Run::startTime)).orElse(null));
        if (run == null) {
            return new Lookup(null, List.of(), null, false);
        }
        String model = run.params().get("model");
        List<RunEvidence> siblings = model == null ? List.of() : all.stream()
                .filter(r -> !r.runId().equals(run.runId()) && r.experiment().equals(run.experiment()) && model.equals(r.params().get("model")))
                .sorted(Comparator.comparingLong(RunStore.Run::startTime).reversed()).limit(maxSiblings).map(this::evidence)
                .toList();
        return new Lookup(evidence(run), siblings, null, false);
    }

    private RunEvidence evidence(RunStore.Run r) {
        Map<String, List<MlflowRun.MetricPoint>> metrics = new LinkedHashMap<>();
        for (RunStore.Metric m : r.metrics()) {
            metrics.computeIfAbsent(m.key(), k -> new ArrayList<>())
                    .add(new MlflowRun.MetricPoint(m.key(), m.value(), Instant.ofEpochMilli(m.timestamp()), m.step()));
        }
        return new RunEvidence(r.runId(), r.runName(), r.experiment(), r.status(), Instant.ofEpochMilli(r.startTime()),
                r.endTime() == null ? null : Instant.ofEpochMilli(r.endTime()), r.params(), r.tags(), metrics,
                owners.ownerOf(r.tags(), r.params(), r.experiment()));
    }

    @Override
    public String name() {
        return "sandbox";
    }
}

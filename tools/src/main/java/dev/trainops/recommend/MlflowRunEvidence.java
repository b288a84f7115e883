package dev.trainops.recommend;

import dev.trainops.access.ExperimentTeams;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.mlflow.MlflowReader;
import dev.trainops.mlflow.MlflowRun;
import dev.trainops.names.RunId;
import dev.trainops.names.SafeName;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Runs from MLflow through the {@link MlflowReader} cache: runs/get for an id, runs/search on the
 * run name otherwise (most recent first), and on {@code params.model} for the siblings, kept to the
 * run's experiment. Only the metric keys a run has logged (its latest metrics say which) are
 * fetched with metrics/get-history, so a run without system metrics costs no extra calls.
 */
final class MlflowRunEvidence implements RunEvidenceSource {
    private static final int MAX_SEARCH = 50;

    private final MlflowReader reader;
    private final ExperimentTeams owners;

    MlflowRunEvidence(MlflowReader reader, ExperimentTeams owners) {
        this.reader = reader;
        this.owners = owners;
    }

    @Override
    public Lookup lookup(String runIdOrName, int maxSiblings) {
        MlflowReader.Freshness freshness = new MlflowReader.Freshness();
        MlflowRun run = null;
        if (RunId.isValid(runIdOrName)) {
            try {
                run = freshness.note(reader.run(runIdOrName));
            } catch (ToolException e) {
                if (e.code() != ErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        if (run == null && SafeName.isValid(runIdOrName)) {
            run = freshness.note(reader.search("attributes.run_name = '" + runIdOrName + "'", MAX_SEARCH)).stream()
                    .filter(r -> r.runName().equals(runIdOrName))
                    .max(Comparator.comparing(MlflowRun::startTime, Comparator.nullsFirst(Comparator.naturalOrder()))).orElse(null);
        }
        if (run == null) {
            return new Lookup(null, List.of(), freshness.asOf(), freshness.stale());
        }
        RunEvidence evidence = read(run, RunEvidence.KEYS, freshness);
        List<RunEvidence> siblings = new ArrayList<>();
        String model = run.params().get("model");
        if (SafeName.isValid(model)) {
            String self = run.runId();
            String experiment = run.experimentId();
            List<MlflowRun> same = freshness.note(reader.search("params.model = '" + model + "'", MAX_SEARCH)).stream()
                    .filter(r -> !r.runId().equals(self) && r.experimentId().equals(experiment) && r.startTime() != null)
                    .sorted(Comparator.comparing(MlflowRun::startTime).reversed()).limit(maxSiblings).toList();
            for (MlflowRun r : same) {
                siblings.add(read(r, RunEvidence.SIBLING_KEYS, freshness));
            }
        }
        return new Lookup(evidence, siblings, freshness.asOf(), freshness.stale());
    }

    private RunEvidence read(MlflowRun run, List<String> wanted, MlflowReader.Freshness freshness) {
        Set<String> logged = run.metrics().stream().map(MlflowRun.MetricPoint::key).collect(Collectors.toSet());
        Map<String, List<MlflowRun.MetricPoint>> metrics = new LinkedHashMap<>();
        for (String key : wanted) {
            if (logged.contains(key)) {
                metrics.put(key, freshness.note(reader.history(run.runId(), key)));
            }
        }
        return new RunEvidence(run.runId(), run.runName(), run.experimentId(), run.status(), run.startTime(), run.endTime(),
                run.params(), run.tags(), metrics, owner(run, freshness));
    }

    /** Rule 6: the run's team tag or param, else its experiment's team in config/teams.yaml (by name, else id), else none. */
    private String owner(MlflowRun run, MlflowReader.Freshness freshness) {
        String named = owners.ownerOf(run.tags(), run.params());
        if (named != null || owners.experiments().isEmpty()) {
            return named;
        }
        String name;
        try {
            name = freshness.note(reader.experimentNames()).get(run.experimentId());
        } catch (ToolException e) {
            name = null;
        }
        return owners.ownerOf(run.tags(), run.params(), name, run.experimentId());
    }

    @Override
    public String name() {
        return "mlflow";
    }
}

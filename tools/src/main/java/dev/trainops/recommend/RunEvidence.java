package dev.trainops.recommend;

import dev.trainops.catalog.Nullable;
import dev.trainops.mlflow.MlflowRun;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A run as the recommender reads it: MLflow's run info, params and tags, and the full history of
 * each metric it looks at ({@link #KEYS}), as the run logged them: epoch-level metrics at step =
 * epoch with the epoch's end timestamp, step-level {@code loss} at the global step, MLflow system
 * metrics ({@code system/gpu_N_utilization_percentage}, {@code system/gpu_N_memory_usage_megabytes})
 * at their sample index. {@code team} owns it (rule 6: its {@code team} tag or param, else its
 * experiment's team in config/teams.yaml); null for a run of no team, which admins only see.
 */
public record RunEvidence(String runId, String runName, String experimentId, String status, Instant start, @Nullable Instant end,
                          Map<String, String> params, Map<String, String> tags, Map<String, List<MlflowRun.MetricPoint>> metrics,
                          @Nullable String team) {

    /** Validation metrics, in the order the recommender prefers them, and whether lower is better. */
    static final List<Map.Entry<String, Boolean>> VALIDATION = List.of(Map.entry("val_loss", true), Map.entry("eval_loss", true),
            Map.entry("val_perplexity", true), Map.entry("val_accuracy", false), Map.entry("accuracy", false));
    /** GPUs per run whose system metrics are read. */
    static final int MAX_GPUS = 8;

    /** Every metric key the recommender reads for the run it advises on. */
    public static final List<String> KEYS = keys(true);
    /** The keys read for sibling runs: no step-level loss. */
    public static final List<String> SIBLING_KEYS = keys(false);

    public RunEvidence {
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        metrics = Map.copyOf(metrics);
    }

    /** A run owned by the team its {@code team} tag or param names, if any. */
    public RunEvidence(String runId, String runName, String experimentId, String status, Instant start, @Nullable Instant end,
                       Map<String, String> params, Map<String, String> tags, Map<String, List<MlflowRun.MetricPoint>> metrics) {
        this(runId, runName, experimentId, status, start, end, params, tags, metrics,
                dev.trainops.access.ExperimentTeams.NONE.ownerOf(tags, params));
    }

    private static List<String> keys(boolean steps) {
        List<String> keys = new ArrayList<>();
        VALIDATION.forEach(e -> keys.add(e.getKey()));
        keys.add("train_loss");
        if (steps) {
            keys.add("loss");
        }
        for (int i = 0; i < MAX_GPUS; i++) {
            keys.add(utilizationKey(i));
            keys.add(memoryKey(i));
        }
        return List.copyOf(keys);
    }

    static String utilizationKey(int gpu) {
        return "system/gpu_" + gpu + "_utilization_percentage";
    }

    static String memoryKey(int gpu) {
        return "system/gpu_" + gpu + "_memory_usage_megabytes";
    }

    public boolean running() {
        return "RUNNING".equals(status);
    }

    /** A param, or the first of several spellings a script may have used; null when none is set. */
    @Nullable
    String param(String... keys) {
        for (String k : keys) {
            String v = params.get(k);
            if (v != null && !v.isBlank()) {
                return v.trim();
            }
        }
        return null;
    }

    List<MlflowRun.MetricPoint> metric(String key) {
        return metrics.getOrDefault(key, List.of());
    }
}

package dev.trainops.registry;

import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.ModelVersion;
import dev.trainops.mlflow.RegisteredModel;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where registered models, their versions, tags and aliases live: MLflow's model registry when a
 * tracking URI is configured, else the sandbox's embedded registry beside its run store
 * (docs/tools.md, "Model registry"). Both keep MLflow's semantics: versions numbered "1", "2", ...
 * per model, an alias on at most one version, stages as aliases and never MLflow's deprecated
 * transition-stage. The values are MLflow's own records, whichever holds them.
 */
public interface ModelRegistry {
    /** Where the model's files are: {@code runs:/<run_id>/<path>}, or {@code models:/<model_id>} for an MLflow 3 logged model. */
    record Source(String uri, String modelId) {
    }

    /** Short name shown in answers ("mlflow", "sandbox"). */
    String name();

    Optional<RegisteredModel> model(String name);

    /** Every registered model. */
    List<RegisteredModel> models();

    /** Creates a registered model; one that already exists is returned as it is. */
    RegisteredModel create(String name, String description, Map<String, String> tags);

    void setModelTag(String name, String key, String value);

    /** Every version of a model (MLflow's search leaves a version's aliases empty: read them from the model). */
    List<ModelVersion> versions(String name);

    Optional<ModelVersion> version(String name, String version);

    /** The next version of an existing model. */
    ModelVersion createVersion(MlflowRegistry.NewVersion version);

    void setVersionTag(String name, String version, String key, String value);

    /** Points the alias at the version, taking it from any other. */
    void setAlias(String name, String alias, String version);

    /** Removes the alias; one that is not set is not an error. */
    void deleteAlias(String name, String alias);

    /** Where a run's model is: its MLflow 3 logged model when the server has one for it, else {@code runs:/<run_id>/<artifactPath>}. */
    Source sourceOf(ModelRun run);

    /** MLflow's registry (the tracking server of MLFLOW_TRACKING_URI). */
    static ModelRegistry mlflow(MlflowRegistry registry) {
        return new MlflowModelRegistry(registry);
    }

    /** The embedded registry, kept in {@code file} (the sandbox: {@code <data-dir>/sandbox/models.json}); survives restarts. */
    static ModelRegistry embedded(Path file, Clock clock) {
        return EmbeddedModelRegistry.open(file, clock);
    }
}

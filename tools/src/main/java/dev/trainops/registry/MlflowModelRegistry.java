package dev.trainops.registry;

import dev.trainops.catalog.Json;
import dev.trainops.mlflow.LoggedModel;
import dev.trainops.mlflow.MlflowRegistry;
import dev.trainops.mlflow.ModelVersion;
import dev.trainops.mlflow.RegisteredModel;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import tools.jackson.databind.JsonNode;

/** {@link ModelRegistry} over MLflow's model registry; aliases only, transition-stage never. */
final class MlflowModelRegistry implements ModelRegistry {
    /** The artifact path {@code mlflow.<flavor>.log_model} uses when a script names none. */
    static final String DEFAULT_ARTIFACT_PATH = "model";

    private final MlflowRegistry mlflow;

    MlflowModelRegistry(MlflowRegistry mlflow) {
        this.mlflow = mlflow;
    }

    @Override
    public String name() {
        return "mlflow";
    }

    @Override
    public Optional<RegisteredModel> model(String name) {
        return mlflow.registeredModel(name);
    }

    @Override
    public List<RegisteredModel> models() {
        return mlflow.searchRegisteredModels(null);
    }

    @Override
    public RegisteredModel create(String name, String description, Map<String, String> tags) {
        return mlflow.createRegisteredModel(name, description, tags).model();
    }

    @Override
    public void setModelTag(String name, String key, String value) {
        mlflow.setRegisteredModelTag(name, key, value);
    }

    @Override
    public List<ModelVersion> versions(String name) {
        return mlflow.searchModelVersions(name, null);
    }

    @Override
    public Optional<ModelVersion> version(String name, String version) {
        return mlflow.modelVersion(name, version);
    }

    @Override
    public ModelVersion createVersion(MlflowRegistry.NewVersion version) {
        return mlflow.createModelVersion(version);
    }

    @Override
    public void setVersionTag(String name, String version, String key, String value) {
        mlflow.setModelVersionTag(name, version, key, value);
    }

    @Override
    public void setAlias(String name, String alias, String version) {
        mlflow.setAlias(name, alias, version);
    }

    @Override
    public void deleteAlias(String name, String alias) {
        mlflow.deleteAlias(name, alias);
    }

    /**
     * MLflow 3: the run's newest logged model ({@code models:/<model_id>}); MLflow 2.x (404 on
     * logged-models), or a run that logged none: {@code runs:/<run_id>/<path>}, the path the run's
     * {@code mlflow.log-model.history} tag names last, else {@code model}.
     */
    @Override
    public Source sourceOf(ModelRun run) {
        if (run.experimentId() != null) {
            Optional<List<LoggedModel>> logged = mlflow.loggedModelsOfRun(run.experimentId(), run.runId());
            if (logged.isPresent() && !logged.get().isEmpty()) {
                LoggedModel newest = logged.get().stream().max(Comparator.comparing(m -> m.creationTime() == null ? java.time.Instant.EPOCH
                        : m.creationTime())).orElseThrow();
                return new Source(newest.modelUri(), newest.modelId());
            }
        }
        return new Source("runs:/" + run.runId() + "/" + artifactPath(run.tags()), null);
    }

    /** The artifact path of the run's last logged model, from the history MLflow 2.x keeps in a tag; {@code model} when unknown. */
    static String artifactPath(Map<String, String> tags) {
        String history = tags.get("mlflow.log-model.history");
        if (history == null || history.isBlank()) {
            return DEFAULT_ARTIFACT_PATH;
        }
        try {
            JsonNode entries = Json.MAPPER.readTree(history);
            String path = null;
            for (JsonNode e : entries) {
                String p = e.path("artifact_path").asString("");
                if (!p.isBlank()) {
                    path = p;
                }
            }
            return path == null ? DEFAULT_ARTIFACT_PATH : path;
        } catch (RuntimeException e) {
            return DEFAULT_ARTIFACT_PATH;
        }
    }
}

package dev.trainops.mlflow;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model version as MLflow's registry returns it ({@code model_version}). The version is a string,
 * as MLflow writes it. {@code modelId} is MLflow 3's logged model the version was registered from,
 * null on 2.x. {@code aliases} is filled by get and get-by-alias; MLflow's model-versions/search
 * leaves it empty (mlflow/store/model_registry/sqlalchemy_store.py), so read aliases from the
 * registered model.
 */
public record ModelVersion(
        String name,
        String version,
        String source,
        String runId,
        String modelId,
        String status,
        String description,
        String userId,
        Instant creationTime,
        Instant lastUpdatedTime,
        Map<String, String> tags,
        List<String> aliases) {

    public ModelVersion {
        Objects.requireNonNull(name, "a model version must have the name of its registered model");
        Objects.requireNonNull(version, "a model version must have a version");
        tags = Map.copyOf(tags);
        aliases = List.copyOf(aliases);
    }
}

package dev.trainops.mlflow;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * An MLflow 3 logged model ({@code models[].info} of logged-models/search): what a run's
 * {@code log_model} made. A version registered from it has {@code source = "models:/<modelId>"}.
 */
public record LoggedModel(
        String modelId,
        String name,
        String experimentId,
        String sourceRunId,
        String artifactUri,
        String status,
        Instant creationTime,
        Map<String, String> tags) {

    public LoggedModel {
        Objects.requireNonNull(modelId, "a logged model must have a model_id");
        tags = Map.copyOf(tags);
    }

    /** The URI to register this model from. */
    public String modelUri() {
        return "models:/" + modelId;
    }
}

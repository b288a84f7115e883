package dev.trainops.mlflow;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A registered model as MLflow's registry returns it ({@code registered_model}): its tags, its
 * aliases (alias -> version, from {@code aliases [{alias, version}]}) and the latest version of each
 * stage MLflow still reports ({@code latest_versions}, read-only: trainops keeps stages in aliases).
 */
public record RegisteredModel(
        String name,
        String description,
        Instant creationTime,
        Instant lastUpdatedTime,
        Map<String, String> tags,
        Map<String, String> aliases,
        List<ModelVersion> latestVersions) {

    public RegisteredModel {
        Objects.requireNonNull(name, "a registered model must have a name");
        tags = Map.copyOf(tags);
        aliases = Map.copyOf(aliases);
        latestVersions = List.copyOf(latestVersions);
    }
}

package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of register_model. */
public record RegisterModelRequest(
        @JsonPropertyDescription("The run whose model to register: an MLflow run id, or a run name (its newest run). It must be a run of one of your teams.") String runId,
        @JsonPropertyDescription("The registered model's name, e.g. llm-tiny; created when new. Registering the same run under the same name again returns the same version.") String name,
        @Nullable @JsonPropertyDescription("A description for the new version.") String description) {
}

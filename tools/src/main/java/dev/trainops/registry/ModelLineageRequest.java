package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of get_model_lineage. */
public record ModelLineageRequest(
        @JsonPropertyDescription("The registered model's name.") String name,
        @Nullable @JsonPropertyDescription("The version, e.g. \"3\". Give this or alias; with neither, the latest version.") String version,
        @Nullable @JsonPropertyDescription("An alias instead of a version: dev, staging, production or any other alias the model has.") String alias) {
}

package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of promote_model. */
public record PromoteModelRequest(
        @JsonPropertyDescription("The registered model's name.") String name,
        @JsonPropertyDescription("The version to promote, a string as MLflow writes it, e.g. \"3\".") String version,
        @JsonPropertyDescription("dev, staging or production: the alias the version gets. One stage forward at a time for members; skipping a stage or moving back is an admin's.") String stage,
        @JsonPropertyDescription("Why, for the record (kept in the audit log and on the version).") String reason,
        @Nullable @JsonPropertyDescription("true: promote even though the version's accuracy is below that of the version holding the stage now. Default false.") Boolean force) {
}

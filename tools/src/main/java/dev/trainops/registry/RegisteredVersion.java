package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.util.Map;

/** The answer of register_model. */
public record RegisteredVersion(
        String name,
        String version,
        String source,
        String runId,
        @Nullable String modelId,
        @JsonPropertyDescription("false when this run was already registered under this name: the version is the one made then.") boolean created,
        @JsonPropertyDescription("The tags trainops set on the version (trainops.job, trainops.gpu_type, trainops.gpu_hours, trainops.cost, trainops.accuracy, ...).") Map<String, String> tags,
        ModelLineage lineage) {
    public RegisteredVersion {
        tags = Map.copyOf(tags);
    }
}

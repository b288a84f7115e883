package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of list_models. */
public record ListModelsRequest(
        @Nullable @JsonPropertyDescription("Only models whose name contains this text (case-insensitive).") String nameFilter,
        @Nullable @JsonPropertyDescription("Only this team's models, e.g. team-a.") String team) {
}

package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The answer of list_models. */
public record ModelList(
        @JsonPropertyDescription("Where the registry is: mlflow, or sandbox (the embedded one).") String registry,
        List<Model> models) {
    public ModelList {
        models = List.copyOf(models);
    }

    public record Model(String name, @Nullable @JsonPropertyDescription("The owning team (trainops.team tag); null for a model of no team, which admins only see.") String team,
                        @Nullable String description,
                        @JsonPropertyDescription("Stage aliases (dev, staging, production) and any other: alias -> version.") Map<String, String> aliases,
                        @Nullable @JsonPropertyDescription("The highest version number.") String latestVersion,
                        @Nullable Instant lastUpdated) {
        public Model {
            aliases = Map.copyOf(aliases);
        }
    }
}

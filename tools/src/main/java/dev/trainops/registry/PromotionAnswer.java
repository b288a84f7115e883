package dev.trainops.registry;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.util.List;
import java.util.Map;

/** The answer of promote_model. */
public record PromotionAnswer(
        String name,
        String version,
        String stage,
        @Nullable String team,
        @Nullable @JsonPropertyDescription("The version that held the stage before; null when the stage was empty or already this version's.") String previousHolder,
        @Nullable @JsonPropertyDescription("The stage this version held before; null when it held none.") String previousStage,
        @JsonPropertyDescription("The version's former stage aliases removed by the move.") List<String> released,
        @JsonPropertyDescription("FORWARD, SKIP or BACKWARD; NONE when the version already held the stage (nothing changed).") String kind,
        @JsonPropertyDescription("Whether anything changed.") boolean changed,
        @JsonPropertyDescription("true when force overrode the accuracy guard.") boolean forced,
        String reason,
        @JsonPropertyDescription("The model's aliases after the move: alias -> version.") Map<String, String> aliases) {
    public PromotionAnswer {
        released = List.copyOf(released);
        aliases = Map.copyOf(aliases);
    }
}

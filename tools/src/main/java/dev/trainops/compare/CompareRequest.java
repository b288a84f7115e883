package dev.trainops.compare;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;
import java.util.List;

/** Arguments of compare_training_configs. */
public record CompareRequest(
        @Bounds(min = 1, max = 12)
        @JsonPropertyDescription("The training configurations to compare, 1 to 12.")
        List<Config> configs) {

    public CompareRequest {
        configs = configs == null ? null : List.copyOf(configs);
    }

    /** One configuration; what it leaves out comes from the model's most recent run. */
    public record Config(
            @JsonPropertyDescription("The model, as its runs log it in params.model (e.g. llm, mnist).") String model,
            @Bounds(min = 1, max = 10000) @JsonPropertyDescription("Epochs to train.") int epochs,
            @Nullable @Bounds(min = 1, max = 1048576) @JsonPropertyDescription("Batch size; default: the reference run's.") Integer batchSize,
            @Nullable @JsonPropertyDescription("GPU type, e.g. H100, A100-80GB, L4; default: the reference run's.") String gpuType,
            @Nullable @Bounds(min = 1, max = 64) @JsonPropertyDescription("GPUs; default: the reference run's.") Integer gpuCount,
            @Nullable @JsonPropertyDescription("Run on spot capacity (cheaper, may be interrupted; needs checkpoints). Default false.") Boolean spot,
            @Nullable @JsonPropertyDescription("When to start: 'now' (default), 'off_peak' (the next off-peak window), or an ISO-8601 "
                    + "instant such as 2026-12-01T22:00:00Z.") String schedule,
            @Nullable @JsonPropertyDescription("A name for this configuration in the answer; default 'config N'.") String label) {
    }
}

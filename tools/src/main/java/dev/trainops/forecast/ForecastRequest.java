package dev.trainops.forecast;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;

/** Arguments of forecast_training_cost. */
public record ForecastRequest(
        @JsonPropertyDescription("A running job's run name or id, an MLflow run name or id, or a model name with past runs (e.g. llm).")
        String jobName,
        @Bounds(min = 0, max = 100000)
        @JsonPropertyDescription("How many more epochs to forecast; 0 gives $0.")
        int remainingEpochs) {
}

package dev.trainops.queue;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Arguments of check_training_quota. */
public record QuotaRequest(@JsonPropertyDescription("The team (namespace), e.g. team-a.") String team) {
}

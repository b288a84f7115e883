package dev.trainops.monitor;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of get_training_health_status. */
record HealthRequest(
        @Nullable @JsonPropertyDescription("Only this team's alerts, failing jobs and anomalies (e.g. team-a); default: every team.") String team) {
}

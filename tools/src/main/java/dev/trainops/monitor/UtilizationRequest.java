package dev.trainops.monitor;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of get_resource_utilization_report. */
record UtilizationRequest(
        @Nullable @JsonPropertyDescription("First day, YYYY-MM-DD (UTC, inclusive). Default: 7 days before end_date.") String startDate,
        @Nullable @JsonPropertyDescription("Day after the last, YYYY-MM-DD (UTC, exclusive). Default: tomorrow, so today is included.") String endDate,
        @Nullable @JsonPropertyDescription("Only this team (e.g. team-a); default every team.") String team) {
}

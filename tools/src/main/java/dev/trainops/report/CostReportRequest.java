package dev.trainops.report;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;

/** Arguments of generate_cost_report. */
public record CostReportRequest(
        @JsonPropertyDescription("First day, YYYY-MM-DD (UTC), included.") String startDate,
        @JsonPropertyDescription("Day after the last, YYYY-MM-DD (UTC), excluded: the range is half-open.") String endDate,
        @Nullable @JsonPropertyDescription("team (default), experiment, job, day or rate_class.") GroupBy groupBy,
        @Nullable @JsonPropertyDescription("Only this team (namespace).") String team) {

    /** How report lines are grouped. */
    public enum GroupBy { team, experiment, job, day, rate_class }
}

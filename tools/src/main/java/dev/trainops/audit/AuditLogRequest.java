package dev.trainops.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Bounds;
import dev.trainops.catalog.Nullable;

/** Arguments of get_audit_log; all optional filters. */
public record AuditLogRequest(
        @Nullable
        @JsonPropertyDescription("Only entries at or after this time: YYYY-MM-DD (that day's start, UTC) or an ISO date-time "
                + "such as 2026-12-01T09:30:00Z.")
        String since,
        @Nullable @JsonPropertyDescription("Only calls about this team (namespace).") String team,
        @Nullable @JsonPropertyDescription("Only calls by this principal (its subject).") String principal,
        @Nullable @JsonPropertyDescription("Only calls to this tool, e.g. cancel_training_job.") String tool,
        @Nullable
        @Bounds(min = 1, max = AuditQuery.MAX_LIMIT)
        @JsonPropertyDescription("At most this many entries, newest first (default 100, at most 1000).")
        Integer limit) {
}

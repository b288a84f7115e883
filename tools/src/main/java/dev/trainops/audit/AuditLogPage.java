package dev.trainops.audit;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import dev.trainops.catalog.Nullable;
import java.time.Instant;
import java.util.List;

/**
 * The answer of get_audit_log: entries newest first.
 *
 * @param entries the entries that matched, newest first, at most {@code limit}
 * @param limit   the limit applied; as many entries as this means there may be older ones
 */
public record AuditLogPage(List<Line> entries, int limit) {
    public AuditLogPage {
        entries = List.copyOf(entries);
    }

    /** Who called. */
    public record Caller(String subject, String role, List<String> teams) {
        public Caller {
            teams = List.copyOf(teams);
        }
    }

    /** One call. */
    public record Line(
            Instant time,
            Caller principal,
            String tool,
            @Nullable @JsonPropertyDescription("The team the call concerned, when known (null for a call that named none).") String team,
            @JsonPropertyDescription("The call's arguments as JSON text, shortened past 4,000 characters.") String arguments,
            @JsonPropertyDescription("OK, or the error code the call answered (FORBIDDEN, NOT_FOUND, RATE_LIMITED, ...).") String outcome,
            @JsonPropertyDescription("What went wrong; empty for OK.") String message) {
        static Line of(AuditEntry e) {
            return new Line(e.at(), new Caller(e.subject(), e.role(), e.teams().stream().sorted().toList()), e.tool(), e.team(),
                    e.arguments(), e.outcome(), e.message());
        }
    }
}

package dev.trainops.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Set;

/**
 * One line of the audit log (rule 7): a call that changed something, or tried to.
 *
 * @param at        when it was decided
 * @param subject   the principal's subject
 * @param role      its role's wire name
 * @param teams     its teams
 * @param tool      the tool (or command, such as {@code quotas apply})
 * @param team      the team the call concerned, when known
 * @param arguments the arguments as JSON, shortened
 * @param outcome   {@code OK}, or the error code it answered
 * @param message   what happened, shortened (empty for OK)
 */
public record AuditEntry(Instant at, String subject, String role, Set<String> teams, String tool, String team, String arguments,
                         String outcome, String message) {
    public static final String OK = "OK";

    public AuditEntry {
        Objects.requireNonNull(at, "at must not be null");
        Objects.requireNonNull(subject, "subject must not be null");
        Objects.requireNonNull(role, "role must not be null");
        teams = teams == null ? Set.of() : Set.copyOf(teams);
        Objects.requireNonNull(tool, "tool must not be null");
        arguments = arguments == null ? "{}" : arguments;
        Objects.requireNonNull(outcome, "outcome must not be null");
        message = message == null ? "" : message;
    }
}

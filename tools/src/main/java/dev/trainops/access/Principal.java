package dev.trainops.access;

import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who is calling: carried from the transport to every tool with each call (never in a static or a
 * thread-local), and the argument the domain scopes by (DESIGN.md, "Identity and tenancy").
 *
 * @param subject who it is (a token's {@code subject=}, a JWT's {@code sub}, the local user)
 * @param teams   the teams it belongs to; an admin sees every team whatever this holds
 * @param role    what it may do
 */
public record Principal(String subject, Set<String> teams, Role role) {
    /** The local user on stdio, and any caller of a server without authentication: an admin. */
    public static final Principal LOCAL = admin("local");

    public Principal {
        Objects.requireNonNull(subject, "subject must not be null");
        if (subject.isBlank()) {
            throw new IllegalArgumentException("subject must not be blank");
        }
        Objects.requireNonNull(role, "role must not be null");
        // sorted, so that logs, the audit log and answers list the teams in one order
        teams = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(teams == null ? Set.of() : teams));
    }

    public static Principal admin(String subject) {
        return new Principal(subject, Set.of(), Role.ADMIN);
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether it may call tools that change something (member or admin; rule 3). */
    public boolean canWrite() {
        return role != Role.VIEWER;
    }

    /**
     * Whether it may see and act on {@code team}'s items (rules 1 and 4). Items of no team
     * ({@code team} null or blank: an MLflow run nobody owns) are for admins only (rule 6).
     */
    public boolean sees(String team) {
        if (isAdmin()) {
            return true;
        }
        return team != null && !team.isBlank() && teams.contains(team);
    }

    /** For logs and the audit log: {@code alice (member of team-a)}. */
    public String describe() {
        return subject + " (" + role.wireName() + (teams.isEmpty() ? "" : " of " + String.join(",", teams)) + ")";
    }
}

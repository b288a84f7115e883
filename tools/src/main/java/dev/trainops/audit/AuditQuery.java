package dev.trainops.audit;

import dev.trainops.access.Access;
import dev.trainops.access.Principal;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Tool;
import dev.trainops.catalog.ToolException;
import dev.trainops.catalog.ToolHints;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.function.Supplier;

/** get_audit_log (admins only) and the filters it shares with {@code trainops audit}. */
final class AuditQuery {
    static final String NAME = "get_audit_log";
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 1000;

    private AuditQuery() {
    }

    static Tool<?, ?> tool(Supplier<AuditLog> log) {
        return new Tool<AuditLogRequest, AuditLogPage>(NAME, "Audit log",
                "Admins only. The audit log: every call that changed something or tried to (queue, cancel, batch, and refused or "
                        + "failed attempts), and every read refused as NOT_FOUND or FORBIDDEN (such as an attempt on another team's "
                        + "job), newest first, each with its time, principal (subject, role, teams), tool, team, "
                        + "arguments and outcome (OK or the error code). Filter by since, team, principal and tool.",
                AuditLogRequest.class, AuditLogPage.class, ToolHints.READ_ONLY, (r, call) -> list(log.get(), r, call.principal()),
                p -> p.entries().size() + " audit entr" + (p.entries().size() == 1 ? "y" : "ies")
                        + (p.entries().isEmpty() ? "" : ", newest " + p.entries().get(0).time()) + ".", Set.of());
    }

    private static AuditLogPage list(AuditLog log, AuditLogRequest r, Principal principal) {
        if (!principal.isAdmin()) {
            throw Access.forbiddenAdmin(principal, NAME);
        }
        int limit = r.limit() == null ? DEFAULT_LIMIT : r.limit();
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ToolException.invalidArgument("limit", "limit must be between 1 and " + MAX_LIMIT + ", was " + limit + ".",
                    "Omit it for the newest " + DEFAULT_LIMIT + " entries.");
        }
        Instant since;
        try {
            since = since(r.since());
        } catch (IllegalArgumentException e) {
            throw ToolException.invalidArgument("since", e.getMessage(), "For example 2026-12-01 or 2026-12-01T09:30:00Z.");
        }
        return new AuditLogPage(log.list(since, blankToNull(r.team()), blankToNull(r.principal()), blankToNull(r.tool()), limit).stream()
                .map(AuditLogPage.Line::of).toList(), limit);
    }

    /** YYYY-MM-DD (that day's start, UTC) or an ISO date-time with an offset; null or blank is no bound. */
    static Instant since(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        Instant since;
        try {
            since = LocalDate.parse(v).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException notADate) {
            try {
                since = OffsetDateTime.parse(v).toInstant();
            } catch (DateTimeParseException notATime) {
                throw new IllegalArgumentException("since must be a date (YYYY-MM-DD) or an ISO date-time with an offset "
                        + "(2026-12-01T09:30:00Z), was '" + Json.shorten(v) + "'.");
            }
        }
        // the log is kept in epoch milliseconds: a year such as -999999999 parses, then overflows them (issue 14, "Bad input at scale")
        if (since.isBefore(EARLIEST) || since.isAfter(LATEST)) {
            throw new IllegalArgumentException("since must be between the years 1970 and 9999, was '" + Json.shorten(v) + "'.");
        }
        return since;
    }

    private static final Instant EARLIEST = Instant.EPOCH;
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}

package dev.trainops.audit;

import dev.trainops.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.UUID;

/** The audit log in the store's {@code audit_log} table (migration V9). */
public final class AuditLog implements AuditTrail {
    /** Longest arguments kept (JSON, shortened with a marker beyond it). */
    static final int MAX_ARGUMENTS = 4000;
    static final int MAX_MESSAGE = 2000;

    private final Store store;

    public AuditLog(Store store) {
        this.store = store;
    }

    @Override
    public void append(Connection c, AuditEntry e) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_log (audit_id, at_ms, subject, role, teams, tool, team, "
                + "arguments, outcome, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, UUID.randomUUID().toString());
            ps.setLong(2, e.at().toEpochMilli());
            ps.setString(3, shorten(e.subject(), 320));
            ps.setString(4, e.role());
            ps.setString(5, shorten(String.join(",", e.teams()), 1000));
            ps.setString(6, shorten(e.tool(), 64));
            ps.setString(7, e.team() == null ? null : shorten(e.team(), 64));
            ps.setString(8, shorten(e.arguments(), MAX_ARGUMENTS));
            ps.setString(9, e.outcome());
            ps.setString(10, shorten(e.message(), MAX_MESSAGE));
            ps.executeUpdate();
        }
    }

    @Override
    public void append(AuditEntry entry) {
        store.inTransaction(0, c -> {
            append(c, entry);
            return null;
        });
    }

    /**
     * Entries at or after {@code since} (null: all), newest first, at most {@code limit}; each
     * filter that is null matches everything.
     */
    public List<AuditEntry> list(Instant since, String team, String subject, String tool, int limit) {
        StringBuilder sql = new StringBuilder("SELECT at_ms, subject, role, teams, tool, team, arguments, outcome, message FROM audit_log WHERE 1 = 1");
        List<Object> args = new ArrayList<>();
        if (since != null) {
            sql.append(" AND at_ms >= ?");
            args.add(since.toEpochMilli());
        }
        if (team != null) {
            sql.append(" AND team = ?");
            args.add(team);
        }
        if (subject != null) {
            sql.append(" AND subject = ?");
            args.add(subject);
        }
        if (tool != null) {
            sql.append(" AND tool = ?");
            args.add(tool);
        }
        sql.append(" ORDER BY at_ms DESC, audit_id LIMIT ?");
        args.add(limit);
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                ps.setObject(i + 1, args.get(i));
            }
            List<AuditEntry> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String teams = rs.getString("teams");
                    out.add(new AuditEntry(Instant.ofEpochMilli(rs.getLong("at_ms")), rs.getString("subject"), rs.getString("role"),
                            teams.isEmpty() ? java.util.Set.of() : new LinkedHashSet<>(Arrays.asList(teams.split(","))), rs.getString("tool"),
                            rs.getString("team"), rs.getString("arguments"), rs.getString("outcome"), rs.getString("message")));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the audit log in " + store.description() + ": " + e.getMessage(), e);
        }
    }

    /** get_audit_log (admins only; a member or viewer gets FORBIDDEN) over a log that may still be opening. */
    public static dev.trainops.catalog.Tool<?, ?> tool(java.util.function.Supplier<AuditLog> log) {
        return AuditQuery.tool(log);
    }

    /**
     * {@code since} as get_audit_log and {@code trainops audit} read it: YYYY-MM-DD (that day's
     * start, UTC) or an ISO date-time with an offset; null or blank is no bound.
     *
     * @throws IllegalArgumentException naming the forms it accepts
     */
    public static Instant since(String value) {
        return AuditQuery.since(value);
    }

    static String shorten(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}

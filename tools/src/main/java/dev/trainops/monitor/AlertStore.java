package dev.trainops.monitor;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.ToolException;
import dev.trainops.store.Store;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Alerts Alertmanager sends to {@code POST /alerts/webhook} (payload version 4), kept in the store:
 * one row per fingerprint, so a repeated notification updates its alert instead of adding one,
 * and a {@code resolved} notification closes it. A firing notification older than the resolution
 * (same start, arriving late) does not reopen it; a new firing after it does.
 */
public final class AlertStore {
    static final long ALERT_LOCK = 0x7472_6169_6e6f_7073L + 2;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {
    };
    static final int MAX_BODY_BYTES = 1 << 20;

    /** An alert as stored. */
    public record Alert(String fingerprint, String alertname, String status, String severity, String team, Map<String, String> labels,
                        Map<String, String> annotations, Instant startsAt, Instant endsAt, String generatorUrl, Instant firstSeen,
                        Instant lastSeen, Instant resolvedAt, int notifications) {
        public Alert {
            labels = Map.copyOf(labels);
            annotations = Map.copyOf(annotations);
        }
    }

    /** What one webhook call did. */
    public record Received(int alerts, int firing, int resolved, int ignored) {
    }

    private final Store store;
    private final Clock clock;

    public AlertStore(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Takes one webhook body; a body that is not a version 4 payload is INVALID_ARGUMENT with what is wrong. */
    public Received receive(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (RuntimeException e) {
            throw ToolException.invalidArgument("body", "The body is not JSON.", "Send Alertmanager's webhook payload (version 4).");
        }
        if (root == null || !root.isObject()) {
            throw ToolException.invalidArgument("body", "The body is not a JSON object.", "Send Alertmanager's webhook payload (version 4).");
        }
        String version = root.path("version").asString("");
        if (!version.equals("4")) {
            throw ToolException.invalidArgument("version", "Payload version '" + Json.shorten(version) + "' is not supported.",
                    "trainops reads Alertmanager's webhook payload version 4 (Alertmanager 0.x sends it).");
        }
        JsonNode alerts = root.path("alerts");
        if (!alerts.isArray()) {
            throw ToolException.invalidArgument("alerts", "The payload has no 'alerts' array.", "Send Alertmanager's webhook payload unchanged.");
        }
        Map<String, String> common = strings(root.path("commonLabels"));
        Instant now = clock.instant();
        return store.inTransaction(ALERT_LOCK, c -> {
            int firing = 0;
            int resolved = 0;
            int ignored = 0;
            for (JsonNode a : alerts) {
                Map<String, String> labels = new TreeMap<>(common);
                labels.putAll(strings(a.path("labels")));
                Map<String, String> annotations = strings(a.path("annotations"));
                String status = a.path("status").asString(root.path("status").asString("firing"));
                if (!status.equals("firing") && !status.equals("resolved")) {
                    ignored++;
                    continue;
                }
                String fingerprint = a.path("fingerprint").asString("");
                if (fingerprint.isBlank()) {
                    fingerprint = fingerprint(labels);
                }
                Instant startsAt = instant(a.path("startsAt").asString(""));
                Instant endsAt = instant(a.path("endsAt").asString(""));
                Alert stored = find(c, fingerprint);
                if (status.equals("firing") && stored != null && "resolved".equals(stored.status()) && startsAt != null
                        && stored.startsAt() != null && !startsAt.isAfter(stored.startsAt())) {
                    ignored++; // a late repeat of the alert already resolved
                    continue;
                }
                Alert next = new Alert(fingerprint, labels.getOrDefault("alertname", "unnamed"), status, labels.get("severity"),
                        labels.getOrDefault("team", labels.get("namespace")), labels, annotations, startsAt,
                        status.equals("resolved") ? endsAt : null, a.path("generatorURL").asString(null),
                        stored == null ? now : stored.firstSeen(), now, status.equals("resolved") ? now : null,
                        stored == null ? 1 : stored.notifications() + 1);
                write(c, next, stored == null);
                if (status.equals("firing")) {
                    firing++;
                } else {
                    resolved++;
                }
            }
            return new Received(alerts.size(), firing, resolved, ignored);
        });
    }

    /** Alerts firing now, optionally only those labelled with a team (or namespace). */
    public List<Alert> firing(String team) {
        try (Connection c = store.connection(); PreparedStatement ps = c.prepareStatement(
                "SELECT " + COLUMNS + " FROM alert WHERE status = 'firing'" + (team == null ? "" : " AND team = ?") + " ORDER BY starts_ms")) {
            if (team != null) {
                ps.setString(1, team);
            }
            List<Alert> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "The store did not answer (" + store.description() + "): " + e.getMessage(),
                    "Check the data directory or the PostgreSQL URL, then retry.", true, Map.of("backend", "store"));
        }
    }

    private static final String COLUMNS = "fingerprint, alertname, status, severity, team, labels, annotations, starts_ms, ends_ms, "
            + "generator_url, first_seen_ms, last_seen_ms, resolved_ms, notifications";

    private static Alert find(Connection c, String fingerprint) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM alert WHERE fingerprint = ?")) {
            ps.setString(1, fingerprint);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? read(rs) : null;
            }
        }
    }

    private static void write(Connection c, Alert a, boolean insert) throws SQLException {
        String sql = insert
                ? "INSERT INTO alert (alertname, status, severity, team, labels, annotations, starts_ms, ends_ms, generator_url, "
                        + "first_seen_ms, last_seen_ms, resolved_ms, notifications, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                : "UPDATE alert SET alertname = ?, status = ?, severity = ?, team = ?, labels = ?, annotations = ?, starts_ms = ?, "
                        + "ends_ms = ?, generator_url = ?, first_seen_ms = ?, last_seen_ms = ?, resolved_ms = ?, notifications = ? "
                        + "WHERE fingerprint = ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, a.alertname());
            ps.setString(2, a.status());
            ps.setString(3, a.severity());
            ps.setString(4, a.team());
            ps.setString(5, JSON.writeValueAsString(a.labels()));
            ps.setString(6, JSON.writeValueAsString(a.annotations()));
            millis(ps, 7, a.startsAt());
            millis(ps, 8, a.endsAt());
            ps.setString(9, a.generatorUrl());
            ps.setLong(10, a.firstSeen().toEpochMilli());
            ps.setLong(11, a.lastSeen().toEpochMilli());
            millis(ps, 12, a.resolvedAt());
            ps.setInt(13, a.notifications());
            ps.setString(14, a.fingerprint());
            ps.executeUpdate();
        }
    }

    private static void millis(PreparedStatement ps, int i, Instant t) throws SQLException {
        if (t == null) {
            ps.setNull(i, Types.BIGINT);
        } else {
            ps.setLong(i, t.toEpochMilli());
        }
    }

    private static Alert read(ResultSet rs) throws SQLException {
        return new Alert(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                JSON.readValue(rs.getString(6), STRINGS), JSON.readValue(rs.getString(7), STRINGS), instant(rs, 8), instant(rs, 9),
                rs.getString(10), Instant.ofEpochMilli(rs.getLong(11)), Instant.ofEpochMilli(rs.getLong(12)), instant(rs, 13), rs.getInt(14));
    }

    private static Instant instant(ResultSet rs, int i) throws SQLException {
        long v = rs.getLong(i);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Map<String, String> strings(JsonNode node) {
        Map<String, String> out = new TreeMap<>();
        if (node != null && node.isObject()) {
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                out.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : e.getValue().toString());
            }
        }
        return out;
    }

    /** Alertmanager leaves endsAt at year 1 while firing; that and unparseable times are null. */
    private static Instant instant(String s) {
        if (s == null || s.isBlank() || s.startsWith("0001-")) {
            return null;
        }
        try {
            return java.time.OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The label set's hash, when an old Alertmanager sends no fingerprint. */
    static String fingerprint(Map<String, String> labels) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(JSON.writeValueAsString(new TreeMap<>(labels))
                    .getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

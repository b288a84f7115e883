package dev.trainops.app;

import dev.trainops.catalog.ErrorCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the bad-input runs assert of every answer (issue 14, "Bad input at scale"), shared by the
 * in-process run and the HTTP sample: the codes a refusal may carry, what must never show in an
 * answer, the rows a refused call must not leave, and the per-tool tally the runs print.
 */
final class FuzzChecks {
    private FuzzChecks() {
    }

    /** A Java class or package name, an exception, a stack frame. */
    static final Pattern CLASS_NAME = Pattern.compile("\\b(java|javax|jakarta|dev\\.trainops|io\\.fabric8|tools\\.jackson|com\\.fasterxml|"
            + "org\\.(eclipse|sqlite|postgresql|flywaydb|slf4j)|io\\.modelcontextprotocol|reactor\\.core)\\.[a-z]");
    static final Pattern STACK = Pattern.compile("Exception|\\tat |\\bat [a-z]+\\.[a-z]+\\.[A-Za-z.$]+\\(|Caused by:|NullPointer|StackOverflow");
    /** A secret: a password or key assignment, a bearer token, a PEM block, a JDBC URL with a user in it, an AWS key id. */
    static final Pattern CREDENTIAL = Pattern.compile("(?i)(password\\s*[=:]|secret\\s*[=:]|api[_-]?key\\s*[=:]|bearer\\s+[A-Za-z0-9._~+/-]{16,}"
            + "|-----BEGIN|jdbc:[a-z]+://[^\\s]*@|AKIA[0-9A-Z]{16})");

    /**
     * The codes a refusal may carry, besides INVALID_ARGUMENT for a malformed call. NOT_FOUND: a
     * named job, batch, run, model, team or budget scope that does not exist, or belongs to a team
     * the caller does not see (rule 1 makes both the same answer). NO_CAPACITY, QUOTA_EXCEEDED,
     * BUDGET_EXCEEDED: a well-formed submission the cluster, the team's quota or its budget can
     * never hold (docs/tools.md, "Submission outcomes"); only the tools that submit raise them.
     * FORBIDDEN: a member acting on a team it is not in (docs/architecture.md, "Who is calling").
     * Never INTERNAL, never UPSTREAM_UNAVAILABLE once the sandbox is up, never RATE_LIMITED (the
     * in-process catalog has no limiter).
     */
    static Set<ErrorCode> allowed(String tool) {
        Set<ErrorCode> codes = EnumSet.of(ErrorCode.INVALID_ARGUMENT, ErrorCode.NOT_FOUND, ErrorCode.FORBIDDEN);
        if (List.of("queue_training_job", "submit_batch_training", "validate_job_resources").contains(tool)) {
            codes.addAll(EnumSet.of(ErrorCode.NO_CAPACITY, ErrorCode.QUOTA_EXCEEDED, ErrorCode.BUDGET_EXCEEDED));
        }
        return codes;
    }

    /**
     * Text every match of each pattern holds (for CREDENTIAL in lower case: it ignores ASCII case):
     * an answer that holds none of it cannot match, and {@code indexOf} over an answer of hundreds
     * of kilobytes (an audit log page) is far cheaper than a regex with alternatives at each character.
     */
    static final List<String> CLASS_NAME_NEEDS = List.of("java", "jakarta", "dev.trainops", "io.fabric8", "tools.jackson", "com.fasterxml",
            "org.", "io.modelcontextprotocol", "reactor.core");
    static final List<String> STACK_NEEDS = List.of("Exception", "at ", "Caused by:", "NullPointer", "StackOverflow");
    static final List<String> CREDENTIAL_NEEDS = List.of("password", "secret", "api", "bearer", "-----begin", "jdbc:", "akia");

    /** What in {@code text} would leak, or null. */
    static String leak(String text) {
        String lower = text.toLowerCase(Locale.ROOT);
        for (Pattern p : List.of(CLASS_NAME, STACK, CREDENTIAL)) {
            boolean possible = p == CLASS_NAME ? holdsAny(text, CLASS_NAME_NEEDS) : p == STACK ? holdsAny(text, STACK_NEEDS)
                    : holdsAny(lower, CREDENTIAL_NEEDS);
            var m = possible ? p.matcher(text) : null;
            if (m != null && m.find()) {
                return "'" + m.group() + "' in: " + (text.length() > 400 ? text.substring(0, 400) + "..." : text);
            }
        }
        return null;
    }

    private static boolean holdsAny(String text, List<String> needles) {
        for (String needle : needles) {
            if (text.contains(needle)) {
                return true;
            }
        }
        return false;
    }

    /** A case as a line a person can read: long values shortened, so a failure names what was sent. */
    static String describe(Object value) {
        String s = String.valueOf(value);
        return s.length() > 300 ? s.substring(0, 300) + "... (" + s.length() + " chars)" : s;
    }

    /** Every job and batch id in the store, read over its own connection to the SQLite file. */
    static final class StoreRows implements AutoCloseable {
        private final Connection connection;

        StoreRows(Path dataDir) throws SQLException {
            this.connection = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("trainops.db").toAbsolutePath());
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
            }
        }

        Set<String> ids() throws SQLException {
            Set<String> ids = new HashSet<>();
            try (Statement s = connection.createStatement()) {
                s.execute("PRAGMA busy_timeout = 10000");
                for (String sql : List.of("SELECT job_id FROM queue_job", "SELECT batch_id FROM queue_batch")) {
                    try (ResultSet rs = s.executeQuery(sql)) {
                        while (rs.next()) {
                            ids.add(rs.getString(1));
                        }
                    }
                }
            }
            return ids;
        }

        /** Keeps the newest {@code kept} audit entries (see BadInputFuzzTest.AUDIT_KEPT). */
        void trimAuditLog(int kept) throws SQLException {
            try (var s = connection.prepareStatement("DELETE FROM audit_log WHERE audit_id NOT IN "
                    + "(SELECT audit_id FROM audit_log ORDER BY at_ms DESC, audit_id LIMIT ?)")) {
                s.setInt(1, kept);
                s.executeUpdate();
            }
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }

    /** Every job or batch id an answer names ("tj-...", "tb-..."), at any depth. */
    static void idsIn(Object value, Set<String> into) {
        if (value instanceof String s && s.matches("t[jb]-[0-9a-z]+")) {
            into.add(s);
        } else if (value instanceof Map<?, ?> m) {
            m.values().forEach(v -> idsIn(v, into));
        } else if (value instanceof List<?> l) {
            l.forEach(v -> idsIn(v, into));
        }
    }

    /** Per tool: cases, calls, answers by outcome, INTERNAL, leaks, stored refusals. */
    static final class Tally {
        final Map<String, Map<String, Long>> byTool = new TreeMap<>();
        /** Per tool, nanoseconds by kind of case: where the run's time goes. */
        final Map<String, Map<String, Long>> nanos = new TreeMap<>();

        void time(String tool, String kind, long n) {
            nanos.computeIfAbsent(tool, t -> new java.util.HashMap<>()).merge(kind, n, Long::sum);
        }

        void add(String tool, String key) {
            add(tool, key, 1);
        }

        void add(String tool, String key, long n) {
            byTool.computeIfAbsent(tool, t -> new LinkedHashMap<>(Map.of("cases", 0L, "calls", 0L, "ok", 0L, "INVALID_ARGUMENT", 0L,
                    "INTERNAL", 0L, "leaks", 0L, "stored_refusals", 0L))).merge(key, n, Long::sum);
        }

        long get(String tool, String key) {
            return byTool.getOrDefault(tool, Map.of()).getOrDefault(key, 0L);
        }

        /**
         * One line per tool: cases, calls, ok, invalid, other codes, INTERNAL, leaks, stored refusals
         * and (where timed) its milliseconds; then, per timed tool, the three kinds of case that took longest.
         */
        String report(String title, long seed, long millis) {
            StringBuilder out = new StringBuilder(title + " (seed " + seed + ", " + millis + " ms)\n");
            out.append(String.format("%-32s %7s %7s %7s %8s %-44s %8s %5s %7s %7s%n", "tool", "cases", "calls", "ok", "invalid", "other codes",
                    "INTERNAL", "leaks", "stored", "ms"));
            for (var e : byTool.entrySet()) {
                Map<String, Long> m = e.getValue();
                StringBuilder other = new StringBuilder();
                m.forEach((k, v) -> {
                    if (!Set.of("cases", "calls", "ok", "INVALID_ARGUMENT", "INTERNAL", "leaks", "stored_refusals").contains(k)) {
                        other.append(other.isEmpty() ? "" : " ").append(k).append('=').append(v);
                    }
                });
                Map<String, Long> times = nanos.get(e.getKey());
                String ms = times == null ? "-" : String.valueOf(times.values().stream().mapToLong(Long::longValue).sum() / 1_000_000);
                out.append(String.format("%-32s %7d %7d %7d %8d %-44s %8d %5d %7d %7s%n", e.getKey(), m.get("cases"), m.get("calls"), m.get("ok"),
                        m.get("INVALID_ARGUMENT"), other.isEmpty() ? "-" : other, m.get("INTERNAL"), m.get("leaks"), m.get("stored_refusals"), ms));
            }
            nanos.forEach((tool, times) -> out.append("slowest kinds of case, ").append(tool).append(": ").append(times.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                    .map(t -> t.getKey() + " " + t.getValue() / 1_000_000 + " ms").collect(java.util.stream.Collectors.joining(", "))).append('\n'));
            return out.toString();
        }

        void write(Path file, String report) throws java.io.IOException {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.writeString(file, report);
        }
    }
}

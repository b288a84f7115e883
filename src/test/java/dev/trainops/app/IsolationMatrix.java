package dev.trainops.app;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The expected outcome of every tool, resource and prompt for every kind of caller (DESIGN.md,
 * "Identity and tenancy", rules 1-5), written from the rules, and the printed matrix of what the
 * server answered. Every row names team-b's item where it has a target, so a team-a member meets
 * another team's item, team-b's member and viewer their own, and the admin everyone's.
 */
final class IsolationMatrix {
    static final String OK = "OK";
    static final String NOT_FOUND = "NOT_FOUND";
    static final String FORBIDDEN = "FORBIDDEN";
    static final String UNAUTHORIZED = "401";

    /** The callers, in the order the matrix prints them. */
    enum Caller {
        TEAM_A("team-a member"), TEAM_B("team-b member"), VIEWER("team-b viewer"), ADMIN("admin"), NO_TOKEN("no token"),
        EXPIRED("expired"), WRONG_AUDIENCE("wrong aud"), WRONG_ISSUER("wrong iss"), UNKNOWN_KEY("unknown key");

        final String label;

        Caller(String label) {
            this.label = label;
        }

        boolean authenticated() {
            return ordinal() <= ADMIN.ordinal();
        }
    }

    /** What a row calls: a tool (tools/call), a resource (resources/read) or a prompt (prompts/get). */
    enum Kind {
        TOOL, RESOURCE, PROMPT
    }

    /**
     * One row: what it calls with which arguments, and the outcome each authenticated caller must
     * get (every unauthenticated one gets 401). {@code cluster} marks an answer that a team-a member
     * may read but that must not name team-b's jobs or runs (rules 1 and 2).
     */
    record Row(Kind kind, String name, Map<String, Object> arguments, Map<Caller, String> expected, boolean cluster) {
        String label() {
            return switch (kind) {
                case TOOL -> name;
                case RESOURCE -> name;
                case PROMPT -> "prompt " + name;
            };
        }

        String expected(Caller caller) {
            return caller.authenticated() ? expected.get(caller) : UNAUTHORIZED;
        }
    }

    private static Map<Caller, String> expect(String teamA, String teamB, String viewer, String admin) {
        Map<Caller, String> m = new EnumMap<>(Caller.class);
        m.put(Caller.TEAM_A, teamA);
        m.put(Caller.TEAM_B, teamB);
        m.put(Caller.VIEWER, viewer);
        m.put(Caller.ADMIN, admin);
        return m;
    }

    /** Rule 1 and 4: a read naming team-b's item; rule 3: a viewer reads. */
    static Row readOfTeamB(Kind kind, String name, Map<String, Object> arguments) {
        return new Row(kind, name, arguments, expect(NOT_FOUND, OK, OK, OK), false);
    }

    /** Rules 1, 3, 4: a write naming team-b's item or team-b; rule 3 is checked before the item is looked up. */
    static Row writeOfTeamB(String tool, Map<String, Object> arguments) {
        return new Row(Kind.TOOL, tool, arguments, expect(NOT_FOUND, OK, FORBIDDEN, OK), false);
    }

    /** Rule 2: no team named, every caller is answered, but a team-a member's answer names none of team-b's items. */
    static Row clusterWide(Kind kind, String name, Map<String, Object> arguments) {
        return new Row(kind, name, arguments, expect(OK, OK, OK, OK), true);
    }

    /** get_audit_log: admins only. */
    static Row adminOnly(String tool, Map<String, Object> arguments) {
        return new Row(Kind.TOOL, tool, arguments, expect(FORBIDDEN, FORBIDDEN, FORBIDDEN, OK), false);
    }

    /** The order a row's callers run in: a refused write before the one that succeeds, so a cancel cannot change a later cell. */
    static List<Caller> runOrder() {
        return List.of(Caller.TEAM_A, Caller.VIEWER, Caller.TEAM_B, Caller.ADMIN, Caller.NO_TOKEN, Caller.EXPIRED, Caller.WRONG_AUDIENCE,
                Caller.WRONG_ISSUER, Caller.UNKNOWN_KEY);
    }

    /** The answers, row by row, and the matrix they print as. */
    static final class Results {
        private final Map<Row, Map<Caller, String>> cells = new LinkedHashMap<>();
        private final List<String> notes = new ArrayList<>();
        private int comparedWithNothing;

        void put(Row row, Caller caller, String outcome) {
            cells.computeIfAbsent(row, r -> new EnumMap<>(Caller.class)).put(caller, outcome);
        }

        void note(Row row, Caller caller, String note) {
            notes.add(row.label() + " / " + caller.label + ": " + note);
        }

        /** One more refusal checked against the same call naming an item that does not exist. */
        void comparedWithNothing() {
            comparedWithNothing++;
        }

        int comparedWithNothingCount() {
            return comparedWithNothing;
        }

        int cells() {
            return cells.values().stream().mapToInt(Map::size).sum();
        }

        List<String> mismatches() {
            List<String> out = new ArrayList<>();
            cells.forEach((row, answers) -> answers.forEach((caller, got) -> {
                if (!got.equals(row.expected(caller))) {
                    out.add(row.label() + " / " + caller.label + ": expected " + row.expected(caller) + ", got " + got);
                }
            }));
            return out;
        }

        /** The matrix: a row per call, a column per caller; a cell that differs from the rules reads {@code got!=expected} and is starred. */
        String print() {
            int first = Math.max(8, cells.keySet().stream().mapToInt(r -> r.label().length()).max().orElse(0));
            StringBuilder out = new StringBuilder("Isolation matrix (DESIGN.md, \"Identity and tenancy\", rules 1-5; rows target team-b's items)\n");
            out.append(pad("call", first));
            for (Caller c : Caller.values()) {
                out.append(" | ").append(pad(c.label, 14));
            }
            out.append('\n').append("-".repeat(first + Caller.values().length * 17)).append('\n');
            cells.forEach((row, answers) -> {
                out.append(pad(row.label(), first));
                for (Caller c : Caller.values()) {
                    String got = answers.getOrDefault(c, "-");
                    String cell = got.equals(row.expected(c)) ? got : "*" + got + "!=" + row.expected(c);
                    out.append(" | ").append(pad(cell, 14));
                }
                out.append('\n');
            });
            List<String> wrong = mismatches();
            out.append(cells() - wrong.size()).append('/').append(cells()).append(" cells as the rules say");
            out.append(wrong.isEmpty() ? " (100%)\n" : "; mismatches:\n  " + String.join("\n  ", wrong) + "\n");
            out.append(comparedWithNothing).append(" of team-a's NOT_FOUND cells compared with the same call naming an item that does not "
                    + "exist (team-z, tj-000000000000, ...): a LEAK where the answers differ but for the name\n");
            if (!notes.isEmpty()) {
                out.append("notes:\n  ").append(String.join("\n  ", notes)).append('\n');
            }
            return out.toString();
        }

        private static String pad(String s, int width) {
            return s.length() >= width ? s : s + " ".repeat(width - s.length());
        }
    }

    private IsolationMatrix() {
    }
}

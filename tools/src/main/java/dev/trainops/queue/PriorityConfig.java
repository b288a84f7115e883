package dev.trainops.queue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/** {@code config/priorities.yaml}: the PriorityClass of each priority, and job types mapped to priorities. */
public record PriorityConfig(Map<Priority, ClassSpec> classes, Map<String, Priority> jobTypes, Priority fallback) {

    /** A Kubernetes PriorityClass: name, value, preemptionPolicy. */
    public record ClassSpec(String name, int value, String preemptionPolicy) {
    }

    public PriorityConfig {
        classes = Map.copyOf(classes);
        jobTypes = Map.copyOf(jobTypes);
        for (Priority p : Priority.values()) {
            if (!classes.containsKey(p)) {
                throw new IllegalArgumentException("priorities.yaml: classes." + p + " is missing");
            }
        }
        if (!(classes.get(Priority.URGENT).value() > classes.get(Priority.NORMAL).value()
                && classes.get(Priority.NORMAL).value() > classes.get(Priority.BACKGROUND).value())) {
            throw new IllegalArgumentException("priorities.yaml: values must fall from URGENT to NORMAL to BACKGROUND");
        }
    }

    public static PriorityConfig defaults() {
        Map<Priority, ClassSpec> classes = new EnumMap<>(Priority.class);
        classes.put(Priority.URGENT, new ClassSpec("trainops-urgent", 1_000_000, "PreemptLowerPriority"));
        classes.put(Priority.NORMAL, new ClassSpec("trainops-normal", 1000, "PreemptLowerPriority"));
        classes.put(Priority.BACKGROUND, new ClassSpec("trainops-background", 100, "Never"));
        return new PriorityConfig(classes, Map.of("llm", Priority.URGENT, "mnist", Priority.NORMAL, "validation", Priority.BACKGROUND),
                Priority.NORMAL);
    }

    public static PriorityConfig load(Path file) throws IOException {
        JsonNode root = YAMLMapper.builder().build().readTree(Files.readString(file));
        Map<Priority, ClassSpec> classes = new EnumMap<>(Priority.class);
        for (var e : root.path("classes").properties()) {
            Priority p = parse(e.getKey(), file + ": classes");
            JsonNode c = e.getValue();
            if (!c.path("value").isInt()) {
                throw new IllegalArgumentException(file + ": classes." + e.getKey() + ".value must be an integer");
            }
            classes.put(p, new ClassSpec(c.path("name").asString(), c.path("value").asInt(),
                    c.path("preemption_policy").asString("PreemptLowerPriority")));
        }
        Map<String, Priority> types = new LinkedHashMap<>();
        for (var e : root.path("job_types").properties()) {
            types.put(e.getKey().toLowerCase(Locale.ROOT), parse(e.getValue().asString(), file + ": job_types." + e.getKey()));
        }
        return new PriorityConfig(classes, types, parse(root.path("default").asString("NORMAL"), file + ": default"));
    }

    private static Priority parse(String s, String where) {
        try {
            return Priority.valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": '" + s + "' is not URGENT, NORMAL or BACKGROUND");
        }
    }

    /** The priority a job of this model gets by default: its job type's, else the fallback. */
    public Priority forModel(String model) {
        String m = model == null ? "" : model.toLowerCase(Locale.ROOT);
        Priority best = null;
        int bestLength = -1;
        for (var e : jobTypes.entrySet()) {
            // the longest job type the model starts with: "llm-7b" is an llm job
            if ((m.equals(e.getKey()) || m.startsWith(e.getKey() + "-") || m.startsWith(e.getKey() + "_")) && e.getKey().length() > bestLength) {
                best = e.getValue();
                bestLength = e.getKey().length();
            }
        }
        return best == null ? fallback : best;
    }

    public ClassSpec spec(Priority p) {
        return classes.get(p);
    }
}

package dev.trainops.app.sandbox;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON merge patch (RFC 7386) as the JSON patch (RFC 6902) that does the same to a given object. fabric8's mock
 * applies a merge patch by reading it over the stored object with Jackson, which appends to arrays instead of
 * replacing them: {@code kubectl apply} of a TrainingBatch with one job fewer would add the remaining jobs to the
 * stored ones, and every status patch would add its conditions again. The mock applies a JSON patch correctly, so
 * the sandbox's API server turns one into the other ({@link ApiServerDispatcher}).
 */
final class MergePatch {
    private MergePatch() {
    }

    /**
     * The operations that apply {@code patch} to {@code current}: a null member removes the member (when there is
     * one), an object merges into an object member, anything else (an array included) replaces the member whole.
     */
    static List<Map<String, Object>> asJsonPatch(Map<String, Object> current, Map<String, Object> patch) {
        List<Map<String, Object>> ops = new ArrayList<>();
        add(ops, "", current, patch);
        return ops;
    }

    @SuppressWarnings("unchecked")
    private static void add(List<Map<String, Object>> ops, String prefix, Map<String, Object> current, Map<String, Object> patch) {
        for (Map.Entry<String, Object> e : patch.entrySet()) {
            String path = prefix + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
            Object value = e.getValue();
            boolean exists = current != null && current.containsKey(e.getKey());
            if (value == null) {
                if (exists) {
                    ops.add(Map.of("op", "remove", "path", path));
                }
            } else if (value instanceof Map<?, ?> object && exists && current.get(e.getKey()) instanceof Map<?, ?> target) {
                add(ops, path, (Map<String, Object>) target, (Map<String, Object>) object);
            } else {
                ops.add(Map.of("op", "add", "path", path, "value", withoutNulls(value)));
            }
        }
    }

    /** A new member's value as RFC 7386 writes it: the null members of its objects left out. */
    @SuppressWarnings("unchecked")
    private static Object withoutNulls(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> {
                if (v != null) {
                    out.put(k, withoutNulls(v));
                }
            });
            return out;
        }
        return value;
    }
}

package dev.trainops.app.deploy;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fields of a fabric8 model that the model does not know: fabric8 keeps any field it cannot
 * map (a misspelt key, a key of another API version, a value of the wrong type) in the object's
 * {@code additionalProperties} instead of failing, so a parse alone proves nothing. This walks
 * every model object reachable through the model's own properties and names each such field by its
 * path ({@code spec.template.spec.containers[0].imagePullPolicyy}).
 */
final class UnknownFields {
    private UnknownFields() {
    }

    static List<String> of(Object model) {
        List<String> found = new ArrayList<>();
        walk(model, "", found);
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value == null) {
            return;
        }
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", found);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "[" + k + "]", found));
            return;
        }
        if (!value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        Map<?, ?> extra = additionalProperties(value);
        if (extra != null) {
            extra.keySet().forEach(k -> found.add(join(path, String.valueOf(k))));
        }
        for (Class<?> c = value.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                JsonProperty property = f.getAnnotation(JsonProperty.class);
                if (property == null || Modifier.isStatic(f.getModifiers())) {
                    continue;
                }
                try {
                    f.setAccessible(true);
                    walk(f.get(value), join(path, property.value().isEmpty() ? f.getName() : property.value()), found);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    throw new IllegalStateException("Cannot read " + c.getName() + "." + f.getName() + ": " + e, e);
                }
            }
        }
    }

    private static Map<?, ?> additionalProperties(Object value) {
        try {
            Method m = value.getClass().getMethod("getAdditionalProperties");
            return m.invoke(value) instanceof Map<?, ?> map ? map : null;
        } catch (NoSuchMethodException e) {
            return null;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }
}

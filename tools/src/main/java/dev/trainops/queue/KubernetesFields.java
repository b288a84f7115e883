package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.JsonNode;

/**
 * The Kubernetes-shaped parts of a job template (env, volumes, tolerations, affinity, security
 * contexts, ...) read into fabric8 objects, refusing what the API server would: a key fabric8 has
 * no field for (it keeps those aside in additionalProperties), a value of the wrong type, a
 * toleration Kubernetes rejects. Errors name the key path.
 */
final class KubernetesFields {
    private static final KubernetesSerialization KUBE = new KubernetesSerialization();

    /** Makes the error for a key path and its problem (the file is the loader's). */
    private final BiFunction<String, String, IllegalArgumentException> error;

    KubernetesFields(BiFunction<String, String, IllegalArgumentException> error) {
        this.error = error;
    }

    /** A Kubernetes object as fabric8 reads it; a key fabric8 does not know (kept aside by it) is an error here. */
    <T> T convert(JsonNode node, Class<T> type, String path) {
        if (!node.isObject()) {
            throw error.apply(path, "must be a map, as in a pod spec (" + type.getSimpleName() + ")");
        }
        T value;
        try {
            value = KUBE.convertValue(node, type);
        } catch (JacksonException | IllegalArgumentException e) {
            String where = e instanceof DatabindException d ? pathOf(d) : "";
            throw error.apply(path + where, "has a value of the wrong type for a Kubernetes " + type.getSimpleName()
                    + "; compare it with the Kubernetes API reference");
        }
        unknownKeys(value, path);
        return value;
    }

    private static String pathOf(DatabindException e) {
        StringBuilder sb = new StringBuilder();
        for (var ref : e.getPath()) {
            sb.append(ref.getPropertyName() != null ? "." + ref.getPropertyName() : "[" + ref.getIndex() + "]");
        }
        return sb.toString();
    }

    /** Walks a fabric8 object: its additionalProperties hold what its type has no field for. */
    private void unknownKeys(Object o, String path) {
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownKeys(list.get(i), path + "[" + i + "]");
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownKeys(value, path + "." + key));
            return;
        }
        if (o == null || o instanceof Quantity || o instanceof IntOrString
                || !o.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (!m.getName().startsWith("get") || m.getParameterCount() != 0 || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child = invoke(m, o);
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    String key = extra.keySet().iterator().next().toString();
                    throw error.apply(path + "." + key, "is not a field of a Kubernetes " + o.getClass().getSimpleName()
                            + " (check its spelling and case against the Kubernetes API reference)");
                }
            } else {
                String field = m.getName().substring(3);
                unknownKeys(child, path + "." + field.substring(0, 1).toLowerCase(Locale.ROOT) + field.substring(1));
            }
        }
    }

    private static Object invoke(Method m, Object o) {
        try {
            return m.invoke(o);
        } catch (IllegalAccessException | InvocationTargetException e) {
            return null;
        }
    }

    /** The Kubernetes rules for a toleration, so a bad one fails the start instead of every Job's creation. */
    void toleration(Toleration t, String path) {
        String operator = t.getOperator() == null ? "Equal" : t.getOperator();
        if (!operator.equals("Equal") && !operator.equals("Exists")) {
            throw error.apply(path + ".operator", "must be Exists or Equal (was " + operator + ")");
        }
        boolean noKey = t.getKey() == null || t.getKey().isEmpty();
        if (noKey && !operator.equals("Exists")) {
            throw error.apply(path + ".key", "is required unless operator is Exists (which then tolerates every taint); for GPU nodes write "
                    + "{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}");
        }
        if (operator.equals("Exists") && t.getValue() != null && !t.getValue().isEmpty()) {
            throw error.apply(path + ".value", "must be left out when operator is Exists; use operator: Equal to match a value");
        }
        String effect = t.getEffect() == null ? "" : t.getEffect();
        if (!List.of("", "NoSchedule", "PreferNoSchedule", "NoExecute").contains(effect)) {
            throw error.apply(path + ".effect", "must be NoSchedule, PreferNoSchedule or NoExecute, or left out for all (was " + effect + ")");
        }
        if (t.getTolerationSeconds() != null && !effect.equals("NoExecute")) {
            throw error.apply(path + ".tolerationSeconds", "applies to effect NoExecute only");
        }
    }

}

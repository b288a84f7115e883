package dev.trainops.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeCondition;
import java.util.Map;

/** Facts about a Node that several capabilities read the same way. */
public final class Nodes {
    private Nodes() {
    }

    /** Ready condition True. */
    public static boolean ready(Node node) {
        if (node.getStatus() == null || node.getStatus().getConditions() == null) {
            return false;
        }
        for (NodeCondition c : node.getStatus().getConditions()) {
            if ("Ready".equals(c.getType())) {
                return "True".equals(c.getStatus());
            }
        }
        return false;
    }

    /** Ready and not cordoned. */
    public static boolean schedulable(Node node) {
        return ready(node) && (node.getSpec() == null || !Boolean.TRUE.equals(node.getSpec().getUnschedulable()));
    }

    public static Map<String, String> labels(Node node) {
        return node.getMetadata().getLabels() == null ? Map.of() : node.getMetadata().getLabels();
    }

    /** A numeric label (GPU Feature Discovery writes counts and MiB as strings); 0 when absent or not a number. */
    public static long longLabel(Map<String, String> labels, String key) {
        String s = labels.get(key);
        if (s == null || s.isBlank()) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}

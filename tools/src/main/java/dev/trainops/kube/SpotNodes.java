package dev.trainops.kube;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import java.util.List;
import java.util.Map;

/**
 * Which nodes are spot capacity, and what a Job needs to run on them (docs/money.md, "Spot"): a
 * node is spot when one of {@link #nodeLabels} says so ({@code key=value}, as Karpenter and the
 * clouds label them); a spot Job carries {@link #tolerations} for the taints spot nodes commonly
 * have. Read from {@code config/pricing.yaml} {@code spot.node_labels} and {@code spot.tolerations}.
 */
public record SpotNodes(List<Label> nodeLabels, List<Toleration> tolerations) {

    /** One label that marks a spot node. */
    public record Label(String key, String value) {
        /** {@code key=value}, or IllegalArgumentException naming {@code where} and the fix. */
        public static Label parse(String text, String where) {
            int eq = text == null ? -1 : text.indexOf('=');
            if (eq <= 0 || eq == text.length() - 1) {
                throw new IllegalArgumentException(where + ": '" + text + "' must be key=value, such as karpenter.sh/capacity-type=spot");
            }
            return new Label(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    /** The labels of Karpenter, EKS, GKE (spot and the older preemptible) and AKS, and tolerations for their usual taints. */
    public static final SpotNodes DEFAULTS = new SpotNodes(List.of(
            new Label("karpenter.sh/capacity-type", "spot"),
            new Label("eks.amazonaws.com/capacityType", "SPOT"),
            new Label("cloud.google.com/gke-spot", "true"),
            new Label("cloud.google.com/gke-preemptible", "true"),
            new Label("kubernetes.azure.com/scalesetpriority", "spot")),
            List.of(toleration("karpenter.sh/capacity-type", "spot"),
                    toleration("cloud.google.com/gke-spot", "true"),
                    toleration("kubernetes.azure.com/scalesetpriority", "spot")));

    public SpotNodes {
        nodeLabels = List.copyOf(nodeLabels);
        tolerations = List.copyOf(tolerations);
    }

    /** Whether {@code node} is spot capacity: one of the configured labels has its value. */
    public boolean isSpot(Node node) {
        return node != null && isSpot(Nodes.labels(node));
    }

    public boolean isSpot(Map<String, String> labels) {
        for (Label l : nodeLabels) {
            if (l.value().equals(labels.get(l.key()))) {
                return true;
            }
        }
        return false;
    }

    /** A toleration of the taint {@code key=value:NoSchedule}. */
    public static Toleration toleration(String key, String value) {
        return new TolerationBuilder().withKey(key).withOperator("Equal").withValue(value).withEffect("NoSchedule").build();
    }
}

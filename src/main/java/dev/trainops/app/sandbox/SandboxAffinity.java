package dev.trainops.app.sandbox;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeSelectorRequirement;
import io.fabric8.kubernetes.api.model.NodeSelectorTerm;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodAffinityTerm;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of Kubernetes' affinity rules the sandbox's scheduler follows, as a multi-node job's pods
 * use them (queue rule 13): required node affinity (terms ORed, expressions In, NotIn, Exists and
 * DoesNotExist ANDed) and required pod anti-affinity on {@code kubernetes.io/hostname} (no two
 * matching pods on one node).
 */
final class SandboxAffinity {
    /** The labels of the pods on each node: those bound and unfinished, and those bound in this pass. */
    private final Map<String, List<Map<String, String>>> podsOn = new HashMap<>();

    SandboxAffinity(List<Pod> pods) {
        for (Pod p : pods) {
            if (PodResources.holdsResources(p) && p.getSpec().getNodeName() != null) {
                bound(p, p.getSpec().getNodeName());
            }
        }
    }

    /** {@code pod} now runs on {@code node}. */
    void bound(Pod pod, String node) {
        Map<String, String> labels = pod.getMetadata().getLabels() == null ? Map.of() : pod.getMetadata().getLabels();
        podsOn.computeIfAbsent(node, k -> new ArrayList<>()).add(labels);
    }

    /** Whether {@code pod}'s required node affinity and pod anti-affinity let it go on {@code node}. */
    boolean allows(Pod pod, Node node) {
        Affinity a = pod.getSpec().getAffinity();
        if (a == null) {
            return true;
        }
        Map<String, String> labels = Nodes.labels(node);
        var required = a.getNodeAffinity() == null ? null : a.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        if (required != null && required.getNodeSelectorTerms() != null && !required.getNodeSelectorTerms().isEmpty()
                && required.getNodeSelectorTerms().stream().noneMatch(t -> matches(t, labels))) {
            return false;
        }
        List<PodAffinityTerm> anti = a.getPodAntiAffinity() == null || a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null
                ? List.of() : a.getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
        List<Map<String, String>> here = podsOn.getOrDefault(node.getMetadata().getName(), List.of());
        return anti.stream().filter(t -> KubeNames.LABEL_HOSTNAME.equals(t.getTopologyKey()))
                .noneMatch(t -> here.stream().anyMatch(l -> selects(t.getLabelSelector(), l)));
    }

    private static boolean matches(NodeSelectorTerm term, Map<String, String> labels) {
        List<NodeSelectorRequirement> all = term.getMatchExpressions() == null ? List.of() : term.getMatchExpressions();
        return all.stream().allMatch(r -> switch (r.getOperator()) {
            case "In" -> r.getValues() != null && r.getValues().contains(labels.get(r.getKey()));
            case "NotIn" -> r.getValues() == null || !r.getValues().contains(labels.get(r.getKey()));
            case "Exists" -> labels.containsKey(r.getKey());
            case "DoesNotExist" -> !labels.containsKey(r.getKey());
            default -> false;
        });
    }

    private static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        boolean byLabels = selector.getMatchLabels() == null
                || selector.getMatchLabels().entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        List<LabelSelectorRequirement> exprs = selector.getMatchExpressions() == null ? List.of() : selector.getMatchExpressions();
        return byLabels && exprs.stream().allMatch(r -> switch (r.getOperator()) {
            case "In" -> r.getValues() != null && r.getValues().contains(labels.get(r.getKey()));
            case "NotIn" -> r.getValues() == null || !r.getValues().contains(labels.get(r.getKey()));
            case "Exists" -> labels.containsKey(r.getKey());
            case "DoesNotExist" -> !labels.containsKey(r.getKey());
            default -> false;
        });
    }
}

package dev.trainops.app.sandbox;

import dev.trainops.kube.Nodes;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Taint;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The sandbox's scheduler: binds pending pods, by priority and then age, to the schedulable node
 * whose nodeSelector matches, whose NoSchedule and NoExecute taints the pod tolerates, and that
 * leaves the least of the GPU resources they ask for, within the pod's required node affinity and pod
 * anti-affinity ({@link SandboxAffinity}); a pod whose PersistentVolumeClaim does not
 * exist stays pending, as on a cluster. It never binds beyond a node's free GPUs or MIG slices: what
 * bound, unfinished pods hold is taken off the node's allocatable first, and each binding takes its
 * share before the next pod is placed.
 */
final class SandboxScheduler {
    private final KubernetesClient client;

    SandboxScheduler(KubernetesClient client) {
        this.client = client;
    }

    /** Binds what fits; true when it bound any pod. */
    boolean schedule(List<Node> nodes, List<Pod> pods, Map<String, Integer> priorities) {
        Map<String, Map<String, Long>> free = free(nodes, pods);
        List<Pod> pending = pods.stream().filter(PodResources::pending)
                .sorted(Comparator.<Pod>comparingInt(p -> -priorities.getOrDefault(p.getSpec().getPriorityClassName(), 0))
                        .thenComparing(p -> String.valueOf(p.getMetadata().getCreationTimestamp()))
                        .thenComparing(p -> p.getMetadata().getName()))
                .toList();
        Set<String> claims = pending.stream().anyMatch(p -> !claims(p).isEmpty()) ? existingClaims() : Set.of();
        SandboxAffinity affinity = new SandboxAffinity(pods);
        boolean changed = false;
        for (Pod pod : pending) {
            if (!claims.containsAll(claims(pod))) {
                continue; // a cluster's scheduler too waits for the claim: "persistentvolumeclaim not found"
            }
            Map<String, Long> wants = PodResources.gpuRequests(pod);
            Node best = bestFit(pod, wants, nodes, free, affinity);
            if (best == null) {
                continue;
            }
            wants.forEach((k, v) -> free.get(best.getMetadata().getName()).merge(k, -v, Long::sum));
            affinity.bound(pod, best.getMetadata().getName());
            Pod bound = new PodBuilder(pod).editSpec().withNodeName(best.getMetadata().getName()).endSpec().build();
            client.pods().inNamespace(pod.getMetadata().getNamespace()).resource(bound).update();
            changed = true;
        }
        return changed;
    }

    /** GPU resources left per schedulable node: allocatable less what bound, unfinished pods hold. */
    private static Map<String, Map<String, Long>> free(List<Node> nodes, List<Pod> pods) {
        Map<String, Map<String, Long>> free = new HashMap<>();
        for (Node node : nodes) {
            if (!Nodes.schedulable(node)) {
                continue;
            }
            Map<String, Long> f = new HashMap<>();
            Map<String, Quantity> allocatable = node.getStatus().getAllocatable();
            if (allocatable != null) {
                allocatable.forEach((k, v) -> {
                    if (PodResources.isGpuResource(k)) {
                        f.put(k, PodResources.count(v));
                    }
                });
            }
            free.put(node.getMetadata().getName(), f);
        }
        for (Pod pod : pods) {
            if (PodResources.holdsResources(pod)) {
                Map<String, Long> f = free.get(pod.getSpec().getNodeName());
                if (f != null) {
                    PodResources.gpuRequests(pod).forEach((k, v) -> f.merge(k, -v, Long::sum));
                }
            }
        }
        return free;
    }

    private static Node bestFit(Pod pod, Map<String, Long> wants, List<Node> nodes, Map<String, Map<String, Long>> free,
                                SandboxAffinity affinity) {
        Node best = null;
        long bestLeft = Long.MAX_VALUE;
        for (Node node : nodes) {
            Map<String, Long> f = free.get(node.getMetadata().getName());
            if (f == null || !selects(pod, node) || !tolerates(pod, node) || !affinity.allows(pod, node)) {
                continue;
            }
            boolean fits = wants.entrySet().stream().allMatch(e -> f.getOrDefault(e.getKey(), 0L) >= e.getValue());
            if (!fits) {
                continue;
            }
            long left = wants.keySet().stream().mapToLong(k -> f.getOrDefault(k, 0L) - wants.get(k)).sum();
            if (left < bestLeft) {
                best = node;
                bestLeft = left;
            }
        }
        return best;
    }

    /** The namespace/name of each PersistentVolumeClaim the pod mounts. */
    private static Set<String> claims(Pod pod) {
        Set<String> out = new HashSet<>();
        if (pod.getSpec().getVolumes() != null) {
            for (Volume v : pod.getSpec().getVolumes()) {
                if (v.getPersistentVolumeClaim() != null) {
                    out.add(pod.getMetadata().getNamespace() + "/" + v.getPersistentVolumeClaim().getClaimName());
                }
            }
        }
        return out;
    }

    private Set<String> existingClaims() {
        Set<String> out = new HashSet<>();
        for (PersistentVolumeClaim c : client.persistentVolumeClaims().inAnyNamespace().list().getItems()) {
            out.add(c.getMetadata().getNamespace() + "/" + c.getMetadata().getName());
        }
        return out;
    }

    /** Every NoSchedule and NoExecute taint of the node (GPU and spot taints) is tolerated by one of the pod's tolerations (Kubernetes' matching rules). */
    static boolean tolerates(Pod pod, Node node) {
        List<Taint> taints = node.getSpec() == null || node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints();
        List<Toleration> tolerations = pod.getSpec().getTolerations() == null ? List.of() : pod.getSpec().getTolerations();
        return taints.stream().filter(t -> !"PreferNoSchedule".equals(t.getEffect()))
                .allMatch(t -> tolerations.stream().anyMatch(x -> matches(x, t)));
    }

    private static boolean matches(Toleration x, Taint t) {
        if (x.getEffect() != null && !x.getEffect().isEmpty() && !x.getEffect().equals(t.getEffect())) {
            return false;
        }
        if (x.getKey() == null || x.getKey().isEmpty()) {
            return "Exists".equals(x.getOperator());
        }
        if (!x.getKey().equals(t.getKey())) {
            return false;
        }
        return "Exists".equals(x.getOperator()) || Objects.equals(Objects.requireNonNullElse(x.getValue(), ""),
                Objects.requireNonNullElse(t.getValue(), ""));
    }

    private static boolean selects(Pod pod, Node node) {
        Map<String, String> selector = pod.getSpec().getNodeSelector();
        if (selector == null || selector.isEmpty()) {
            return true;
        }
        Map<String, String> labels = Nodes.labels(node);
        return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }
}

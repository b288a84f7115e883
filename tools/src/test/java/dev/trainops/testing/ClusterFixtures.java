package dev.trainops.testing;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/** Realistic GPU nodes and pods, labelled the way GPU Feature Discovery labels them. */
public final class ClusterFixtures {
    private ClusterFixtures() {
    }

    public static Node gpuNode(String name, String product, long memoryMib, int count) {
        return node(name, Map.of(
                KubeNames.LABEL_GPU_PRODUCT, product,
                KubeNames.LABEL_GPU_MEMORY_MIB, Long.toString(memoryMib),
                KubeNames.LABEL_GPU_COUNT, Integer.toString(count),
                KubeNames.LABEL_GPU_FAMILY, product.contains("H100") ? "hopper" : product.contains("A100") ? "ampere" : "ada-lovelace",
                KubeNames.LABEL_GPU_COMPUTE_MAJOR, product.contains("H100") ? "9" : "8",
                KubeNames.LABEL_GPU_COMPUTE_MINOR, "0",
                KubeNames.LABEL_MIG_STRATEGY, "none"),
                Map.of(KubeNames.GPU_RESOURCE, count));
    }

    /** An A100 80GB node under MIG strategy mixed: each GPU cut into 1g.10gb x7 or 3g.40gb x2. */
    public static Node migMixedNode(String name, int slices1g, int slices3g) {
        return node(name, Map.of(
                KubeNames.LABEL_GPU_PRODUCT, "NVIDIA-A100-SXM4-80GB",
                KubeNames.LABEL_GPU_MEMORY_MIB, "81920",
                KubeNames.LABEL_GPU_COUNT, "2",
                KubeNames.LABEL_MIG_STRATEGY, "mixed",
                KubeNames.LABEL_MIG_CAPABLE, "true"),
                Map.of("nvidia.com/mig-1g.10gb", slices1g, "nvidia.com/mig-3g.40gb", slices3g));
    }

    /** Time-slicing with renameByDefault: GPUs x replicas advertised as nvidia.com/gpu.shared. */
    public static Node timeSlicedNode(String name, String product, int gpus, int replicas) {
        return node(name, Map.of(
                KubeNames.LABEL_GPU_PRODUCT, product + "-SHARED",
                KubeNames.LABEL_GPU_MEMORY_MIB, "23034",
                KubeNames.LABEL_GPU_COUNT, Integer.toString(gpus),
                KubeNames.LABEL_GPU_REPLICAS, Integer.toString(replicas),
                KubeNames.LABEL_GPU_SHARING_STRATEGY, "time-slicing",
                KubeNames.LABEL_MIG_STRATEGY, "none"),
                Map.of(KubeNames.GPU_SHARED_RESOURCE, gpus * replicas));
    }

    public static Node node(String name, Map<String, String> labels, Map<String, Integer> gpuResources) {
        Map<String, Quantity> capacity = new HashMap<>();
        capacity.put("cpu", new Quantity("96"));
        capacity.put("memory", new Quantity("1024Gi"));
        capacity.put("pods", new Quantity("110"));
        gpuResources.forEach((k, v) -> capacity.put(k, new Quantity(Integer.toString(v))));
        return new NodeBuilder()
                .withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewSpec().endSpec()
                .withNewStatus()
                .withCapacity(capacity)
                .withAllocatable(capacity)
                .addNewCondition().withType("Ready").withStatus("True").endCondition()
                .endStatus()
                .build();
    }

    public static Pod runningPod(String namespace, String name, String node, String resource, int count, Instant expectedEnd) {
        PodBuilder b = new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name)
                .addToLabels(KubeNames.LABEL_TEAM, namespace)
                .endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("train").withImage("trainer:latest")
                .withNewResources().addToLimits(resource, new Quantity(Integer.toString(count))).endResources()
                .endContainer()
                .endSpec()
                .withNewStatus().withPhase(KubeNames.PHASE_RUNNING).endStatus();
        if (expectedEnd != null) {
            b.editMetadata().addToAnnotations(KubeNames.ANNOTATION_EXPECTED_END, expectedEnd.toString()).endMetadata();
        }
        return b.build();
    }

    public static Pod pendingPod(String namespace, String name, String resource, int count) {
        return new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec()
                .addNewContainer().withName("train").withImage("trainer:latest")
                .withNewResources().addToLimits(resource, new Quantity(Integer.toString(count))).endResources()
                .endContainer()
                .endSpec()
                .withNewStatus().withPhase(KubeNames.PHASE_PENDING).endStatus()
                .build();
    }
}

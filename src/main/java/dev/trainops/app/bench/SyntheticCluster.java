package dev.trainops.app.bench;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.NodeListBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodListBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A large synthetic GPU cluster for the benchmark: nodes with GPU Feature Discovery labels and
 * pods spread over them, rendered once as list responses (seeding 50,000 pods one create at a time
 * into the CRUD mock takes many minutes; the informer's list does not care where its bytes came from).
 */
final class SyntheticCluster {
    record Shape(String product, long memoryMib) {
    }

    private static final List<Shape> SHAPES = List.of(
            new Shape("NVIDIA-H100-80GB-HBM3", 81559),
            new Shape("NVIDIA-A100-SXM4-80GB", 81920),
            new Shape("NVIDIA-A100-SXM4-40GB", 40960),
            new Shape("NVIDIA-L4", 23034));

    final List<Node> nodes = new ArrayList<>();
    final List<Pod> pods = new ArrayList<>();
    final long gpus;
    final long gpuPods;

    SyntheticCluster(int nodeCount, int gpusPerNode, int podCount, long seed, Instant now) {
        Random random = new Random(seed);
        Map<String, Integer> free = new HashMap<>();
        long totalGpus = 0;
        for (int i = 0; i < nodeCount; i++) {
            Shape shape = SHAPES.get(i % SHAPES.size());
            String name = String.format("node-%04d", i);
            Map<String, Quantity> capacity = Map.of("cpu", new Quantity("96"), "memory", new Quantity("1024Gi"),
                    "pods", new Quantity("250"), KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(gpusPerNode)));
            nodes.add(new NodeBuilder().withNewMetadata().withName(name).withResourceVersion("1")
                    .addToLabels(KubeNames.LABEL_GPU_PRODUCT, shape.product())
                    .addToLabels(KubeNames.LABEL_GPU_MEMORY_MIB, Long.toString(shape.memoryMib()))
                    .addToLabels(KubeNames.LABEL_GPU_COUNT, Integer.toString(gpusPerNode))
                    .addToLabels(KubeNames.LABEL_MIG_STRATEGY, "none")
                    .endMetadata()
                    .withNewSpec().endSpec()
                    .withNewStatus().withCapacity(capacity).withAllocatable(capacity)
                    .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus()
                    .build());
            free.put(name, gpusPerNode);
            totalGpus += gpusPerNode;
        }
        this.gpus = totalGpus;
        long withGpus = 0;
        for (int i = 0; i < podCount; i++) {
            String node = nodes.get(random.nextInt(nodeCount)).getMetadata().getName();
            int want = switch (random.nextInt(10)) {
                case 0 -> 8;
                case 1, 2 -> 4;
                case 3, 4 -> 2;
                default -> 1;
            };
            // most pods are CPU work or finished; the rest hold GPUs while there are some left
            boolean gpuPod = random.nextInt(100) < 15 && free.get(node) >= want;
            String phase = gpuPod ? "Running" : (random.nextInt(3) == 0 ? "Succeeded" : "Running");
            PodBuilder b = new PodBuilder().withNewMetadata().withNamespace("team-" + (char) ('a' + random.nextInt(3)))
                    .withName(String.format("pod-%05d", i)).withResourceVersion("1").endMetadata()
                    .withNewSpec().withNodeName(node)
                    .addNewContainer().withName("main").withImage("trainer:1")
                    .withNewResources()
                    .addToRequests("cpu", new Quantity("4"))
                    .addToLimits(gpuPod ? Map.of(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(want))) : Map.of())
                    .endResources().endContainer().endSpec()
                    .withNewStatus().withPhase(phase).endStatus();
            if (gpuPod) {
                free.merge(node, -want, Integer::sum);
                withGpus++;
                b.editMetadata().addToAnnotations(KubeNames.ANNOTATION_EXPECTED_END,
                        now.plusSeconds(60 + random.nextInt(36_000)).toString()).endMetadata();
            }
            pods.add(b.build());
        }
        this.gpuPods = withGpus;
    }

    String nodeListJson(KubernetesSerialization json) {
        return json.asJson(new NodeListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().withItems(nodes).build());
    }

    String podListJson(KubernetesSerialization json) {
        return json.asJson(new PodListBuilder().withNewMetadata().withResourceVersion("1").endMetadata().withItems(pods).build());
    }
}

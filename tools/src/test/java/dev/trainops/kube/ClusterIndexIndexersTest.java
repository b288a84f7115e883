package dev.trainops.kube;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static dev.trainops.testing.ClusterFixtures.pendingPod;
import static dev.trainops.testing.ClusterFixtures.runningPod;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.testing.CrudMockServer;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The informer indexers of {@link ClusterIndex} on fabric8's CRUD mock API server: pods by node,
 * by trainops job id and the GPU pods follow adds, deletes and pods that move between entries
 * (bound to a node, relabelled, their GPUs dropped), as the watch delivers them.
 */
class ClusterIndexIndexersTest {
    CrudMockServer mock;
    KubernetesClient client;
    ClusterIndex index;

    @BeforeEach
    void start() {
        mock = new CrudMockServer();
        client = mock.client();
        client.resource(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(gpuNode("h100-b", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(jobPod(runningPod("team-a", "train-1", "h100-a", KubeNames.GPU_RESOURCE, 4, null), "tj-000000000001")).create();
        client.resource(runningPod("team-b", "outside", "h100-a", "nvidia.com/mig-1g.10gb", 1, null)).create();
        client.resource(cpuPod("team-a", "web", "h100-b")).create();
        index = new ClusterIndex(new MutableClock(Instant.parse("2026-11-28T14:00:00Z"))).start(client);
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void stop() {
        index.close();
        mock.close();
    }

    @Test
    void theInitialListIsIndexedByNodeByJobIdAndByGpus() {
        assertThat(names(index.podsOnNode("h100-a"))).containsExactlyInAnyOrder("train-1", "outside");
        assertThat(names(index.podsOnNode("h100-b"))).containsExactly("web");
        assertThat(names(index.podsOfJob("tj-000000000001"))).containsExactly("train-1");
        assertThat(names(index.gpuPods())).containsExactlyInAnyOrder("train-1", "outside");
        assertThat(names(index.gpuPodsOutsideTrainops())).containsExactly("outside");
        assertThat(index.podsOnNode("nowhere")).isEmpty();
        assertThat(index.podsOfJob("tj-ffffffffffff")).isEmpty();
    }

    @Test
    void anAddedPodShowsUpInEachOfItsEntries() {
        client.resource(jobPod(runningPod("team-a", "train-2", "h100-b", KubeNames.GPU_RESOURCE, 2, null), "tj-000000000002")).create();

        await(() -> names(index.podsOfJob("tj-000000000002")), List.of("train-2"));
        assertThat(names(index.podsOnNode("h100-b"))).containsExactlyInAnyOrder("web", "train-2");
        assertThat(names(index.gpuPods())).containsExactlyInAnyOrder("train-1", "outside", "train-2");
    }

    @Test
    void aDeletedPodLeavesEveryEntry() {
        client.pods().inNamespace("team-a").withName("train-1").delete();

        await(() -> names(index.podsOnNode("h100-a")), List.of("outside"));
        assertThat(index.podsOfJob("tj-000000000001")).isEmpty();
        assertThat(names(index.gpuPods())).containsExactly("outside");
    }

    @Test
    void aPendingPodIsUnderNoNodeUntilItIsBoundAndThenUnderThatNodeOnly() {
        client.resource(jobPod(pendingPod("team-a", "waiting", KubeNames.GPU_RESOURCE, 8), "tj-000000000003")).create();
        await(() -> names(index.podsOfJob("tj-000000000003")), List.of("waiting"));
        assertThat(names(index.podsOnNode("h100-a"))).doesNotContain("waiting");
        assertThat(names(index.podsOnNode("h100-b"))).doesNotContain("waiting");
        assertThat(names(index.gpuPods())).contains("waiting");

        Pod pod = client.pods().inNamespace("team-a").withName("waiting").get();
        client.resource(new PodBuilder(pod).editSpec().withNodeName("h100-b").endSpec().build()).update();

        await(() -> names(index.podsOnNode("h100-b")).stream().sorted().toList(), List.of("waiting", "web"));
        assertThat(names(index.podsOnNode("h100-a"))).doesNotContain("waiting");
    }

    @Test
    void aRelabelledPodMovesToItsNewJobEntry() {
        Pod pod = client.pods().inNamespace("team-a").withName("train-1").get();
        client.resource(jobPod(pod, "tj-000000000009")).update();

        await(() -> names(index.podsOfJob("tj-000000000009")), List.of("train-1"));
        assertThat(index.podsOfJob("tj-000000000001")).isEmpty();
    }

    @Test
    void aPodThatNoLongerAsksForGpusLeavesTheGpuEntry() {
        // a pod's resources cannot change in a real cluster, but a delete and a re-create under the same name can
        client.pods().inNamespace("team-b").withName("outside").delete();
        await(() -> names(index.gpuPods()), List.of("train-1"));
        client.resource(cpuPod("team-b", "outside", "h100-a")).create();

        await(() -> names(index.podsOnNode("h100-a")).stream().sorted().toList(), List.of("outside", "train-1"));
        assertThat(names(index.gpuPods())).containsExactly("train-1");
    }

    static Pod jobPod(Pod pod, String jobId) {
        return new PodBuilder(pod).editMetadata().addToLabels(KubeNames.LABEL_JOB_ID, jobId).endMetadata().build();
    }

    static Pod cpuPod(String namespace, String name, String node) {
        return new PodBuilder().withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
                .withNewSpec().withNodeName(node).addNewContainer().withName("web").withImage("nginx")
                .withNewResources().addToRequests("cpu", new io.fabric8.kubernetes.api.model.Quantity("1")).endResources()
                .endContainer().endSpec()
                .withNewStatus().withPhase(KubeNames.PHASE_RUNNING).endStatus().build();
    }

    static List<String> names(List<Pod> pods) {
        return pods.stream().map(p -> p.getMetadata().getName()).toList();
    }

    /** Waits, at most 10 s, for the watch to deliver the change: the value the index answers is then compared. */
    static <T> void await(Supplier<T> actual, T expected) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!expected.equals(actual.get()) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        assertThat(actual.get()).isEqualTo(expected);
    }
}

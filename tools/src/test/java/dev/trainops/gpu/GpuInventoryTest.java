package dev.trainops.gpu;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static dev.trainops.testing.ClusterFixtures.migMixedNode;
import static dev.trainops.testing.ClusterFixtures.pendingPod;
import static dev.trainops.testing.ClusterFixtures.runningPod;
import static dev.trainops.testing.ClusterFixtures.timeSlicedNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.ClusterIndex;
import dev.trainops.kube.KubeNames;
import dev.trainops.testing.MutableClock;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalDouble;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GpuInventoryTest {
    static final Instant NOW = Instant.parse("2026-11-28T14:00:00Z");

    CrudMockServer mock;
    KubernetesMockServer server;
    KubernetesClient client;
    MutableClock clock = new MutableClock(NOW);
    ClusterIndex index;
    GpuInventory inventory;

    @BeforeEach
    void seed() {
        mock = new CrudMockServer();
        server = mock.server();
        client = mock.client();
        client.resource(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(gpuNode("h100-b", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        client.resource(gpuNode("l4-a", "NVIDIA-L4", 23034, 4)).create();
        client.resource(migMixedNode("a100-mig", 7, 2)).create();
        client.resource(timeSlicedNode("t4-shared", "Tesla-T4", 2, 4)).create();
        client.resource(runningPod("team-a", "llm-1", "h100-a", KubeNames.GPU_RESOURCE, 6, NOW.plusSeconds(120))).create();
        client.resource(runningPod("team-b", "llm-2", "h100-b", KubeNames.GPU_RESOURCE, 4, NOW.plusSeconds(3600))).create();
        client.resource(runningPod("team-a", "mnist-1", "a100-mig", "nvidia.com/mig-1g.10gb", 3, null)).create();
        client.resource(runningPod("team-c", "val-1", "t4-shared", KubeNames.GPU_SHARED_RESOURCE, 5, null)).create();
        Pod done = new PodBuilder(runningPod("team-a", "old", "l4-a", KubeNames.GPU_RESOURCE, 4, null))
                .editStatus().withPhase("Succeeded").endStatus().build();
        client.resource(done).create();
        client.resource(pendingPod("team-b", "waiting", KubeNames.GPU_RESOURCE, 8)).create();

        index = new ClusterIndex(clock).start(client);
        inventory = new GpuInventory(index, node -> node.equals("h100-a") ? OptionalDouble.of(81.25) : OptionalDouble.empty(), clock, Duration.ofSeconds(10));
        assertThat(index.awaitSynced(Duration.ofSeconds(10))).isTrue();
    }

    @AfterEach
    void close() {
        index.close();
        mock.close();
    }

    @Test
    void countsWholeGpusFromAllocatableAndRunningPodLimits() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest("H100", null, null));

        assertThat(a.stale()).isFalse();
        assertThat(a.asOf()).isEqualTo(NOW);
        assertThat(a.pools()).singleElement().satisfies(p -> {
            assertThat(p.sharing()).isEqualTo(Sharing.EXCLUSIVE);
            assertThat(p.capacity()).isEqualTo(16);
            assertThat(p.allocated()).isEqualTo(10);
            assertThat(p.free()).isEqualTo(6);
            assertThat(p.largestFreeBlock()).isEqualTo(new GpuAvailability.Block("h100-b", 4));
            assertThat(p.nextFree().inSeconds()).isEqualTo(120);
            assertThat(p.nextFree().count()).isEqualTo(6);
            assertThat(p.nextFree().pod()).isEqualTo("team-a/llm-1");
            assertThat(p.queuedPods()).isEqualTo(1);
            assertThat(p.queuedDemand()).isEqualTo(8);
            assertThat(p.utilizationPercent()).isEqualTo(81.3);
        });
    }

    @Test
    void spotAndOnDemandCapacityOfATypeAreListedApart() {
        client.resource(new io.fabric8.kubernetes.api.model.NodeBuilder(gpuNode("h100-spot", "NVIDIA-H100-80GB-HBM3", 81559, 8))
                .editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata().build()).create();
        client.resource(runningPod("team-a", "on-spot", "h100-spot", KubeNames.GPU_RESOURCE, 3, null)).create();
        long deadline = System.nanoTime() + 10_000_000_000L;
        java.util.List<GpuAvailability.Pool> pools;
        do {
            pools = inventory.availability(new GpuAvailabilityRequest("H100", null, null)).pools();
        } while ((pools.size() < 2 || pools.get(1).allocated() < 3) && System.nanoTime() < deadline);
        assertThat(pools).extracting(GpuAvailability.Pool::spot, GpuAvailability.Pool::capacity, GpuAvailability.Pool::allocated,
                GpuAvailability.Pool::free).containsExactly(
                org.assertj.core.groups.Tuple.tuple(false, 16L, 10L, 6L),
                org.assertj.core.groups.Tuple.tuple(true, 8L, 3L, 5L));
        assertThat(inventory.availability(new GpuAvailabilityRequest("H100", null, null)).nodes())
                .filteredOn(n -> n.name().equals("h100-spot")).singleElement().satisfies(n -> assertThat(n.spot()).isTrue());
    }

    @Test
    void theQueuesViewShowsQueuedJobsAndWhenTheNextGpuFreesUpInWords() {
        inventory.attachQueue(() -> java.util.List.of(new GpuInventory.QueuedDemand("team-a", "H100", 4),
                new GpuInventory.QueuedDemand("team-b", "H100", 8), new GpuInventory.QueuedDemand("team-b", "L4", 1)));
        GpuAvailability all = inventory.availability(new GpuAvailabilityRequest(null, null, null));
        assertThat(all.queuedJobs()).isEqualTo(3);
        assertThat(all.queuedJobGpus()).isEqualTo(13);
        GpuAvailability.Pool h100 = inventory.availability(new GpuAvailabilityRequest("H100", null, null)).pools().get(0);
        assertThat(h100.queuedJobs()).isEqualTo(2);
        assertThat(h100.queuedJobGpus()).isEqualTo(12);
        assertThat(h100.availability()).isEqualTo("6 GPUs free now, up to 4 on one node (h100-b).");
        // fill every H100: the answer says when one frees up
        client.resource(runningPod("team-a", "fill-a", "h100-a", KubeNames.GPU_RESOURCE, 2, null)).create();
        client.resource(runningPod("team-b", "fill-b", "h100-b", KubeNames.GPU_RESOURCE, 4, null)).create();
        long deadline = System.nanoTime() + 5_000_000_000L;
        GpuAvailability.Pool full;
        do {
            full = inventory.availability(new GpuAvailabilityRequest("H100", null, null)).pools().get(0);
        } while (full.free() > 0 && System.nanoTime() < deadline);
        assertThat(full.availability()).isEqualTo("6 GPUs available in about 2 min (h100-a).");
        assertThat(inventory.availability(new GpuAvailabilityRequest(null, null, "team-b")).queuedJobs()).isEqualTo(2);
    }

    @Test
    void endedPodsHoldNoGpus() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest("l4", null, null));
        assertThat(a.pools()).singleElement().satisfies(p -> assertThat(p.free()).isEqualTo(4));
    }

    @Test
    void showsMigProfilesAsTheirOwnPoolsWithSliceMemory() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest("A100-80GB", null, null));

        assertThat(a.pools()).extracting(GpuAvailability.Pool::migProfile).containsExactly("1g.10gb", "3g.40gb");
        GpuAvailability.Pool small = a.pools().get(0);
        assertThat(small.sharing()).isEqualTo(Sharing.MIG);
        assertThat(small.memoryMibPerUnit()).isEqualTo(10 * 1024);
        assertThat(small.allocatable()).isEqualTo(7);
        assertThat(small.free()).isEqualTo(4);
        assertThat(a.nodes()).singleElement().satisfies(n -> assertThat(n.migStrategy()).isEqualTo("mixed"));
    }

    @Test
    void showsTimeSlicedReplicasAsShared() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest("T4", null, null));

        assertThat(a.pools()).singleElement().satisfies(p -> {
            assertThat(p.sharing()).isEqualTo(Sharing.TIME_SLICED);
            assertThat(p.resourceName()).isEqualTo(KubeNames.GPU_SHARED_RESOURCE);
            assertThat(p.allocatable()).isEqualTo(8);
            assertThat(p.free()).isEqualTo(3);
        });
        assertThat(a.nodes()).singleElement().satisfies(n -> assertThat(n.replicas()).isEqualTo(4));
    }

    @Test
    void minMemoryFiltersOutSmallSlices() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest(null, 40.0, null));
        assertThat(a.pools()).extracting(p -> p.gpuType() + "/" + p.migProfile())
                .containsExactly("A100-80GB/3g.40gb", "H100/null");
    }

    @Test
    void namespaceAddsWhatTheTeamHolds() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest("H100", null, "team-a"));
        assertThat(a.pools().get(0).allocatedInNamespace()).isEqualTo(6);
        assertThat(a.queuedPods()).isZero();
    }

    @Test
    void unknownGpuTypeListsTheTypesPresent() {
        assertThatThrownBy(() -> inventory.availability(new GpuAvailabilityRequest("B200", null, null)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                    assertThat(e.getMessage()).isEqualTo("Unknown gpu_type 'B200'.");
                    assertThat(e.hint()).isEqualTo("Use one of the types present: A100-80GB, H100, L4, T4; or omit gpu_type.");
                });
        assertThatThrownBy(() -> inventory.availability(new GpuAvailabilityRequest("H200", null, null)))
                .hasMessage("There is no H200 in this cluster.");
    }

    @Test
    void maxNodesBoundsTheNodeListMostFreeFirstButPoolsCoverAll() {
        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest(null, null, null, 2));
        assertThat(a.nodesTotal()).isEqualTo(5);
        assertThat(a.nodes()).extracting(GpuAvailability.NodeView::name).containsExactly("a100-mig", "h100-b");
        assertThat(a.notes()).anyMatch(n -> n.startsWith("Showing 2 of 5 GPU nodes"));
        assertThat(a.pools().stream().mapToLong(GpuAvailability.Pool::capacity).sum()).isEqualTo(16 + 4 + 9 + 8);
    }

    @Test
    void invalidNamespaceIsRefused() {
        assertThatThrownBy(() -> inventory.availability(new GpuAvailabilityRequest(null, null, "Team A")))
                .isInstanceOf(ToolException.class).hasMessageContaining("namespace");
    }

    @Test
    void aNewPodIsSeenThroughTheWatch() throws Exception {
        client.resource(runningPod("team-c", "late", "h100-b", KubeNames.GPU_RESOURCE, 4, null)).create();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        long free;
        do {
            free = inventory.availability(new GpuAvailabilityRequest("H100", null, null)).pools().get(0).free();
            Thread.sleep(20);
        } while (free != 2 && System.nanoTime() < deadline);
        assertThat(free).isEqualTo(2);
    }

    @Test
    void hundredCallsMakeNoListRequestToTheApiServer() {
        int before = server.getRequestCount();
        for (int i = 0; i < 100; i++) {
            inventory.availability(new GpuAvailabilityRequest(i % 2 == 0 ? "H100" : null, null, null));
        }
        assertThat(server.getRequestCount()).isEqualTo(before);
    }

    @Test
    void withTheApiServerStoppedItAnswersFromCacheMarkedStale() throws Exception { // how fast: StaleCacheBench, ./trainops bench
        server.destroy();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!index.freshness().stale() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        clock.advance(Duration.ofMinutes(1));

        GpuAvailability a = inventory.availability(new GpuAvailabilityRequest(null, null, null));

        assertThat(a.stale()).isTrue();
        assertThat(a.staleReason()).contains("watch on the Kubernetes API");
        assertThat(a.asOf()).isBefore(clock.instant());
        assertThat(a.pools()).isNotEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void rule2_gpuAvailabilityShowsCapacityButNoOtherTeamsNames() {
        dev.trainops.catalog.ToolCatalog catalog = new dev.trainops.catalog.ToolCatalog(java.util.List.of(GpuTools.getGpuAvailability(inventory)));
        dev.trainops.access.Principal bob = new dev.trainops.access.Principal("bob", java.util.Set.of("team-b"), dev.trainops.access.Role.VIEWER);
        dev.trainops.access.Principal alice = new dev.trainops.access.Principal("alice", java.util.Set.of("team-a"), dev.trainops.access.Role.MEMBER);
        java.util.Map<String, Object> asBob = ((dev.trainops.catalog.ToolOutcome.Success) catalog.invoke("get_gpu_availability",
                java.util.Map.of("gpu_type", "H100"), dev.trainops.catalog.CallContext.of(bob))).structured();
        java.util.Map<String, Object> asAlice = ((dev.trainops.catalog.ToolOutcome.Success) catalog.invoke("get_gpu_availability",
                java.util.Map.of("gpu_type", "H100"), dev.trainops.catalog.CallContext.of(alice))).structured();
        java.util.Map<String, Object> bobsPool = ((java.util.List<java.util.Map<String, Object>>) asBob.get("pools")).get(0);
        java.util.Map<String, Object> alicesPool = ((java.util.List<java.util.Map<String, Object>>) asAlice.get("pools")).get(0);
        // the next H100 to free up is team-a's llm-1: alice sees its name, bob sees that it frees up, when, and how many
        assertThat(((java.util.Map<String, Object>) alicesPool.get("next_free")).get("pod")).isEqualTo("team-a/llm-1");
        java.util.Map<String, Object> bobsNext = (java.util.Map<String, Object>) bobsPool.get("next_free");
        assertThat(bobsNext.get("pod")).isEqualTo("another team's job");
        assertThat(bobsNext.get("count")).isEqualTo(((java.util.Map<String, Object>) alicesPool.get("next_free")).get("count"));
        assertThat(((Number) bobsNext.get("in_seconds")).longValue()).isEqualTo(120L);
        // capacity is the same for both
        assertThat(bobsPool.get("free")).isEqualTo(alicesPool.get("free"));
        assertThat(asBob.get("nodes")).isEqualTo(asAlice.get("nodes"));
        assertThat(dev.trainops.catalog.Json.write(asBob)).doesNotContain("llm-1", "team-a/", "team-c/");
    }
}

package dev.trainops.app.bench;

import dev.trainops.gpu.GpuAvailability;
import dev.trainops.gpu.GpuAvailabilityRequest;
import dev.trainops.gpu.GpuInventory;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.kube.ClusterIndex;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.PrintStream;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * get_gpu_availability with the API server gone: the inventory answers from the informers' last
 * state, marked stale, without waiting on the cluster. How fast is a wall-clock figure, so it is
 * measured here and printed, not asserted in a unit test (GpuInventoryTest checks the answer).
 */
final class StaleCacheBench {
    private final PrintStream out;

    StaleCacheBench(PrintStream out) {
        this.out = out;
    }

    void run(int nodeCount, int gpusPerNode, int podCount, int calls) throws Exception {
        Clock clock = Clock.systemUTC();
        SyntheticCluster cluster = new SyntheticCluster(nodeCount, gpusPerNode, podCount, 42, clock.instant());
        KubernetesSerialization json = new KubernetesSerialization();
        Map<String, String> lists = Map.of("/api/v1/nodes", cluster.nodeListJson(json), "/api/v1/pods", cluster.podListJson(json));
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new PrerenderedDispatcher(lists), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        boolean serverUp = true;
        try (KubernetesClient client = server.createClient(); ClusterIndex index = new ClusterIndex(clock).start(client)) {
            if (!index.awaitSynced(Duration.ofMinutes(5))) {
                throw new IllegalStateException("the informers did not sync within 5 minutes");
            }
            GpuInventory inventory = new GpuInventory(index, GpuUtilization.UNKNOWN, clock, Duration.ofSeconds(30));
            GpuAvailabilityRequest all = new GpuAvailabilityRequest(null, null, null);
            inventory.availability(all);

            server.destroy();
            serverUp = false;
            long lostAt = System.nanoTime();
            long deadline = lostAt + Duration.ofSeconds(60).toNanos();
            while (!index.freshness().stale() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            if (!index.freshness().stale()) {
                out.println("get_gpu_availability with the API server stopped: skipped (the lost watch was not noticed within 60 s)");
                return;
            }
            long noticedMs = (System.nanoTime() - lostAt) / 1_000_000;
            long[] nanos = new long[calls];
            for (int i = 0; i < calls; i++) {
                long s = System.nanoTime();
                GpuAvailability a = inventory.availability(all);
                nanos[i] = System.nanoTime() - s;
                if (!a.stale()) {
                    throw new IllegalStateException("an answer without the API server was not marked stale");
                }
            }
            Arrays.sort(nanos);
            out.printf("get_gpu_availability with the API server stopped (last state, marked stale; %d nodes, %d pods): "
                            + "n=%d p50 %.2f ms, p99 %.2f ms, max %.2f ms (the lost watch noticed after %d ms)%n",
                    nodeCount, podCount, calls, nanos[calls / 2] / 1e6, nanos[Math.min(calls - 1, (int) (calls * 0.99))] / 1e6,
                    nanos[calls - 1] / 1e6, noticedMs);
        } finally {
            if (serverUp) {
                server.destroy();
            }
        }
    }
}

package dev.trainops.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Lease Role in deploy/base/rbac.yaml allows what fabric8 8's LeaderElector asks on Lease
 * {@code trainops-leader} in {@code trainops-system} (DESIGN.md, "Deployment"): read it, create it
 * when missing, and take, renew and release it by a JSON merge patch (not an update). Only the
 * "nothing missing" side: whether trainops elects a leader at all is for {@link LeastPrivilegeCheck}
 * to see in the recording, so these requests are not recorded there.
 */
class LeaseRoleTest {
    @Test
    void theLeaseRoleAllowsWhatFabric8sLeaderElectorAsksToLeadAndRelease() throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        List<ApiRequest> requests = new ArrayList<>();
        try (KubernetesClient client = server.createClient()) {
            CountDownLatch leading = new CountDownLatch(1);
            CountDownLatch stopped = new CountDownLatch(1);
            CompletableFuture<?> election = client.leaderElector().withConfig(new LeaderElectionConfigBuilder().withName("trainops")
                    .withLock(new LeaseLock(RbacFiles.NAMESPACE, "trainops-leader", "replica-1"))
                    .withLeaseDuration(Duration.ofSeconds(15)).withRenewDeadline(Duration.ofSeconds(10)).withRetryPeriod(Duration.ofSeconds(2))
                    .withReleaseOnCancel(true)
                    .withLeaderCallbacks(new LeaderCallbacks(leading::countDown, stopped::countDown, leader -> {
                    })).build()).build().start();
            assertThat(leading.await(60, TimeUnit.SECONDS)).as("replica-1 leads").isTrue();
            election.cancel(true);
            assertThat(stopped.await(60, TimeUnit.SECONDS)).as("replica-1 stops leading").isTrue();
            for (RecordedRequest r = server.takeRequest(1, TimeUnit.SECONDS); r != null; r = server.takeRequest(1, TimeUnit.SECONDS)) {
                String path = r.getPath();
                int q = path.indexOf('?');
                requests.add(new ApiRequest(r.getMethod(), q < 0 ? path : path.substring(0, q), q < 0 ? "" : path.substring(q + 1), null,
                        List.of()));
            }
        } finally {
            server.destroy();
        }
        assertThat(requests).extracting(r -> r.own().what()).as("fabric8's LeaseLock reads, creates and patches")
                .contains("get coordination.k8s.io/leases", "create coordination.k8s.io/leases", "patch coordination.k8s.io/leases");
        List<Grant> leaseGrants = RbacFiles.grants(RbacFiles.root(), List.of("deploy/base/rbac.yaml")).stream()
                .filter(g -> "leases".equals(g.resource())).toList();
        LeastPrivilege.Verdict verdict = LeastPrivilege.compare(requests, leaseGrants, List.of("deploy/base/rbac.yaml"));
        assertThat(verdict.missing()).isEmpty();
        assertThat(verdict.unused()).as("each lease grant is one the elector uses").isEmpty();
    }
}

package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.monitor.Metrics;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Leadership by the Lease trainops-leader (docs/architecture.md, "Roles of a process"): candidates
 * on fabric8's CRUD mock API server, with short durations (a 2 s lease) so each case takes seconds.
 */
class LeaseElectionTest {
    static final String NAMESPACE = "trainops-system";
    /** A 2 s lease, renewed within 1 s, retried every 200 ms (fabric8 adds up to 240 ms of jitter). */
    static final LeaseElection.Timing FAST = new LeaseElection.Timing(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofMillis(200));
    /**
     * A 10 s lease renewed within 5 s: for the cases that need the leader to keep its lease while a
     * busy machine stalls a thread for seconds (the successor then comes from a release).
     */
    static final LeaseElection.Timing STEADY = new LeaseElection.Timing(Duration.ofSeconds(10), Duration.ofSeconds(5),
            Duration.ofMillis(200));
    /** How long a test waits for what should happen well before (a busy CI machine). */
    static final Duration PATIENCE = Duration.ofSeconds(15);

    KubernetesMockServer server;
    KubernetesClient client;
    final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void apiServer() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : toClose) {
            c.close();
        }
        client.close();
        server.destroy();
    }

    LeaseElection candidate(String name, LeaseElection.Timing timing) {
        return candidate(name, timing, Executors.newSingleThreadScheduledExecutor());
    }

    LeaseElection candidate(String name, LeaseElection.Timing timing, ScheduledExecutorService executor) {
        LeaseElection e = new LeaseElection(new TrainopsConfig.Candidate(NAMESPACE, name), timing, executor);
        toClose.add(e);
        return e;
    }

    Lease lease() {
        return client.leases().inNamespace(NAMESPACE).withName(LeaseElection.LEASE).get();
    }

    @Test
    void ofTwoCandidatesExactlyOneLeadsAndTheLeaseNamesIt() throws Exception {
        LeaseElection a = candidate("trainops-a", STEADY);
        LeaseElection b = candidate("trainops-b", STEADY);
        a.start(client);
        b.start(client);

        await(() -> a.leading() || b.leading(), "one of two candidates leads");
        // several renewals and retries later, still exactly one
        for (int i = 0; i < 20; i++) {
            assertThat(a.leading() ^ b.leading()).as("exactly one leads").isTrue();
            Thread.sleep(50);
        }
        LeaseElection leader = a.leading() ? a : b;
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(leader.identity());
        assertThat(lease().getSpec().getLeaseDurationSeconds()).isEqualTo(10);
    }

    @Test
    void aLeaderThatStopsRenewingIsReplacedOnceItsLeaseRunsOutAndNotBefore() throws Exception {
        ScheduledExecutorService aThreads = Executors.newSingleThreadScheduledExecutor();
        LeaseElection a = candidate("trainops-a", FAST, aThreads);
        a.start(client);
        await(a::leading, "the first candidate leads");
        LeaseElection b = candidate("trainops-b", FAST);
        b.start(client);

        // what a SIGKILL leaves: nothing renews the lease, nothing releases it
        aThreads.shutdownNow();
        assertThat(aThreads.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        Lease held = lease();
        assertThat(held.getSpec().getHolderIdentity()).isEqualTo(a.identity());
        ZonedDateTime lastRenewal = held.getSpec().getRenewTime();
        long crashed = System.nanoTime();

        ZonedDateTime expired = lastRenewal.plus(FAST.leaseDuration());
        await(() -> {
            boolean leads = b.leading();
            // seen leading (at most 20 ms after it took the lease): never while the dead leader's lease still ran
            assertThat(!leads || ZonedDateTime.now(ZoneOffset.UTC).isAfter(expired)).as("taken before the lease ran out").isTrue();
            return leads;
        }, "the other candidate leads");
        ZonedDateTime seen = ZonedDateTime.now(ZoneOffset.UTC);
        Duration takeover = Duration.ofNanos(System.nanoTime() - crashed);

        Lease taken = lease();
        assertThat(taken.getSpec().getHolderIdentity()).isEqualTo(b.identity());
        assertThat(taken.getSpec().getLeaseTransitions()).isEqualTo(1);
        assertThat(seen).as("taken at a retry after the lease ran out (retry 200 ms + jitter, with room)").isBefore(expired.plusSeconds(3));
        System.out.println("takeover after a crash: " + takeover.toMillis() + " ms (lease " + FAST.leaseDuration().toMillis() + " ms)");
    }

    @Test
    void aLeaderThatStopsReleasesTheLeaseSoTheOtherLeadsAtOnceRatherThanWhenItRunsOut() throws Exception {
        // a 10 s lease: a successor in under 5 s can only come from the release
        LeaseElection a = candidate("trainops-a", STEADY);
        a.start(client);
        await(a::leading, "the first candidate leads");
        LeaseElection b = candidate("trainops-b", STEADY);
        b.start(client);

        long stopped = System.nanoTime();
        a.close();

        assertThat(a.leading()).isFalse();
        await(b::leading, Duration.ofSeconds(5), "the other candidate leads");
        System.out.println("takeover after a release: " + Duration.ofNanos(System.nanoTime() - stopped).toMillis() + " ms (lease 10 s)");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(b.identity());
    }

    @Test
    void aStopWaitsForTheReleaseAtMostTheReleaseWaitWhenTheApiServerIsGone() throws Exception {
        LeaseElection a = candidate("trainops-a", STEADY);
        a.start(client);
        await(a::leading, "the candidate leads");
        server.destroy();

        // fabric8 retries a refused connection with backoff for far longer; the stop must not wait for that
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(LeaseElection.RELEASE_WAIT.plusSeconds(10), a::close);
        assertThat(a.leading()).isFalse();
    }

    @Test
    void aLeaderWhoseRenewalHangsStopsLeadingBeforeItsLeaseRunsOut() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean hang = new java.util.concurrent.atomic.AtomicBoolean();
        KubernetesMockServer hanging = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher() {
                    @Override
                    public io.fabric8.mockwebserver.http.MockResponse dispatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
                        // an API server that stops answering (a partition) until the test ends
                        while (hang.get()) {
                            try {
                                Thread.sleep(50);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                break;
                            }
                        }
                        return super.dispatch(request);
                    }
                }, false);
        hanging.init(InetAddress.getLoopbackAddress(), 0);
        KubernetesClient hangingClient = hanging.createClient();
        try {
            LeaseElection a = new LeaseElection(new TrainopsConfig.Candidate(NAMESPACE, "trainops-a"), FAST,
                    Executors.newSingleThreadScheduledExecutor());
            a.start(hangingClient);
            await(a::leading, "the candidate leads");
            ZonedDateTime expires = hangingClient.leases().inNamespace(NAMESPACE).withName(LeaseElection.LEASE).get().getSpec().getRenewTime()
                    .plus(FAST.leaseDuration());

            hang.set(true);

            await(() -> !a.leading(), "it stops leading");
            assertThat(ZonedDateTime.now(ZoneOffset.UTC)).as("no longer leading while its last renewal's lease still runs").isBefore(expires);
            hang.set(false);
            a.close();
        } finally {
            hang.set(false);
            hangingClient.close();
            hanging.destroy();
        }
    }

    @Test
    void losingTheLeaseDoesNotEndTheCandidacy() throws Exception {
        LeaseElection a = candidate("trainops-a", FAST);
        a.start(client);
        await(a::leading, "the candidate leads");

        // someone else takes the lease (a replica the API server heard from while this one was cut off) and then dies
        for (int attempt = 1; ; attempt++) {
            ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
            try {
                client.leases().inNamespace(NAMESPACE).withName(LeaseElection.LEASE).edit(l -> new LeaseBuilder(l).editSpec()
                        .withHolderIdentity("trainops-other").withAcquireTime(now).withRenewTime(now).endSpec().build());
                break;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                // the leader renewed in between: read again and retry, as a real writer would
                if (e.getCode() != 409 || attempt == 20) {
                    throw e;
                }
            }
        }

        await(() -> !a.leading(), "it stops leading once it sees the lease held by another");
        await(a::leading, "it leads again once that lease runs out");
        assertThat(lease().getSpec().getHolderIdentity()).isEqualTo(a.identity());
    }

    @Test
    void theElectionAsksTheApiServerOnlyToGetCreateAndPatchItsLease() throws Exception {
        ReadOnlyModeTest.drain(server);
        LeaseElection a = candidate("trainops-a", FAST);
        LeaseElection b = candidate("trainops-b", FAST);
        a.start(client);
        b.start(client);
        await(() -> a.leading() || b.leading(), "one leads");
        Thread.sleep(600);
        (a.leading() ? a : b).close();
        await(() -> a.leading() || b.leading(), "the other leads");

        List<String> requests = ReadOnlyModeTest.drain(server);
        String lease = "/apis/coordination.k8s.io/v1/namespaces/" + NAMESPACE + "/leases";
        // what deploy/'s Role must allow (the rbac lane's least-privilege check reads the same requests)
        assertThat(requests).allSatisfy(r -> assertThat(r).matches("(GET|PATCH) \\Q" + lease + "/" + LeaseElection.LEASE + "\\E|POST \\Q"
                + lease + "\\E"));
        assertThat(requests).anyMatch(r -> r.startsWith("GET ")).anyMatch(r -> r.startsWith("POST ")).anyMatch(r -> r.startsWith("PATCH "));
    }

    @Test
    void theControlLoopsOfAReplicaThatDoesNotLeadDoNotRunAndStartWhenItLeads() throws Exception {
        LeaseElection a = candidate("trainops-a", STEADY);
        a.start(client);
        await(a::leading, "the first replica leads");
        LeaseElection b = candidate("trainops-b", STEADY);
        b.start(client);
        Metrics bMetrics = new Metrics(List.of(), List.of(), "USD");
        BackgroundLoops aLoops = loops(new Metrics(List.of(), List.of(), "USD"), a);
        BackgroundLoops bLoops = loops(bMetrics, b);
        AtomicInteger aAdmission = new AtomicInteger();
        AtomicInteger bAdmission = new AtomicInteger();
        AtomicInteger bCache = new AtomicInteger();
        aLoops.control("admission", Duration.ofMillis(50), aAdmission::incrementAndGet).start(Duration.ZERO);
        bLoops.control("admission", Duration.ofMillis(50), bAdmission::incrementAndGet).start(Duration.ZERO);
        bLoops.loop("dcgm-refresh", Duration.ofMillis(50), bCache::incrementAndGet).start(Duration.ZERO);

        await(() -> aAdmission.get() >= 5 && bCache.get() >= 5, "the leader's admission and the other's cache ran a few passes");
        assertThat(b.leading()).isFalse();
        assertThat(bAdmission).as("admission passes of the replica that does not lead").hasValue(0);
        assertThat(BackgroundLoopsTest.sample(bMetrics.scrape(), "trainops_background_loop_last_success_timestamp_seconds",
                "loop=\"admission\"")).as("a skipped pass is no success").isZero();
        assertThat(bMetrics.scrape()).contains("trainops_leader 0.0");

        a.close();
        aLoops.close();
        int aFinal = aAdmission.get();
        await(() -> bAdmission.get() >= 3, "the new leader's admission runs");
        assertThat(aAdmission).as("the old leader's admission stopped").hasValue(aFinal);
        assertThat(bMetrics.scrape()).contains("trainops_leader 1.0");
    }

    BackgroundLoops loops(Metrics metrics, LeaseElection election) {
        metrics.leader(election::leading);
        BackgroundLoops loops = new BackgroundLoops(Clock.systemUTC(), metrics, election::leading);
        toClose.add(0, loops);
        return loops;
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        await(condition, PATIENCE, what);
    }

    static void await(BooleanSupplier condition, Duration within, String what) throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + within.toSeconds() + " s: " + what);
            }
            Thread.sleep(20);
        }
    }
}

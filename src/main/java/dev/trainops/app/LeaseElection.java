package dev.trainops.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectorBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaderElectionRecord;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.Lock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership by the Kubernetes Lease {@code trainops-leader}, through fabric8's LeaderElector
 * (docs/architecture.md, "Roles of a process"): each replica on a shared store stands; the holder
 * runs the control loops, renews every retry period and stops leading when it could not renew
 * for the renew deadline (before the lease runs out, so two never lead at once by the Lease); a
 * candidate takes a lease nobody renewed for its duration. A round that ends (lease lost, API
 * server away too long) is followed by another, so losing the lease never ends a replica's
 * candidacy. {@link #close()} releases the lease (releaseOnCancel), so a successor takes over
 * at its next retry rather than after the lease duration.
 *
 * <p>Requests, all in the Lease's namespace: {@code get}, {@code create} and {@code patch} (JSON
 * merge) of {@code leases.coordination.k8s.io} named {@code trainops-leader}.
 */
final class LeaseElection implements Leadership {
    private static final Logger log = LoggerFactory.getLogger(LeaseElection.class);
    static final String LEASE = "trainops-leader";
    /** How long a stop waits for the release of the lease (one read and one patch). */
    static final Duration RELEASE_WAIT = Duration.ofSeconds(5);

    /**
     * How long a lease lasts, how long the leader keeps trying to renew before it stops leading,
     * and how often a candidate tries to take the lease (fabric8 adds up to 1.2 times of jitter).
     */
    record Timing(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        /**
         * What the product uses: a dead leader is replaced within 15 s plus one retry. fabric8 waits 1 to
         * 2.2 retry periods between attempts, so a 750 ms retry keeps the takeover under 15 s plus one
         * admission period (2 s) at worst: 15 + 2.2 x 0.75 = 16.65 s (a 2 s retry could take 19.4 s).
         */
        static final Timing PRODUCT = new Timing(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofMillis(750));

        Timing {
            if (leaseDuration.toMillis() % 1000 != 0 || leaseDuration.isNegative() || leaseDuration.isZero()) {
                throw new IllegalArgumentException("the lease duration must be whole seconds (a Lease holds seconds), was " + leaseDuration);
            }
            if (renewDeadline.compareTo(leaseDuration) >= 0) {
                throw new IllegalArgumentException("the renew deadline must be shorter than the lease duration");
            }
            if (renewDeadline.compareTo(retryPeriod.multipliedBy(22).dividedBy(10)) <= 0) {
                throw new IllegalArgumentException("the renew deadline must be longer than 2.2 retry periods (a retry with its jitter)");
            }
        }
    }

    private final TrainopsConfig.Candidate candidate;
    private final Timing timing;
    private final ScheduledExecutorService executor;
    private final AtomicBoolean leading = new AtomicBoolean();
    /** System.nanoTime() when the attempt behind the last successful write of the lease began. */
    private volatile long renewedAt;
    private volatile boolean closed;
    private KubernetesClient client;
    private CompletableFuture<?> round;

    LeaseElection(TrainopsConfig.Candidate candidate, Timing timing) {
        this(candidate, timing, Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "leader-election");
            t.setDaemon(true);
            return t;
        }));
    }

    /** With the executor the elector renews on (a test stops it to leave the lease unrenewed, as a killed process does). */
    LeaseElection(TrainopsConfig.Candidate candidate, Timing timing, ScheduledExecutorService executor) {
        this.candidate = candidate;
        this.timing = timing;
        this.executor = executor;
    }

    /**
     * Leading, and the lease was last written less than the renew deadline ago. The second half
     * does not wait for fabric8 to notice: a renewal whose request hangs (the client retries a lost
     * API server with backoff for minutes) would otherwise keep this replica leading after its
     * lease ran out and another took it.
     */
    @Override
    public boolean leading() {
        return leading.get() && System.nanoTime() - renewedAt < timing.renewDeadline().toNanos();
    }

    String identity() {
        return candidate.identity();
    }

    /** Stands for leader through {@code client}; once. */
    @Override
    public synchronized void start(KubernetesClient client) {
        if (closed || this.client != null) {
            return;
        }
        this.client = client;
        log.info("standing for leader as {} (Lease {}/{}, {} s)", candidate.identity(), candidate.namespace(), LEASE,
                timing.leaseDuration().toSeconds());
        elect();
    }

    /** One round of fabric8's elector: acquire, then renew until the lease is lost or this process stops. */
    private synchronized void elect() {
        if (closed) {
            return;
        }
        Lock lock = new ReportingLock(new LeaseLock(candidate.namespace(), LEASE, candidate.identity()));
        CompletableFuture<?> r = new LeaderElectorBuilder(client, executor).withConfig(new LeaderElectionConfigBuilder()
                .withName(LEASE)
                .withLock(lock)
                .withLeaseDuration(timing.leaseDuration())
                .withRenewDeadline(timing.renewDeadline())
                .withRetryPeriod(timing.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped, this::newLeader))
                .build()).build().start();
        round = r;
        r.whenComplete((v, t) -> ended(t));
    }

    /** The round ended: unless this process is stopping, stand again after a retry period. */
    private void ended(Throwable t) {
        stopped();
        if (closed) {
            return;
        }
        Throwable cause = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        if (cause != null && !(cause instanceof CancellationException)) {
            log.warn("the leader election failed: {}; standing again", BackgroundLoops.message(cause));
        } else {
            log.debug("the leader election round ended; standing again");
        }
        try {
            executor.schedule(this::elect, timing.retryPeriod().toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopping) {
            log.debug("not standing again: the elector's executor is stopped");
        }
    }

    private void started() {
        if (leading.compareAndSet(false, true)) {
            log.info("this replica ({}) leads: the control loops run here (Lease {}/{})", candidate.identity(), candidate.namespace(), LEASE);
        }
    }

    private void stopped() {
        if (leading.compareAndSet(true, false)) {
            log.info("this replica ({}) no longer leads: its control loops pause", candidate.identity());
        }
    }

    private void newLeader(String identity) {
        if (identity == null || identity.isEmpty()) {
            log.info("the Lease {}/{} is free", candidate.namespace(), LEASE);
        } else if (!identity.equals(candidate.identity())) {
            log.info("the leader is {}", identity);
        }
    }

    /**
     * Gives the lease up when this replica holds it (the successor takes over at its next retry),
     * then stops standing. Waits for the release's requests, at most {@link #RELEASE_WAIT}.
     */
    @Override
    public void close() {
        CompletableFuture<?> r;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            r = round;
        }
        if (r != null) {
            // fabric8 releases (releaseOnCancel) in the cancelling thread; an API server that does not
            // answer must not hold the stop: then the successor takes the lease when it runs out
            Thread releaser = new Thread(() -> r.cancel(true), "lease-release");
            releaser.setDaemon(true);
            releaser.start();
            try {
                releaser.join(RELEASE_WAIT.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (releaser.isAlive()) {
                log.info("the Lease {}/{} was not released within {} s; a successor takes it when it runs out", candidate.namespace(), LEASE,
                        RELEASE_WAIT.toSeconds());
            }
        }
        stopped();
        executor.shutdownNow();
    }

    /**
     * The Lease lock, saying in trainops's log what fabric8's would log with a stack trace every retry:
     * a failing Lease request (WARN once per streak, with what to check on 403; a conflict between
     * candidates is normal and only DEBUG), and when the Lease answers again (INFO).
     */
    private final class ReportingLock implements Lock {
        private final Lock lock;
        private final String namespace = candidate.namespace();
        private volatile boolean failing;
        /** When the elector's current attempt began: it reads the lease first, then creates or updates it. */
        private volatile long attemptStart;

        ReportingLock(Lock lock) {
            this.lock = lock;
        }

        @Override
        public LeaderElectionRecord get(KubernetesClient client) {
            attemptStart = System.nanoTime();
            try {
                LeaderElectionRecord r = lock.get(client);
                answered();
                return r;
            } catch (RuntimeException e) {
                throw failed("read", e);
            }
        }

        @Override
        public void create(KubernetesClient client, LeaderElectionRecord record) {
            try {
                lock.create(client, record);
                renewedAt = attemptStart;
                answered();
            } catch (RuntimeException e) {
                throw failed("create", e);
            }
        }

        @Override
        public void update(KubernetesClient client, LeaderElectionRecord record) {
            try {
                lock.update(client, record);
                renewedAt = attemptStart;
                answered();
            } catch (RuntimeException e) {
                throw failed("update", e);
            }
        }

        @Override
        public String identity() {
            return lock.identity();
        }

        @Override
        public String describe() {
            return lock.describe();
        }

        private void answered() {
            if (failing) {
                failing = false;
                log.info("the Lease {}/{} answers again", namespace, LEASE);
            }
        }

        /**
         * Any failure as a KubernetesClientException: the elector retries those, while another
         * exception would end its acquire loop without ending the round.
         */
        private KubernetesClientException failed(String what, RuntimeException thrown) {
            KubernetesClientException e = thrown instanceof KubernetesClientException k ? k
                    : new KubernetesClientException(BackgroundLoops.message(thrown), thrown);
            if (e.getCode() == 409) {
                log.debug("another candidate changed the Lease {}/{} first", namespace, LEASE);
            } else if (!failing) {
                failing = true;
                log.warn("cannot {} the Lease {}/{} (HTTP {}): {}{}", what, namespace, LEASE, e.getCode(), BackgroundLoops.message(e),
                        e.getCode() == 403 ? "; the ServiceAccount needs get, create and patch on leases (coordination.k8s.io) there" : "");
            } else {
                log.debug("cannot {} the Lease {}/{}: {}", what, namespace, LEASE, BackgroundLoops.message(e));
            }
            return e;
        }
    }
}

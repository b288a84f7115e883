package dev.trainops.operator;

import dev.trainops.access.Principal;
import dev.trainops.audit.AuditTrail;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.Owner;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TrainingJob controller (DESIGN.md, "Kubernetes API"; docs/kubernetes.md): a fabric8 informer on TrainingJobs in
 * every namespace feeds a {@link KeyedWorkQueue}; each {@link #pass()} of its control loop (on the leader only) drains
 * it, reconciling each object against the queue ({@link TrainingJobReconciler}), and every {@link #RESYNC_EVERY} reads
 * the queue once ({@link QueueView}), so every object's status follows its job, jobs queued through MCP get their
 * mirrors ({@link Mirrors}), and the job of a TrainingJob deleted while no controller watched is cancelled. Without the
 * CRD (its GET answers 404) the controller stays off, says so once, and looks again every {@link #CRD_CHECK_EVERY}.
 */
public final class TrainingJobController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingJobController.class);
    /** The control loop's name (Metrics.BACKGROUND_LOOPS, docs/architecture.md "Background loops"). */
    public static final String LOOP = "trainingjob-controller";
    /** Who the controller's queue calls are by, in the audit log: an admin, as the cluster's RBAC let the object be created. */
    public static final Principal PRINCIPAL = Principal.admin("trainops-controller");
    public static final Duration PASS_EVERY = Duration.ofMillis(500);
    public static final Duration RESYNC_EVERY = Duration.ofSeconds(2);
    public static final Duration CRD_CHECK_EVERY = CrdCheck.EVERY;
    static final String BY_JOB_ID = "byMirroredJob";
    static final String BY_UID = "byUid";

    private final KubernetesClient client;
    private final JobQueue queue;
    private final Clock clock;
    private final KeyedWorkQueue work = new KeyedWorkQueue();
    private final TrainingJobReconciler reconciler;
    private final Mirrors mirrors;
    /** Objects deleted and not yet handled, by key: the informer's last copy of each. */
    private final Map<String, TrainingJob> deletions = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<TrainingJob> informer;
    private volatile QueueView view = QueueView.EMPTY;
    private Instant nextResync = Instant.MIN;
    private final CrdCheck crd;
    private volatile boolean closed;

    public TrainingJobController(KubernetesClient client, JobQueue queue, AuditTrail audit, Clock clock) {
        this.client = client;
        this.queue = queue;
        this.clock = clock;
        this.reconciler = new TrainingJobReconciler(queue, new StatusWriter(client), new EventRecorder(client, clock), audit, clock,
                () -> view, this::latest);
        this.mirrors = new Mirrors(client);
        this.crd = new CrdCheck(client, TrainingJob.CRD_NAME, "TrainingJob controller", clock);
    }

    /** Whether the TrainingJob CRD is installed: a 404 says no; any other refusal is thrown. */
    public static boolean crdInstalled(KubernetesClient client) {
        return CrdCheck.installed(client, TrainingJob.CRD_NAME);
    }

    /**
     * One pass of the control loop: starts the informer once the CRD is there, reads the queue when a resync is due,
     * then reconciles the objects waiting in the work queue. A reconcile that fails is tried again next pass, and the
     * first failure is thrown after the others were reconciled (the loop counts and logs it).
     */
    public void pass() {
        if (!running()) {
            return;
        }
        Instant now = clock.instant();
        if (!now.isBefore(nextResync)) {
            nextResync = now.plus(RESYNC_EVERY);
            resync();
        }
        drain();
    }

    /** Whether the informer runs (the CRD is installed); checks the CRD when a check is due. */
    public synchronized boolean running() {
        if (informer != null) {
            return true;
        }
        if (closed || !crd.found()) {
            return false;
        }
        informer = start();
        log.info("TrainingJob controller on: watching TrainingJobs in every namespace");
        return true;
    }

    /**
     * The CRD was installed just now (the sandbox seeds it; a test installs it): the next pass looks it up instead of
     * waiting out {@link #CRD_CHECK_EVERY}.
     */
    public void lookForTheCrdNow() {
        crd.lookNow();
    }

    private SharedIndexInformer<TrainingJob> start() {
        SharedIndexInformer<TrainingJob> i = client.resources(TrainingJob.class).inAnyNamespace().runnableInformer(0);
        i.addIndexers(Map.of(
                BY_JOB_ID, tj -> Optional.ofNullable(TrainingJobRequests.mirroredJob(tj)).map(List::of).orElse(List.of()),
                BY_UID, tj -> tj.getMetadata().getUid() == null ? List.of() : List.of(tj.getMetadata().getUid())));
        i.addEventHandler(new ResourceEventHandler<TrainingJob>() {
            @Override
            public void onAdd(TrainingJob tj) {
                work.add(key(tj));
            }

            @Override
            public void onUpdate(TrainingJob before, TrainingJob after) {
                work.add(key(after));
            }

            @Override
            public void onDelete(TrainingJob tj, boolean finalStateUnknown) {
                deletions.put(key(tj), tj);
                work.add(key(tj));
            }
        });
        i.start();
        return i;
    }

    /**
     * Reads the queue, queues every object for a reconcile (each writes only what changed), creates and retires
     * mirrors, and cancels the active jobs of TrainingJobs that are gone. Only on a synced cache: an object missing
     * from one that is still listing is not gone.
     */
    void resync() {
        view = QueueView.read(queue, PRINCIPAL, clock.instant());
        SharedIndexInformer<TrainingJob> i = informer;
        if (i == null || !i.hasSynced()) {
            return;
        }
        i.getStore().listKeys().forEach(work::add);
        List<TrainingJob> all = i.getStore().list();
        mirrors.sync(view, jobId -> i.getIndexer().byIndex(BY_JOB_ID, jobId).stream().findFirst().orElse(null),
                all.stream().filter(TrainingJobRequests::isMirror).toList());
        for (QueuedJob job : view.jobs().values()) {
            Optional<Owner> owner = Owner.of(job);
            if (!job.state().terminal() && owner.isPresent() && TrainingJob.class.getSimpleName().equals(owner.get().kind())
                    && TrainingJob.API_VERSION.equals(owner.get().apiVersion())
                    && i.getIndexer().byIndex(BY_UID, owner.get().uid()).isEmpty()
                    && deletions.values().stream().noneMatch(d -> owner.get().uid().equals(d.getMetadata().getUid()))) {
                reconciler.cancel(job, "TrainingJob " + job.team() + "/" + owner.get().name() + " was deleted");
            }
        }
    }

    /** Reconciles the keys waiting now (one added again meanwhile waits for the next pass). */
    void drain() {
        RuntimeException first = null;
        int failed = 0;
        for (int n = work.size(); n > 0; n--) {
            Optional<String> key = work.poll();
            if (key.isEmpty()) {
                break;
            }
            boolean retry = false;
            try {
                reconcile(key.get());
            } catch (RuntimeException e) {
                retry = true;
                failed++;
                first = first == null ? e : first;
            } finally {
                work.done(key.get(), retry);
            }
        }
        if (first != null) {
            throw new IllegalStateException(failed + " TrainingJob(s) not reconciled, tried again next pass: " + first.getMessage(), first);
        }
    }

    private void reconcile(String key) {
        TrainingJob gone = deletions.remove(key);
        TrainingJob now = informer.getStore().getByKey(key);
        if (gone != null && (now == null || !now.getMetadata().getUid().equals(gone.getMetadata().getUid()))) {
            try {
                reconciler.deleted(gone);
            } catch (RuntimeException e) {
                deletions.putIfAbsent(key, gone);
                throw e;
            }
        }
        if (now != null) {
            reconciler.reconcile(now);
        }
    }

    /** The informer's copy of {@code tj} (null: gone): a status write that met a conflict is made again on it. */
    TrainingJob latest(TrainingJob tj) {
        SharedIndexInformer<TrainingJob> i = informer;
        return i == null ? null : i.getStore().getByKey(key(tj));
    }

    private static String key(TrainingJob tj) {
        return KeyedWorkQueue.key(tj.getMetadata().getNamespace(), tj.getMetadata().getName());
    }

    /** Objects waiting for a reconcile (tests). */
    int waiting() {
        return work.size();
    }

    /** The informer's copies (tests), empty while it does not run. */
    List<TrainingJob> cached() {
        SharedIndexInformer<TrainingJob> i = informer;
        return i == null ? List.of() : new ArrayList<>(i.getStore().list());
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (informer != null) {
            informer.close();
        }
    }
}

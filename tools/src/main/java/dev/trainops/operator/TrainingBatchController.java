package dev.trainops.operator;

import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditTrail;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.Json;
import dev.trainops.catalog.Progress;
import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolException;
import dev.trainops.queue.BatchRequest;
import dev.trainops.queue.BatchStatus;
import dev.trainops.queue.BatchStatusRequest;
import dev.trainops.queue.CancelRequest;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.Owner;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingBatchStatus;
import dev.trainops.resource.TrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TrainingBatch controller (docs/kubernetes.md, "TrainingBatch"): an informer on TrainingBatch objects feeds a
 * {@link KeyedWorkQueue}; each {@link #pass()} reconciles the keys waiting. A new object is a {@code submit_batch_training}
 * call by trainops-controller through the tool's own path (its arguments bound and checked as a tool call's, the
 * queue's validation, quota and budget rules, the audit log), with the object's uid as idempotency key and its
 * namespace as team; its jobs' batch/v1 Jobs are owned by it ({@link Owner}). Accepted, its status follows the queue's
 * batch (each job's state, progress, estimate, cost so far); refused, it is REJECTED with the reason and the numbers,
 * and a Warning Event says so. A spec changed after submission is not submitted again (SpecApplied=False). The jobs of
 * a batch whose object is gone are cancelled (audited as cancel_training_job), whether the delete was seen or happened
 * while no controller ran. Status is written through the status subresource, only when it changed ({@link StatusWriter}).
 */
public final class TrainingBatchController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingBatchController.class);
    /** Who its submissions and cancellations are by, in the audit log: the TrainingJob controller's principal. */
    static final Principal PRINCIPAL = TrainingJobController.PRINCIPAL;
    /** How often batches without an object are looked for when no delete was seen. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);

    private final KubernetesClient client;
    private final JobQueue queue;
    private final AuditTrail audit;
    private final Clock clock;
    private final KeyedWorkQueue work = new KeyedWorkQueue();
    private final StatusWriter writer;
    private final EventRecorder events;
    /** uid to the batch of each object this process submitted, until the object's status shows it. */
    private final Map<String, Submitted> accepted = new ConcurrentHashMap<>();
    /** uid to namespace/name of objects deleted, for the reason their jobs are cancelled with. */
    private final Map<String, String> deleted = new ConcurrentHashMap<>();
    private volatile SharedIndexInformer<TrainingBatch> informer;
    private volatile boolean sweepDue = true;
    private Instant lastSweep = Instant.MIN;

    /** @param audit where its submissions and cancellations are recorded, as the tools' are */
    public TrainingBatchController(KubernetesClient client, JobQueue queue, AuditTrail audit, Clock clock) {
        this.client = client;
        this.queue = queue;
        this.audit = audit;
        this.clock = clock;
        this.writer = new StatusWriter(client);
        this.events = new EventRecorder(client, clock);
    }

    /** Starts the informer and returns at once; passes do nothing until it has synced. */
    public TrainingBatchController start() {
        SharedIndexInformer<TrainingBatch> i = client.resources(TrainingBatch.class).inAnyNamespace().runnableInformer(0);
        i.addEventHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(TrainingBatch b) {
                work.add(key(b));
            }

            @Override
            public void onUpdate(TrainingBatch before, TrainingBatch after) {
                work.add(key(after));
            }

            @Override
            public void onDelete(TrainingBatch b, boolean unknownFinalState) {
                if (b.getMetadata().getUid() != null) {
                    deleted.put(b.getMetadata().getUid(), key(b));
                }
                sweepDue = true;
            }
        });
        informer = i;
        i.start();
        return this;
    }

    /** Whether the informer has listed the objects once (before that, a pass does nothing). */
    public boolean synced() {
        SharedIndexInformer<TrainingBatch> i = informer;
        return i != null && i.hasSynced();
    }

    /**
     * One pass of the control loop: every object not finished is looked at again (its queue moved on), batches whose
     * object is gone are cancelled (after a delete, else once per {@link #SWEEP_EVERY}), and the keys waiting are
     * reconciled; a key that failed waits again for the next pass.
     */
    public void pass() {
        if (!synced()) {
            return;
        }
        for (TrainingBatch b : informer.getStore().list()) {
            // a spec changed comes as an update event; an object not finished follows its batch, which moves without one
            if (!BatchProgress.finished(b.getStatus())) {
                work.add(key(b));
            }
        }
        Instant now = clock.instant();
        if (sweepDue || !now.isBefore(lastSweep.plus(SWEEP_EVERY))) {
            sweepDue = false;
            lastSweep = now;
            sweep();
        }
        int keys = work.size();
        for (int n = 0; n < keys; n++) {
            Optional<String> key = work.poll();
            if (key.isEmpty()) {
                return;
            }
            boolean ok = false;
            try {
                ok = reconcile(key.get());
            } catch (RuntimeException e) {
                log.warn("TrainingBatch {}: {}", key.get(), e.getMessage());
            } finally {
                work.done(key.get(), !ok);
            }
        }
    }

    /** Brings one object's status up to date; false when it must be tried again. */
    boolean reconcile(String key) {
        TrainingBatch b = informer.getStore().getByKey(key);
        if (b == null) {
            return true; // gone: the sweep cancels its jobs
        }
        TrainingBatchStatus before = b.getStatus();
        long generation = generation(b);
        Instant now = clock.instant();
        Submitted known = accepted.get(b.getMetadata().getUid());
        if ((before == null || before.getBatchId() == null) && known != null) {
            // submitted by an earlier pass whose status write failed or the informer has not shown yet
            return accepted(b, known, generation, before, now);
        }
        if (before == null || before.getBatchId() == null) {
            if (BatchProgress.rejectedAt(before, generation)) {
                return true;
            }
            Optional<String> mismatch = BatchManifest.teamMismatch(b);
            if (mismatch.isPresent()) {
                return reject(b, BatchProgress.rejected("INVALID_ARGUMENT", mismatch.get(), generation, before, now));
            }
            String batchId;
            try {
                batchId = submit(b);
            } catch (ToolException e) {
                if (e.code().retryableByDefault()) {
                    log.info("TrainingBatch {}: not submitted yet ({}): {}", key, e.code(), e.getMessage());
                    return false;
                }
                return reject(b, BatchProgress.rejected(e, generation, before, now));
            }
            Submitted submitted = new Submitted(batchId, generation);
            accepted.put(b.getMetadata().getUid(), submitted);
            return accepted(b, submitted, generation, before, now);
        }
        accepted.remove(b.getMetadata().getUid());
        long submitted = before.getObservedGeneration() == null ? generation : before.getObservedGeneration();
        Optional<TrainingBatchStatus> next = follow(before.getBatchId(), submitted, generation, before, now);
        if (next.isEmpty()) {
            log.warn("TrainingBatch {}: its batch {} is not in the queue's store", key, before.getBatchId());
            return true;
        }
        return TrainingJobStatuses.same(before, next.get()) || write(b, next.get());
    }

    /** A batch this process submitted and the generation it submitted. */
    private record Submitted(String batchId, long generation) {
    }

    /** The first status of an object just submitted, and the Normal Event that says so; false when not written yet. */
    private boolean accepted(TrainingBatch b, Submitted submitted, long generation, TrainingBatchStatus before, Instant now) {
        Optional<TrainingBatchStatus> next = follow(submitted.batchId(), submitted.generation(), generation, before, now);
        if (next.isEmpty() || !write(b, next.get())) {
            return false;
        }
        events.normal(b, "Queued", "Queued as batch " + submitted.batchId() + " (" + b.getSpec().getJobs().size() + " jobs, "
                + (Boolean.TRUE.equals(b.getSpec().getParallel()) ? "parallel" : "one after another") + ").");
        return true;
    }

    private boolean reject(TrainingBatch b, TrainingBatchStatus rejected) {
        if (!write(b, rejected)) {
            return false;
        }
        events.warning(b, "Rejected", rejected.getReason() + ": " + rejected.getReasonDetail());
        return true;
    }

    /**
     * submit_batch_training for the object, audited as the controller's call: its batch id; a refusal throws the
     * tool's {@link ToolException} (an error of the store or the cluster as UPSTREAM_UNAVAILABLE, to be tried again).
     */
    private String submit(TrainingBatch b) {
        Map<String, Object> arguments = BatchManifest.arguments(b);
        Audit record = new Audit(audit, clock, PRINCIPAL, "submit_batch_training", b.getMetadata().getNamespace(), Json.write(arguments));
        try {
            BatchStatus accepted = queue.submitBatch(ToolCatalog.bind(arguments, BatchRequest.class),
                    new CallContext(Progress.NONE, PRINCIPAL, record), owner(b));
            record.afterCall(AuditEntry.OK, "");
            return accepted.batchId();
        } catch (ToolException e) {
            record.afterCall(e.code().name(), e.getMessage());
            throw e;
        } catch (RuntimeException e) {
            record.afterCall(ErrorCode.UPSTREAM_UNAVAILABLE.name(), String.valueOf(e.getMessage()));
            throw new ToolException(ErrorCode.UPSTREAM_UNAVAILABLE, "the queue did not answer: " + e.getMessage(), "Retried next pass.");
        }
    }

    private static Owner owner(TrainingBatch b) {
        return new Owner(TrainingJob.API_VERSION, "TrainingBatch", b.getMetadata().getName(), b.getMetadata().getUid());
    }

    /** cancel_training_job for one job of a deleted object, audited as the controller's call; false when it failed. */
    private boolean cancel(String jobId, String team, String why) {
        Map<String, Object> arguments = Map.of("job_id", jobId, "reason", why);
        Audit record = new Audit(audit, clock, PRINCIPAL, "cancel_training_job", team, Json.write(arguments));
        try {
            queue.cancel(new CancelRequest(jobId, why), new CallContext(Progress.NONE, PRINCIPAL, record));
            record.afterCall(AuditEntry.OK, "");
            return true;
        } catch (RuntimeException e) {
            String code = e instanceof ToolException t ? t.code().name() : ErrorCode.UPSTREAM_UNAVAILABLE.name();
            record.afterCall(code, String.valueOf(e.getMessage()));
            log.warn("cannot cancel {} ({}): {}", jobId, why, e.getMessage());
            return false;
        }
    }

    /** get_batch_status as the controller sees it (every team); empty for a batch the store does not have. */
    private Optional<BatchStatus> batch(String batchId) {
        try {
            return Optional.of(queue.batchStatus(new BatchStatusRequest(batchId), PRINCIPAL));
        } catch (ToolException e) {
            return Optional.empty();
        }
    }

    /** The queue's view of a batch as a status; empty when the store has no such batch. */
    private Optional<TrainingBatchStatus> follow(String batchId, long submitted, long generation, TrainingBatchStatus before, Instant now) {
        Optional<BatchStatus> batch = batch(batchId);
        if (batch.isEmpty()) {
            return Optional.empty();
        }
        Map<String, BigDecimal> costs = new HashMap<>();
        for (QueuedJob j : queue.store().read(c -> queue.store().batchItems(c, batchId))) {
            if (j.started() != null) {
                costs.put(j.jobId(), queue.costSoFar(j, j.state().terminal() && j.ended() != null ? j.ended() : now).amount());
            }
        }
        return Optional.of(BatchProgress.of(batch.get(), costs, submitted, generation, before, now));
    }

    /**
     * Cancels the jobs not ended of every batch this controller submitted whose object is gone (its uid, the batch's
     * idempotency key, is in no object the informer holds).
     */
    private void sweep() {
        Set<String> uids = informer.getStore().list().stream().map(b -> b.getMetadata().getUid()).collect(Collectors.toSet());
        for (Map.Entry<String, String> e : queue.resourceBatches(PRINCIPAL.subject()).entrySet()) {
            if (uids.contains(e.getKey())) {
                continue;
            }
            String name = deleted.getOrDefault(e.getKey(), "uid " + e.getKey());
            batch(e.getValue()).ifPresent(batch -> {
                for (QueueAnswer item : batch.items()) {
                    if (!item.state().terminal() && !cancel(item.jobId(), item.team(), "its TrainingBatch " + name + " was deleted")) {
                        sweepDue = true;
                    }
                }
            });
            log.info("TrainingBatch {} was deleted: the jobs of batch {} not ended are cancelled", name, e.getValue());
        }
        Set<String> open = queue.resourceBatches(PRINCIPAL.subject()).keySet();
        deleted.keySet().retainAll(open);
        accepted.keySet().retainAll(uids);
    }

    /** Writes {@code next} as the object's status unless it is that already; false when it could not (tried again). */
    private boolean write(TrainingBatch b, TrainingBatchStatus next) {
        try {
            // after a conflict, the informer's newer copy (no GET: the controller is granted list and watch only)
            writer.update(b, latest -> {
                if (TrainingJobStatuses.same(latest.getStatus(), next)) {
                    return null;
                }
                latest.setStatus(next);
                return latest;
            }, stale -> informer.getStore().get(stale));
            return true;
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            log.info("TrainingBatch {}/{}: status not written yet: {}", b.getMetadata().getNamespace(), b.getMetadata().getName(),
                    e.getMessage());
            return false;
        }
    }

    private static long generation(TrainingBatch b) {
        Long g = b.getMetadata().getGeneration();
        return g == null ? 1 : g;
    }

    private static String key(TrainingBatch b) {
        return KeyedWorkQueue.key(b.getMetadata().getNamespace(), b.getMetadata().getName());
    }

    @Override
    public void close() {
        SharedIndexInformer<TrainingBatch> i = informer;
        if (i != null) {
            i.close();
        }
    }
}

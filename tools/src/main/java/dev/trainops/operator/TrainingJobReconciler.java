package dev.trainops.operator;

import dev.trainops.access.Principal;
import dev.trainops.audit.Audit;
import dev.trainops.audit.AuditEntry;
import dev.trainops.audit.AuditTrail;
import dev.trainops.catalog.CallContext;
import dev.trainops.catalog.Progress;
import dev.trainops.catalog.ToolException;
import dev.trainops.queue.CancelRequest;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.Owner;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingJob;
import dev.trainops.resource.TrainingJobStatus;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One TrainingJob brought in line with the queue (DESIGN.md, "Kubernetes API"). A new object is a queue_training_job
 * call by {@link TrainingJobController#PRINCIPAL} through the tool's own path (validation, quota and budget rules, the
 * audit log), idempotency key = its uid, its Jobs owned by it; a refusal is state {@code REJECTED} with the tool's
 * message and a Warning Event (tried again only once the spec changes); an accepted object, and a mirror of a job queued
 * through MCP, follows its job's state, reason, position, ETA, estimate and cost so far. Its status is written only
 * when it changed. A deleted object's job is cancelled.
 */
final class TrainingJobReconciler {
    private static final Logger log = LoggerFactory.getLogger(TrainingJobReconciler.class);

    private final JobQueue queue;
    private final StatusWriter writer;
    private final EventRecorder events;
    private final AuditTrail audit;
    private final Clock clock;
    private final Supplier<QueueView> view;
    /** The newest copy of an object this process has (the informer's), for a status write that met a conflict; null: gone. */
    private final java.util.function.UnaryOperator<TrainingJob> latest;
    /**
     * What this process decided per object uid until the informer shows its status: the job it was queued as, or the
     * generation refused. A resync may hand over a copy from before the status write; it is not submitted twice.
     */
    private final Map<String, String> submitted = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> rejected = new java.util.concurrent.ConcurrentHashMap<>();

    TrainingJobReconciler(JobQueue queue, StatusWriter writer, EventRecorder events, AuditTrail audit, Clock clock, Supplier<QueueView> view,
                          java.util.function.UnaryOperator<TrainingJob> latest) {
        this.latest = latest;
        this.queue = queue;
        this.writer = writer;
        this.events = events;
        this.audit = audit;
        this.clock = clock;
        this.view = view;
    }

    static Principal principal() {
        return TrainingJobController.PRINCIPAL;
    }

    void reconcile(TrainingJob tj) {
        String mirrored = TrainingJobRequests.mirroredJob(tj);
        TrainingJobStatus status = tj.getStatus();
        String uid = tj.getMetadata().getUid();
        String queuedAs = uid == null ? null : submitted.get(uid);
        if (mirrored != null) {
            followMirror(tj, mirrored);
        } else if (status != null && status.getJobId() != null) {
            if (uid != null) {
                submitted.remove(uid);
            }
            follow(tj, status.getJobId(), status.getObservedGeneration() == null ? generation(tj) : status.getObservedGeneration());
        } else if (queuedAs != null) {
            follow(tj, queuedAs, generation(tj)); // its status write is not in this copy yet
        } else if (status != null && TrainingJobStatuses.REJECTED.equals(status.getState())
                && Objects.equals(status.getObservedGeneration(), generation(tj))
                || uid != null && Objects.equals(rejected.get(uid), generation(tj))) {
            return; // refused as it stands; an edit of the spec is tried again
        } else {
            submit(tj);
        }
    }

    private void submit(TrainingJob tj) {
        String ns = tj.getMetadata().getNamespace();
        Audit record = new Audit(audit, clock, principal(), "queue_training_job", ns, arguments(tj));
        QueueAnswer a;
        try {
            a = queue.submit(TrainingJobRequests.toRequest(tj), new CallContext(Progress.NONE, principal(), record), owner(tj));
        } catch (ToolException e) {
            record.afterCall(e.code().name(), e.getMessage());
            if (e.retryable()) {
                throw e; // the store or a backend is down: the work queue tries again
            }
            String detail = rejection(e);
            long generation = generation(tj);
            if (tj.getMetadata().getUid() != null) {
                rejected.put(tj.getMetadata().getUid(), generation);
            }
            write(tj, TrainingJobStatuses.rejected(tj.getStatus(), e.code().name(), detail, generation, clock.instant()));
            events.warning(tj, "Rejected", detail);
            log.info("TrainingJob {}/{} rejected: {}", ns, tj.getMetadata().getName(), detail);
            return;
        }
        record.afterCall(AuditEntry.OK, "");
        if (tj.getMetadata().getUid() != null) {
            submitted.put(tj.getMetadata().getUid(), a.jobId());
        }
        long generation = generation(tj);
        write(tj, TrainingJobStatuses.following(tj.getStatus(), a, null, generation, generation, accepted(a), clock.instant()));
        events.normal(tj, "Queued", accepted(a) + " Estimated " + TrainingJobStatuses.amount(a.estimatedCost()) + " " + a.currency()
                + (a.position() == null ? "" : ", position " + a.position()) + ".");
    }

    private static String accepted(QueueAnswer a) {
        return "Queued as job " + a.jobId() + ".";
    }

    /** An accepted object: its status follows its job's. */
    private void follow(TrainingJob tj, String jobId, long submittedGeneration) {
        QueueView v = view.get();
        Optional<QueueAnswer> answer = v.answer(queue, principal(), jobId);
        if (answer.isEmpty()) {
            return; // a job the store no longer has: the status stays as last written
        }
        QueueAnswer a = answer.get();
        BigDecimal cost = a.state().terminal() ? finalCost(tj.getStatus(), a, v.job(queue, jobId).orElse(null)) : null;
        write(tj, TrainingJobStatuses.following(tj.getStatus(), a, cost, submittedGeneration, generation(tj), accepted(a), clock.instant()));
        if (a.state().terminal() && !a.state().name().equals(state(tj))) {
            String what = "Job " + jobId + " " + a.state().name().toLowerCase(java.util.Locale.ROOT)
                    + (a.reason() == null ? "" : " (" + a.reason() + ")") + (a.reasonDetail() == null ? "" : ": " + a.reasonDetail());
            if (a.state() == dev.trainops.queue.JobState.SUCCEEDED) {
                events.normal(tj, "Succeeded", what);
            } else {
                events.warning(tj, a.state() == dev.trainops.queue.JobState.CANCELLED ? "Cancelled" : "Failed", what);
            }
        }
    }

    /** A mirror: its job must be one queued through MCP in its namespace; then it follows it as an accepted object does. */
    private void followMirror(TrainingJob tj, String jobId) {
        String ns = tj.getMetadata().getNamespace();
        Optional<QueuedJob> job = view.get().job(queue, jobId);
        if (job.isEmpty() || !job.get().team().equals(ns) || Owner.of(job.get()).isPresent()) {
            if (TrainingJobStatuses.REJECTED.equals(state(tj))) {
                return;
            }
            String detail = "The label trainops.dev/job-id names job " + jobId + ", which is no job queued through MCP in namespace " + ns
                    + ". Only trainops labels its mirrors so; to queue a job, apply a TrainingJob without that label.";
            write(tj, TrainingJobStatuses.rejected(tj.getStatus(), "NOT_FOUND", detail, generation(tj), clock.instant()));
            events.warning(tj, "Rejected", detail);
            return;
        }
        TrainingJobStatus status = tj.getStatus();
        long submitted = status != null && status.getObservedGeneration() != null ? status.getObservedGeneration() : generation(tj);
        follow(tj, jobId, submitted);
    }

    /**
     * The object (as last seen) was deleted: its job is cancelled when it has not ended, with the cancel audited as
     * cancel_training_job by the controller. A mirror cancels the job it mirrors.
     */
    void deleted(TrainingJob tj) {
        String ns = tj.getMetadata().getNamespace();
        String name = tj.getMetadata().getName();
        events.forget(tj.getMetadata().getUid());
        if (tj.getMetadata().getUid() != null) {
            submitted.remove(tj.getMetadata().getUid());
            rejected.remove(tj.getMetadata().getUid());
        }
        Optional<QueuedJob> job = jobOf(tj);
        if (job.isEmpty() || job.get().state().terminal() || !job.get().team().equals(ns)) {
            return;
        }
        boolean mirror = TrainingJobRequests.isMirror(tj);
        if (mirror ? Owner.of(job.get()).isPresent() : !ownedBy(job.get(), tj)) {
            return; // not this object's job
        }
        cancel(job.get(), "TrainingJob " + ns + "/" + name + " was deleted");
    }

    /** The job {@code tj} stands for: its mirror label, its status's job id, else the job queued under its uid. */
    Optional<QueuedJob> jobOf(TrainingJob tj) {
        String mirrored = TrainingJobRequests.mirroredJob(tj);
        String jobId = mirrored != null ? mirrored : tj.getStatus() == null ? null : tj.getStatus().getJobId();
        if (jobId != null) {
            return view.get().job(queue, jobId);
        }
        String uid = tj.getMetadata().getUid();
        if (uid == null) {
            return Optional.empty();
        }
        Optional<QueuedJob> seen = view.get().jobs().values().stream().filter(j -> uid.equals(j.idempotencyKey())).findFirst();
        return seen.isPresent() ? seen : queue.store().read(c -> queue.store().byIdempotencyKey(c, uid));
    }

    static boolean ownedBy(QueuedJob job, TrainingJob tj) {
        return Owner.of(job).map(o -> TrainingJob.class.getSimpleName().equals(o.kind()) && o.uid().equals(tj.getMetadata().getUid()))
                .orElse(false);
    }

    /** Cancels {@code job} for {@code why} unless it has ended, audited as cancel_training_job by the controller. */
    void cancel(QueuedJob job, String why) {
        Optional<QueuedJob> now = queue.store().read(c -> queue.store().find(c, job.jobId()));
        if (now.isEmpty() || now.get().state().terminal()) {
            return; // ended meanwhile, or cancelled already (a resync's view may be older than the delete event's cancel)
        }
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("job_id", job.jobId());
        args.put("reason", why);
        Audit record = new Audit(audit, clock, principal(), "cancel_training_job", job.team(), dev.trainops.catalog.Json.write(args));
        try {
            queue.cancel(new CancelRequest(job.jobId(), why), new CallContext(Progress.NONE, principal(), record));
            record.afterCall(AuditEntry.OK, "");
        } catch (ToolException e) {
            record.afterCall(e.code().name(), e.getMessage());
            throw e;
        }
        log.info("cancelled job {}: {}", job.jobId(), why);
    }

    /** What an ended job cost in all: as written once known, else at its prices from its start to its end. */
    private BigDecimal finalCost(TrainingJobStatus previous, QueueAnswer a, QueuedJob job) {
        if (previous != null && a.state().name().equals(previous.getState()) && previous.getCostSoFar() != null) {
            return new BigDecimal(previous.getCostSoFar());
        }
        if (job == null || job.started() == null || job.ended() == null) {
            return null;
        }
        return queue.costSoFar(job, job.ended()).amount();
    }

    private void write(TrainingJob tj, TrainingJobStatus wanted) {
        writer.update(tj, copy -> {
            if (TrainingJobStatuses.same(copy.getStatus(), wanted)) {
                return null;
            }
            copy.setStatus(wanted);
            return copy;
        }, latest);
    }

    /** The tool's message for a kubectl user: spec fields beside argument names, the cheaper options, what to do. */
    static String rejection(ToolException e) {
        StringBuilder out = new StringBuilder(TrainingJobRequests.forSpec(e.getMessage()));
        Object options = e.details().get("options");
        if (options instanceof List<?> list && !list.isEmpty()) {
            out.append(" Cheaper options:");
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.append(" ").append(m.get("description")).append(" (estimated ").append(estimated(m.get("estimated_cost"))).append(");");
                }
            }
            out.setLength(out.length() - 1);
            out.append(". Change the spec accordingly and apply it again.");
        } else if (e.hint() != null && !e.hint().isBlank()) {
            out.append(' ').append(TrainingJobRequests.forSpec(e.hint()));
        }
        return out.toString();
    }

    private static String estimated(Object wire) {
        try {
            return TrainingJobStatuses.amount(new BigDecimal(String.valueOf(wire)));
        } catch (NumberFormatException e) {
            return String.valueOf(wire);
        }
    }

    private static Owner owner(TrainingJob tj) {
        return new Owner(TrainingJob.API_VERSION, TrainingJob.class.getSimpleName(), tj.getMetadata().getName(), tj.getMetadata().getUid());
    }

    private static String arguments(TrainingJob tj) {
        Map<String, Object> args = new LinkedHashMap<>();
        args.put("training_job", tj.getMetadata().getNamespace() + "/" + tj.getMetadata().getName());
        args.put("uid", tj.getMetadata().getUid());
        args.put("spec", dev.trainops.catalog.Json.MAPPER.readTree(new io.fabric8.kubernetes.client.utils.KubernetesSerialization()
                .asJson(tj.getSpec())));
        return dev.trainops.catalog.Json.write(args);
    }

    static long generation(TrainingJob tj) {
        Long g = tj.getMetadata().getGeneration();
        return g == null ? 1 : g;
    }

    private static String state(TrainingJob tj) {
        return tj.getStatus() == null ? null : tj.getStatus().getState();
    }
}

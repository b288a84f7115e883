package dev.trainops.queue;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A job in the durable queue, as stored: its id, what was asked ({@link JobSpec}) and what has
 * happened ({@link JobStatus}). Every status change goes through {@link #transition}, the one place
 * that checks it against the state machine; the named changes below only say what the new status
 * holds. The accessors of spec and status are repeated here because almost every reader wants one
 * or two of them.
 */
public record QueuedJob(String jobId, JobSpec spec, JobStatus status) {

    public QueuedJob {
        Objects.requireNonNull(jobId, "jobId must not be null");
        Objects.requireNonNull(spec, "spec must not be null");
        Objects.requireNonNull(status, "status must not be null");
    }

    /** A new job: QUEUED since {@code at}. */
    public static QueuedJob submitted(String jobId, JobSpec spec, Instant at) {
        return new QueuedJob(jobId, spec, JobStatus.queued(at));
    }

    /**
     * The one checked change of status: refuses (IllegalStateException) a move from this job's state
     * that {@link JobState#canMoveTo} does not allow, so a bug can never commit an impossible history.
     */
    public QueuedJob transition(JobStatus next) {
        Objects.requireNonNull(next, "next must not be null");
        if (!status.state().canMoveTo(next.state())) {
            throw new IllegalStateException("job " + jobId + " cannot move from " + status.state() + " to " + next.state());
        }
        return new QueuedJob(jobId, spec, next);
    }

    /** The same job as submitted by {@code principal} (rule 9: its Job is created as them under --kube-impersonate). */
    public QueuedJob submittedBy(dev.trainops.access.Principal principal) {
        return new QueuedJob(jobId, spec.withSubmitter(principal), status);
    }

    /** The batch/v1 Job's name for this attempt: derived from the job id, so a retry finds the same object. */
    public String kubeName() {
        return jobId + "-" + status.attempt();
    }

    /** Still (or again) in the queue, for {@code why}. */
    public QueuedJob waiting(Reason why, String detail, Instant at) {
        JobStatus s = status;
        return transition(new JobStatus(JobState.QUEUED, why, detail, at, null, s.attempt(), false, s.submitted(), s.admitted(),
                s.started(), s.ended(), s.preemptedBy(), s.preemptions()));
    }

    /** Admitted to {@code onNode}: SCHEDULED, its Job not created yet. */
    public QueuedJob admittedTo(String onNode, Instant at) {
        JobStatus s = status;
        return transition(new JobStatus(JobState.SCHEDULED, null, "Admitted to " + onNode + " at " + at + ".", at, onNode, s.attempt(),
                false, s.submitted(), at, null, null, s.preemptedBy(), s.preemptions()));
    }

    /** Its pods run since {@code startedAt}. */
    public QueuedJob runningSince(Instant startedAt, Instant at) {
        JobStatus s = status;
        return transition(new JobStatus(JobState.RUNNING, null, "Running on " + s.node() + ".", at, s.node(), s.attempt(), s.launched(),
                s.submitted(), s.admitted(), startedAt, null, s.preemptedBy(), s.preemptions()));
    }

    /** Ended at {@code endedAt} (SUCCEEDED, FAILED or CANCELLED), having started at {@code startedAt} (or never: null). */
    public QueuedJob ended(JobState to, Reason why, String detail, Instant startedAt, Instant endedAt) {
        if (!to.terminal()) {
            throw new IllegalArgumentException(to + " is not an end state");
        }
        JobStatus s = status;
        return transition(new JobStatus(to, why, detail, endedAt, s.node(), s.attempt(), s.launched(), s.submitted(), s.admitted(),
                startedAt, endedAt, s.preemptedBy(), s.preemptions()));
    }

    /** Evicted by {@code by}: pods terminating; back to the queue with its original submit time once they are gone. */
    public QueuedJob preemptedBy(String by, String detail, Instant at) {
        JobStatus s = status;
        return transition(new JobStatus(JobState.PREEMPTED, Reason.PREEMPTED, detail, at, s.node(), s.attempt(), s.launched(),
                s.submitted(), s.admitted(), s.started(), s.ended(), by, s.preemptions() + 1));
    }

    /** Back in the queue after a preemption: a new attempt (a new Job name), restarting from its last checkpoint. */
    public QueuedJob requeuedAfterPreemption(String detail, Instant at) {
        JobStatus s = status;
        return transition(new JobStatus(JobState.QUEUED, Reason.PREEMPTED, detail, at, null, s.attempt() + 1, false, s.submitted(), null,
                null, null, s.preemptedBy(), s.preemptions()));
    }

    /** The Job of this SCHEDULED attempt was created (not a change of state). */
    public QueuedJob launchedNow() {
        if (status.state() != JobState.SCHEDULED) {
            throw new IllegalStateException("job " + jobId + " is " + status.state() + ", only a SCHEDULED job is launched");
        }
        return new QueuedJob(jobId, spec, status.withLaunched(true));
    }

    public String idempotencyKey() {
        return spec.idempotencyKey();
    }

    public String team() {
        return spec.team();
    }

    public String runName() {
        return spec.runName();
    }

    public String model() {
        return spec.model();
    }

    public String experiment() {
        return spec.experiment();
    }

    public Priority priority() {
        return spec.priority();
    }

    public int priorityValue() {
        return spec.priorityValue();
    }

    public String gpuType() {
        return spec.gpuType();
    }

    public int gpuCount() {
        return spec.gpuCount();
    }

    /** The MIG profile each of its units is, or null for whole or shared GPUs. */
    public String migProfile() {
        return spec.migProfile();
    }

    /** The key of the pool it holds on its node ({@link Snapshot.NodeRoom#key}), or null before admission. */
    String roomKey() {
        return node() == null ? null : Snapshot.NodeRoom.key(node(), migProfile());
    }

    /**
     * The nodes it holds, in pod index order: one, or for a multi-node job (queue rule 13) one per pod,
     * stored comma-separated in its status; empty before admission.
     */
    public java.util.List<String> nodes() {
        return node() == null ? java.util.List.of() : java.util.List.of(node().split(","));
    }

    /** The GPUs each of its pods holds: all of them on one node, or an equal share on each of its nodes. */
    public int gpusPerNode() {
        int n = nodes().size();
        return n <= 1 ? gpuCount() : gpuCount() / n;
    }

    /** The keys of the pools it holds ({@link #roomKey} on each of its nodes). */
    java.util.List<String> roomKeys() {
        return nodes().stream().map(n -> Snapshot.NodeRoom.key(n, migProfile())).toList();
    }

    public int epochs() {
        return spec.epochs();
    }

    public int batchSize() {
        return spec.batchSize();
    }

    public Map<String, String> params() {
        return spec.params();
    }

    public boolean spot() {
        return spec.spot();
    }

    public Instant notBefore() {
        return spec.notBefore();
    }

    public Long maxCostMicros() {
        return spec.maxCostMicros();
    }

    public long estimatedCostMicros() {
        return spec.estimatedCostMicros();
    }

    public long estimatedSeconds() {
        return spec.estimatedSeconds();
    }

    public String batchId() {
        return spec.batchId();
    }

    public Integer batchIndex() {
        return spec.batchIndex();
    }

    public JobState state() {
        return status.state();
    }

    public Reason reason() {
        return status.reason();
    }

    public String reasonDetail() {
        return status.detail();
    }

    public String node() {
        return status.node();
    }

    public int attempt() {
        return status.attempt();
    }

    public boolean launched() {
        return status.launched();
    }

    public Instant submitted() {
        return status.submitted();
    }

    public Instant admitted() {
        return status.admitted();
    }

    public Instant started() {
        return status.started();
    }

    public Instant ended() {
        return status.ended();
    }

    public String preemptedBy() {
        return status.preemptedBy();
    }

    public int preemptions() {
        return status.preemptions();
    }
}

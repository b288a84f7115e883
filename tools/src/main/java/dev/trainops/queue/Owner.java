package dev.trainops.queue;

import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The Kubernetes object a queued job was submitted for (a TrainingJob or a TrainingBatch; DESIGN.md, "Kubernetes
 * API"): each batch/v1 Job of the job carries it as its controller ownerReference, so deleting the object lets the
 * garbage collector delete the Job too, and {@code kubectl get job -o yaml} says where it came from. It is stored
 * with the job, in trainops's own params ({@code trainops.owner.*}, never passed to the job and never taken from a
 * caller's params), so a later attempt (after a preemption) and a restarted server still know it.
 * {@code blockOwnerDeletion} is false: deleting the object never waits on the Job (and needs no finalizer rights).
 */
public record Owner(String apiVersion, String kind, String name, String uid) {
    static final String API_VERSION = "trainops.owner.api_version";
    static final String KIND = "trainops.owner.kind";
    static final String NAME = "trainops.owner.name";
    static final String UID = "trainops.owner.uid";

    public Owner {
        Objects.requireNonNull(apiVersion, "apiVersion must not be null");
        Objects.requireNonNull(kind, "kind must not be null");
        Objects.requireNonNull(name, "name must not be null");
        Objects.requireNonNull(uid, "uid must not be null");
        if (uid.isBlank()) {
            throw new IllegalArgumentException("uid must not be blank: an owner is an object the API server has stored");
        }
    }

    /** The owner {@code job} was submitted for, if any. */
    public static Optional<Owner> of(QueuedJob job) {
        return of(job.params());
    }

    /** The owner recorded in a job's params, if any. */
    static Optional<Owner> of(Map<String, String> params) {
        String uid = params.get(UID);
        if (uid == null || uid.isBlank()) {
            return Optional.empty();
        }
        return Optional.of(new Owner(params.getOrDefault(API_VERSION, ""), params.getOrDefault(KIND, ""), params.getOrDefault(NAME, ""),
                uid));
    }

    /** The ownerReference the Job carries: the controller, not blocking the owner's deletion. */
    public OwnerReference reference() {
        return new OwnerReferenceBuilder().withApiVersion(apiVersion).withKind(kind).withName(name).withUid(uid).withController(true)
                .withBlockOwnerDeletion(false).build();
    }

    /** {@code job} (just prepared, not stored) as owned by this object. */
    QueuedJob on(QueuedJob job) {
        JobSpec s = job.spec();
        Map<String, String> params = new LinkedHashMap<>(s.params());
        params.put(API_VERSION, apiVersion);
        params.put(KIND, kind);
        params.put(NAME, name);
        params.put(UID, uid);
        JobSpec owned = new JobSpec(s.team(), s.runName(), s.model(), s.experiment(), s.priority(), s.priorityValue(), s.gpuType(),
                s.gpuCount(), s.epochs(), s.batchSize(), params, s.spot(), s.notBefore(), s.maxCostMicros(), s.estimatedCostMicros(),
                s.estimatedSeconds(), s.idempotencyKey(), s.batchId(), s.batchIndex(), s.submittedBy(), s.submittedGroups());
        return new QueuedJob(job.jobId(), owned, job.status());
    }
}

package dev.trainops.queue;

import dev.trainops.access.Principal;
import dev.trainops.kube.SpotNodes;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Instant;

/**
 * Creates and deletes the batch/v1 Jobs of admitted queue jobs, built from the model's job template
 * ({@link JobManifest}). The Job's name is the queue job's id and attempt, so creating it again
 * after a crash finds the one already there. Under {@code --kube-impersonate} (DESIGN.md rule 9) a
 * job's Job is created as its submitter and deleted on cancel as the canceller ({@link Impersonation});
 * the deletes the admission loop decides itself (preemption, a job's end, its cost cap) are the server's.
 */
final class JobLauncher implements JobRunner {
    private final KubernetesClient client;
    private final JobManifest manifest;
    private final Impersonation impersonation;

    public JobLauncher(KubernetesClient client, PriorityConfig priorities, JobTemplates templates) {
        this(client, priorities, templates, SpotNodes.DEFAULTS, false);
    }

    /**
     * {@code spotNodes}: the tolerations a spot job's pods get, for the taints of spot nodes;
     * {@code impersonate}: whether calls made on someone's behalf impersonate them (rule 9).
     */
    public JobLauncher(KubernetesClient client, PriorityConfig priorities, JobTemplates templates, SpotNodes spotNodes,
                       boolean impersonate) {
        this.client = client;
        this.manifest = new JobManifest(priorities, templates, spotNodes);
        this.impersonation = new Impersonation(client, impersonate);
    }

    /**
     * Creates the Job for {@code job} on its node; an existing Job of that name counts as created.
     * Created as its submitter, a 403 is the cluster's RBAC refusing them: {@link Refused}, which ends the job.
     */
    @Override
    public void launch(QueuedJob job, String resource, Instant now) {
        KubernetesClient as = impersonation.forSubmitter(job);
        try {
            as.resource(build(job, resource, now)).create();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 403 && as != client) {
                throw new Refused("Kubernetes refused to create its Job as " + job.spec().submittedBy() + " (--kube-impersonate): "
                        + "they may not create batch Jobs in namespace " + job.team() + ". A cluster admin grants that with a Role "
                        + "and RoleBinding for the team's group (README, \"Kubernetes impersonation\").");
            }
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    /** A call made as someone that the cluster's RBAC refused, or that trainops will not make as them (rule 9): no retry helps. */
    static final class Refused extends RuntimeException {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    Job build(QueuedJob job, String resource, Instant now) {
        return manifest.build(job, resource, now);
    }

    /**
     * Deletes the Job of this attempt; Kubernetes' garbage collector then terminates its pods
     * (background propagation), which hold their GPUs and quota until they are gone. Gone already is fine.
     */
    @Override
    public void delete(QueuedJob job) {
        delete(client, job);
    }

    /** Deletes it at {@code canceller}'s request: as them under --kube-impersonate. */
    @Override
    public void delete(QueuedJob job, Principal canceller) {
        delete(impersonation.forCaller(canceller), job);
    }

    private static void delete(KubernetesClient client, QueuedJob job) {
        client.batch().v1().jobs().inNamespace(job.team()).withName(job.kubeName())
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
    }

    /** A label value: at most 63 characters of [A-Za-z0-9-_.], starting and ending alphanumeric. */
    static String label(String value) {
        String v = value.replaceAll("[^A-Za-z0-9_.-]", "-");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        v = v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
        return v.isEmpty() ? "x" : v;
    }
}

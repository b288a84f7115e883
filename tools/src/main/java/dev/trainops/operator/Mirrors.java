package dev.trainops.operator;

import dev.trainops.kube.KubeNames;
import dev.trainops.queue.Owner;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingJob;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A job queued through MCP (queue_training_job, submit_batch_training) as a TrainingJob too, so {@code kubectl get tj -A}
 * and get_job_queue_status show the same queue (DESIGN.md, "Kubernetes API"): its mirror is named after the job, in
 * the job's team's namespace, labelled {@code trainops.dev/job-id} and annotated with where it came from and who
 * queued it. The reconciler never submits a mirror; it follows its job, and deleting it cancels the job. A mirror
 * leaves when get_job_queue_status stops showing its job (ended more than {@link QueueView#WINDOW} ago). Jobs
 * submitted for a TrainingJob or a TrainingBatch ({@link Owner}) are theirs, not mirrored.
 */
final class Mirrors {
    private static final Logger log = LoggerFactory.getLogger(Mirrors.class);
    static final String SOURCE_MCP = "mcp";

    private final KubernetesClient client;
    /** Jobs whose mirror this process created or saw: not created again while the informer catches up, nor after a delete. */
    private final Set<String> mirrored = ConcurrentHashMap.newKeySet();
    /** Jobs whose mirror the API server refused (no such namespace, a webhook): logged once, tried again each resync. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();

    Mirrors(KubernetesClient client) {
        this.client = client;
    }

    /**
     * Creates the mirror of each job not ended that was queued through MCP and has none, and deletes the mirrors
     * whose job get_job_queue_status no longer shows.
     *
     * @param mirrorOf the mirror of a job in the informer's cache, by job id, or null
     */
    void sync(QueueView view, Function<String, TrainingJob> mirrorOf, List<TrainingJob> mirrors) {
        for (QueuedJob job : view.jobs().values()) {
            if (job.state().terminal() || Owner.of(job).isPresent()) {
                continue;
            }
            if (mirrorOf.apply(job.jobId()) != null) {
                mirrored.add(job.jobId());
            } else if (mirrored.add(job.jobId())) {
                create(job);
            }
        }
        for (TrainingJob m : mirrors) {
            String jobId = TrainingJobRequests.mirroredJob(m);
            Map<String, String> annotations = m.getMetadata().getAnnotations();
            boolean ours = annotations != null && SOURCE_MCP.equals(annotations.get(KubeNames.ANNOTATION_SOURCE));
            if (ours && jobId != null && !view.jobs().containsKey(jobId)) {
                try {
                    client.resource(m).delete();
                    mirrored.remove(jobId);
                } catch (KubernetesClientException e) {
                    log.warn("cannot delete the mirror {}/{} of job {}, ended more than {} h ago (HTTP {}): {}", m.getMetadata().getNamespace(),
                            m.getMetadata().getName(), jobId, QueueView.WINDOW.toHours(), e.getCode(), e.getMessage());
                }
            }
        }
    }

    private void create(QueuedJob job) {
        TrainingJob tj = mirror(job);
        try {
            client.resource(tj).create();
            refused.remove(job.jobId());
        } catch (KubernetesClientException e) {
            if (e.getCode() == 409) {
                return; // there already (created before this process started)
            }
            mirrored.remove(job.jobId()); // try again next resync
            if (refused.add(job.jobId())) {
                log.warn("cannot create the TrainingJob {}/{} that mirrors job {} queued through MCP (HTTP {}): {}; trying again each resync",
                        job.team(), job.jobId(), job.jobId(), e.getCode(), e.getMessage());
            }
        }
    }

    /** The mirror of {@code job}, as created (its status is written by the reconciler once the informer has it). */
    static TrainingJob mirror(QueuedJob job) {
        TrainingJob tj = new TrainingJob();
        tj.getMetadata().setNamespace(job.team());
        tj.getMetadata().setName(job.jobId());
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubeNames.LABEL_JOB_ID, job.jobId());
        labels.put(KubeNames.LABEL_MANAGED_BY, "trainops");
        tj.getMetadata().setLabels(labels);
        Map<String, String> annotations = new LinkedHashMap<>();
        annotations.put(KubeNames.ANNOTATION_SOURCE, SOURCE_MCP);
        if (job.spec().submittedBy() != null) {
            annotations.put(KubeNames.ANNOTATION_SUBMITTED_BY, job.spec().submittedBy());
        }
        tj.getMetadata().setAnnotations(annotations);
        tj.setSpec(TrainingJobRequests.mirrorSpec(job, TrainingJobRequests.maxCost(job)));
        tj.setStatus(null);
        return tj;
    }
}

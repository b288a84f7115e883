package dev.trainops.app.sandbox;

import static dev.trainops.app.sandbox.SandboxPods.label;
import static dev.trainops.app.sandbox.SandboxPods.phase;

import dev.trainops.kube.KubeNames;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.JobCondition;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sandbox's Job controller: one pod per unsuspended Job, or for an Indexed Job one pod per index
 * (annotated and labelled with it, as Kubernetes does); the Job is active while its pods are, completes
 * when every index has succeeded and fails when any pod fails. As the garbage collector, it deletes
 * the pods of deleted Jobs.
 */
final class JobController {
    private static final Logger log = LoggerFactory.getLogger(JobController.class);
    static final String JOB_NAME_LABEL = "job-name";
    /** The annotation and label of an Indexed Job's pod: its index. */
    static final String COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index";

    private final KubernetesClient client;
    private final Clock clock;

    JobController(KubernetesClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
    }

    /** One pass over {@code jobs} and {@code pods}; true when it wrote anything. */
    boolean reconcile(List<Job> jobs, List<Pod> pods) {
        boolean changed = false;
        for (Job job : jobs) {
            if (finished(job) || Boolean.TRUE.equals(job.getSpec().getSuspend())) {
                continue;
            }
            String ns = job.getMetadata().getNamespace();
            String name = job.getMetadata().getName();
            List<Pod> owned = pods.stream().filter(p -> ns.equals(p.getMetadata().getNamespace())
                    && name.equals(label(p, JOB_NAME_LABEL))).toList();
            int completions = indexed(job) ? job.getSpec().getCompletions() : 1;
            if (owned.size() < completions) {
                Set<String> have = new HashSet<>();
                owned.forEach(p -> have.add(String.valueOf(SandboxPods.annotation(p, COMPLETION_INDEX))));
                for (int i = 0; i < completions; i++) {
                    if (!indexed(job) || !have.contains(Integer.toString(i))) {
                        client.pods().inNamespace(ns).resource(podFor(job, indexed(job) ? i : null)).create();
                    }
                }
                changed = true;
                continue;
            }
            Pod failed = owned.stream().filter(p -> KubeNames.PHASE_FAILED.equals(phase(p))).findFirst().orElse(null);
            List<Pod> succeeded = owned.stream().filter(p -> KubeNames.PHASE_SUCCEEDED.equals(phase(p))).toList();
            if (failed != null || succeeded.size() >= completions) {
                Pod last = failed != null ? failed : succeeded.stream().max(java.util.Comparator.comparing(p ->
                        SandboxPods.finishedAt(p).orElse(""))).orElseThrow();
                complete(job, last, failed == null, completions);
                changed = true;
            } else if (job.getStatus() == null || job.getStatus().getActive() == null) {
                Job updated = new JobBuilder(job).editOrNewStatus().withActive(completions)
                        .withStartTime(clock.instant().toString()).endStatus().build();
                client.batch().v1().jobs().inNamespace(ns).resource(updated).updateStatus();
                changed = true;
            }
        }
        return collectGarbage(jobs, pods) || changed;
    }

    private void complete(Job job, Pod pod, boolean ok, int completions) {
        // as in a cluster: the Job completes when its pod's container finished, not when the controller looked
        String at = SandboxPods.finishedAt(pod).orElse(clock.instant().toString());
        JobCondition condition = new JobConditionBuilder().withType(ok ? "Complete" : "Failed").withStatus("True")
                .withLastTransitionTime(at).withReason(ok ? "Completed" : "BackoffLimitExceeded").build();
        Job updated = new JobBuilder(job).editOrNewStatus()
                .withActive(0).withSucceeded(ok ? completions : 0).withFailed(ok ? 0 : 1)
                .withCompletionTime(ok ? at : null).addToConditions(condition).endStatus().build();
        client.batch().v1().jobs().inNamespace(job.getMetadata().getNamespace()).resource(updated).updateStatus();
    }

    /** A deleted Job's pods terminate and go, freeing their GPUs. */
    private boolean collectGarbage(List<Job> jobs, List<Pod> pods) {
        Set<String> existing = new HashSet<>();
        jobs.forEach(j -> existing.add(j.getMetadata().getNamespace() + "/" + j.getMetadata().getName()));
        boolean changed = false;
        for (Pod pod : pods) {
            String owner = label(pod, JOB_NAME_LABEL);
            if (owner != null && !existing.contains(pod.getMetadata().getNamespace() + "/" + owner)) {
                client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
                log.info("sandbox: pod {} terminated (its Job was deleted)", SandboxPods.namespacedName(pod));
                changed = true;
            }
        }
        return changed;
    }

    /** The pod of {@code job} (of its index {@code index}; null: not an Indexed Job). */
    private Pod podFor(Job job, Integer index) {
        String ns = job.getMetadata().getNamespace();
        String name = job.getMetadata().getName();
        var template = job.getSpec().getTemplate();
        Map<String, String> labels = new HashMap<>(template.getMetadata() == null || template.getMetadata().getLabels() == null
                ? Map.of() : template.getMetadata().getLabels());
        labels.put(JOB_NAME_LABEL, name);
        labels.put("batch.kubernetes.io/job-name", name);
        Map<String, String> annotations = new HashMap<>(template.getMetadata() == null || template.getMetadata().getAnnotations() == null
                ? Map.of() : template.getMetadata().getAnnotations());
        String podName = name + (index == null ? "" : "-" + index) + "-" + Integer.toHexString(Math.abs((ns + name).hashCode()) & 0xfffff);
        if (index != null) {
            annotations.put(COMPLETION_INDEX, index.toString());
            labels.put(COMPLETION_INDEX, index.toString());
        }
        return new PodBuilder()
                .withNewMetadata().withNamespace(ns).withName(podName)
                .withLabels(labels).withAnnotations(annotations)
                .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("batch/v1").withKind("Job").withName(name)
                        .withUid(job.getMetadata().getUid()).withController(true).withBlockOwnerDeletion(true).build())
                .withCreationTimestamp(clock.instant().toString())
                .endMetadata()
                .withSpec(template.getSpec())
                .withNewStatus().withPhase(KubeNames.PHASE_PENDING).endStatus()
                .build();
    }

    private static boolean indexed(Job job) {
        return "Indexed".equals(job.getSpec().getCompletionMode()) && job.getSpec().getCompletions() != null;
    }

    private static boolean finished(Job job) {
        return job.getStatus() != null && job.getStatus().getConditions() != null && job.getStatus().getConditions().stream()
                .anyMatch(c -> ("Complete".equals(c.getType()) || "Failed".equals(c.getType())) && "True".equals(c.getStatus()));
    }
}

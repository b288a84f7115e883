package dev.trainops.admission;

import dev.trainops.kube.KubeNames;
import dev.trainops.kube.PodResources;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch/v1 Job or a Pod as the review reads it: its pods' spec, how many of them run at once, its
 * time limit, and the labels and annotations on it and its pod template (a label on either counts).
 *
 * @param specPath where the pod spec is in the object, for a denial's field
 * @param podsAtOnce a Job's parallelism (at most its completions), 1 for a Pod
 */
record Workload(String kind, String name, Map<String, String> labels, Map<String, String> annotations, PodSpec pod, String specPath,
                int podsAtOnce, Long activeDeadlineSeconds, boolean ownedByJob) {
    private static final BigDecimal GIB = BigDecimal.valueOf(1L << 30);

    static Workload of(Job job) {
        Map<String, String> labels = new HashMap<>();
        Map<String, String> annotations = new HashMap<>();
        PodSpec pod = null;
        if (job.getSpec() != null && job.getSpec().getTemplate() != null) {
            if (job.getSpec().getTemplate().getMetadata() != null) {
                putAll(labels, job.getSpec().getTemplate().getMetadata().getLabels());
                putAll(annotations, job.getSpec().getTemplate().getMetadata().getAnnotations());
            }
            pod = job.getSpec().getTemplate().getSpec();
        }
        putAll(labels, job.getMetadata().getLabels());
        putAll(annotations, job.getMetadata().getAnnotations());
        int parallelism = job.getSpec() == null || job.getSpec().getParallelism() == null ? 1 : Math.max(0, job.getSpec().getParallelism());
        if (job.getSpec() != null && job.getSpec().getCompletions() != null) {
            parallelism = Math.min(parallelism, job.getSpec().getCompletions());
        }
        return new Workload("Job", job.getMetadata().getName(), labels, annotations, pod, "spec.template.spec", parallelism,
                job.getSpec() == null ? null : job.getSpec().getActiveDeadlineSeconds(), false);
    }

    static Workload of(Pod pod) {
        Map<String, String> labels = new HashMap<>();
        Map<String, String> annotations = new HashMap<>();
        putAll(labels, pod.getMetadata().getLabels());
        putAll(annotations, pod.getMetadata().getAnnotations());
        boolean ownedByJob = false;
        for (OwnerReference o : pod.getMetadata().getOwnerReferences() == null ? List.<OwnerReference>of() : pod.getMetadata().getOwnerReferences()) {
            ownedByJob |= "Job".equals(o.getKind()) && o.getApiVersion() != null && o.getApiVersion().startsWith("batch/");
        }
        return new Workload("Pod", pod.getMetadata().getName(), labels, annotations, pod.getSpec(), "spec", 1,
                pod.getSpec() == null ? null : pod.getSpec().getActiveDeadlineSeconds(), ownedByJob);
    }

    /** Created by trainops: its own label and the queue job it belongs to (docs/queue.md, "Job templates"). */
    boolean trainops() {
        return "trainops".equals(labels.get(KubeNames.LABEL_MANAGED_BY)) && labels.containsKey(KubeNames.LABEL_JOB_ID);
    }

    /** GPU resources of one pod by name, as the scheduler counts them (the larger of the containers' sum and the largest init container). */
    Map<String, Long> gpusPerPod() {
        return pod == null ? Map.of() : PodResources.gpuRequests(new PodBuilder().withSpec(pod).build());
    }

    /** A container whose GPU limit differs from its request (or has a request and no limit), described with its numbers; null: none. */
    Mismatch gpuLimitMismatch() {
        if (pod == null) {
            return null;
        }
        List<List<Container>> groups = List.of(nonNull(pod.getContainers()), nonNull(pod.getInitContainers()));
        for (int g = 0; g < 2; g++) {
            List<Container> containers = groups.get(g);
            for (int i = 0; i < containers.size(); i++) {
                Container c = containers.get(i);
                Map<String, Quantity> requests = c.getResources() == null || c.getResources().getRequests() == null ? Map.of()
                        : c.getResources().getRequests();
                Map<String, Quantity> limits = c.getResources() == null || c.getResources().getLimits() == null ? Map.of()
                        : c.getResources().getLimits();
                for (var r : requests.entrySet()) {
                    if (!PodResources.isGpuResource(r.getKey())) {
                        continue;
                    }
                    long asked = PodResources.count(r.getValue());
                    Quantity limit = limits.get(r.getKey());
                    if (limit == null || PodResources.count(limit) != asked) {
                        return new Mismatch(specPath + "." + (g == 0 ? "containers" : "initContainers") + "[" + i + "].resources.limits",
                                c.getName(), r.getKey(), asked, limit == null ? null : PodResources.count(limit));
                    }
                }
            }
        }
        return null;
    }

    record Mismatch(String field, String container, String resource, long request, Long limit) {
    }

    /** CPU cores the pod requests (containers summed). */
    BigDecimal cpuCores() {
        return requested("cpu", BigDecimal.ONE);
    }

    /** Memory the pod requests, in GiB. */
    BigDecimal memoryGib() {
        return requested("memory", GIB);
    }

    private BigDecimal requested(String resource, BigDecimal unit) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Container c : pod == null ? List.<Container>of() : nonNull(pod.getContainers())) {
            Quantity q = c.getResources() == null || c.getResources().getRequests() == null ? null : c.getResources().getRequests().get(resource);
            if (q == null && c.getResources() != null && c.getResources().getLimits() != null) {
                q = c.getResources().getLimits().get(resource); // a limit alone is the request too
            }
            if (q != null) {
                sum = sum.add(q.getNumericalAmount().divide(unit, MathContext.DECIMAL64));
            }
        }
        return sum;
    }

    Map<String, String> nodeSelector() {
        return pod == null || pod.getNodeSelector() == null ? Map.of() : pod.getNodeSelector();
    }

    private static <T> List<T> nonNull(List<T> list) {
        return list == null ? new ArrayList<>() : list;
    }

    private static void putAll(Map<String, String> into, Map<String, String> from) {
        if (from != null) {
            into.putAll(from);
        }
    }
}

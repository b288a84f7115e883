package dev.trainops.scaleup;

import dev.trainops.kube.KubeNames;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.Reason;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.PodTemplateBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scale-up (docs/kubernetes.md, "Scale-up"): for each URGENT job waiting with NO_CAPACITY, a
 * cluster-autoscaler {@code ProvisioningRequest} (autoscaling.x-k8s.io/v1) in the job's team
 * namespace, named after the job, with one pod set that references a v1 {@code PodTemplate} of the
 * same name holding the pod the job's Job would run (its GPU requests, node selector, tolerations,
 * affinity). Both go when the job no longer waits for capacity: admitted, cancelled, or waiting for
 * something nodes cannot fix. Each pass reconciles what the cluster holds (listed by the labels
 * {@code app.kubernetes.io/managed-by: trainops} and {@code trainops.dev/job-id}) with what the
 * queue wants, so a restart or a new leader neither duplicates nor leaks one.
 */
public final class ProvisioningRequests {
    private static final Logger log = LoggerFactory.getLogger(ProvisioningRequests.class);
    /** The provisioning classes trainops can ask for (config/scale-up.yaml, {@code provisioning_requests.class}). */
    public static final List<String> CLASSES = List.of(KubeNames.PROVISIONING_CLASS_CHECK_CAPACITY,
            KubeNames.PROVISIONING_CLASS_BEST_EFFORT_ATOMIC);
    /** Named, so the client needs no discovery request to find the resource. */
    static final ResourceDefinitionContext API = new ResourceDefinitionContext.Builder().withGroup(KubeNames.PROVISIONING_REQUEST_GROUP)
            .withVersion(KubeNames.PROVISIONING_REQUEST_VERSION).withKind(KubeNames.PROVISIONING_REQUEST_KIND)
            .withPlural(KubeNames.PROVISIONING_REQUEST_PLURAL).withNamespaced(true).build();
    static final String API_VERSION = KubeNames.PROVISIONING_REQUEST_GROUP + "/" + KubeNames.PROVISIONING_REQUEST_VERSION;

    /** What one pass changed, as {@code namespace/name} of the ProvisioningRequests. */
    public record Result(List<String> created, List<String> deleted) {
        public Result {
            created = List.copyOf(created);
            deleted = List.copyOf(deleted);
        }
    }

    private final KubernetesClient client;
    private final String provisioningClass;
    private final Function<QueuedJob, Job> plannedJob;

    /**
     * @param provisioningClass one of {@link #CLASSES}
     * @param plannedJob        the Job admission would create for a waiting job (JobQueue.plannedJob)
     */
    public ProvisioningRequests(KubernetesClient client, String provisioningClass, Function<QueuedJob, Job> plannedJob) {
        if (!CLASSES.contains(provisioningClass)) {
            throw new IllegalArgumentException("provisioning class must be one of " + CLASSES + ", was '" + provisioningClass + "'");
        }
        this.client = Objects.requireNonNull(client, "client");
        this.provisioningClass = provisioningClass;
        this.plannedJob = Objects.requireNonNull(plannedJob, "plannedJob");
    }

    /** Whether nodes would let {@code job} run: URGENT, queued, and held back only by capacity (NO_CAPACITY). */
    public static boolean wantsCapacity(QueuedJob job) {
        return job.state() == JobState.QUEUED && job.priority() == Priority.URGENT && job.reason() == Reason.NO_CAPACITY;
    }

    /**
     * Creates what the jobs of {@code queued} that {@link #wantsCapacity want capacity} lack, and
     * deletes what trainops made for any other job. A failure with one job does not stop the others;
     * the pass then fails, naming each (the loop retries and counts it).
     */
    public Result reconcile(List<QueuedJob> queued) {
        Map<String, QueuedJob> wanted = new LinkedHashMap<>();
        queued.stream().filter(ProvisioningRequests::wantsCapacity).forEach(j -> wanted.put(key(j.team(), j.jobId()), j));
        Map<String, GenericKubernetesResource> requests = byKey(listRequests());
        Map<String, PodTemplate> templates = byKey(client.resources(PodTemplate.class).inAnyNamespace()
                .withLabel(KubeNames.LABEL_MANAGED_BY, "trainops").withLabel(KubeNames.LABEL_JOB_ID).list().getItems());
        List<String> created = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        for (Map.Entry<String, GenericKubernetesResource> e : requests.entrySet()) {
            boolean stale = !provisioningClass.equals(className(e.getValue()));
            if (!wanted.containsKey(e.getKey()) || stale) {
                // a request of another class (the configuration changed) is made again: its spec is immutable
                run(failed, e.getKey(), () -> {
                    client.genericKubernetesResources(API).resource(e.getValue()).delete();
                    deleted.add(e.getKey());
                });
            }
        }
        for (Map.Entry<String, PodTemplate> e : templates.entrySet()) {
            if (!wanted.containsKey(e.getKey())) {
                run(failed, e.getKey(), () -> client.resource(e.getValue()).delete());
            }
        }
        for (Map.Entry<String, QueuedJob> e : wanted.entrySet()) {
            QueuedJob job = e.getValue();
            boolean current = requests.containsKey(e.getKey()) && provisioningClass.equals(className(requests.get(e.getKey())));
            run(failed, e.getKey(), () -> {
                if (!templates.containsKey(e.getKey())) {
                    create(podTemplate(job, plannedJob.apply(job)));
                }
                if (!current) {
                    create(provisioningRequest(job, provisioningClass));
                    created.add(e.getKey());
                }
            });
        }
        if (!created.isEmpty() || !deleted.isEmpty()) {
            log.info("scale-up: ProvisioningRequests created {}, deleted {}", created, deleted);
        }
        if (!failed.isEmpty()) {
            throw new IllegalStateException("scale-up: " + String.join("; ", failed));
        }
        return new Result(created, deleted);
    }

    private List<GenericKubernetesResource> listRequests() {
        try {
            return client.genericKubernetesResources(API).inAnyNamespace().withLabel(KubeNames.LABEL_MANAGED_BY, "trainops")
                    .withLabel(KubeNames.LABEL_JOB_ID).list().getItems();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                throw new IllegalStateException("the cluster has no ProvisioningRequest API (" + API_VERSION + "): install the cluster "
                        + "autoscaler's ProvisioningRequest CRD, or set provisioning_requests.enabled: false in scale-up.yaml", e);
            }
            throw e;
        }
    }

    /** The PodTemplate the request points at: the pod of the job's Job, without a node pin (admission has chosen none). */
    static PodTemplate podTemplate(QueuedJob job, Job planned) {
        PodTemplateSpec pod = new PodTemplateSpecBuilder(planned.getSpec().getTemplate()).build();
        if (pod.getSpec().getNodeSelector() != null) {
            pod.getSpec().getNodeSelector().remove(KubeNames.LABEL_HOSTNAME);
        }
        return new PodTemplateBuilder().withNewMetadata().withNamespace(job.team()).withName(job.jobId()).withLabels(labels(job))
                .endMetadata().withTemplate(pod).build();
    }

    /** One pod set: the job's one pod, from the PodTemplate of the same name. */
    static GenericKubernetesResource provisioningRequest(QueuedJob job, String provisioningClass) {
        Map<String, Object> podSet = new LinkedHashMap<>();
        podSet.put("podTemplateRef", Map.of("name", job.jobId()));
        podSet.put("count", 1);
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("provisioningClassName", provisioningClass);
        spec.put("podSets", List.of(podSet));
        return new GenericKubernetesResourceBuilder().withApiVersion(API_VERSION).withKind(KubeNames.PROVISIONING_REQUEST_KIND)
                .withNewMetadata().withNamespace(job.team()).withName(job.jobId()).withLabels(labels(job)).endMetadata()
                .withAdditionalProperties(Map.of("spec", spec)).build();
    }

    private static Map<String, String> labels(QueuedJob job) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(KubeNames.LABEL_MANAGED_BY, "trainops");
        labels.put(KubeNames.LABEL_JOB_ID, job.jobId());
        labels.put(KubeNames.LABEL_TEAM, job.team());
        return labels;
    }

    /** Creates it; one already there (a pass that died after creating it) counts as created. */
    private void create(HasMetadata object) {
        try {
            if (object instanceof GenericKubernetesResource r) {
                client.genericKubernetesResources(API).resource(r).create();
            } else {
                client.resource(object).create();
            }
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
        }
    }

    private static String className(GenericKubernetesResource r) {
        return r.get("spec", "provisioningClassName");
    }

    private static <T extends HasMetadata> Map<String, T> byKey(List<T> objects) {
        Map<String, T> out = new LinkedHashMap<>();
        for (T o : objects) {
            out.put(key(o.getMetadata().getNamespace(), o.getMetadata().getName()), o);
        }
        return out;
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    private static void run(List<String> failed, String key, Runnable step) {
        try {
            step.run();
        } catch (KubernetesClientException e) {
            String why = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage() : e.getMessage();
            failed.add(key + ": " + why);
        }
    }
}

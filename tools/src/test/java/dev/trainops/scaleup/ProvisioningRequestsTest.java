package dev.trainops.scaleup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.kube.KubeNames;
import dev.trainops.queue.JobSpec;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.Reason;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, "Scale-up", on fabric8's CRUD mock API server: a ProvisioningRequest (and its
 * PodTemplate) exists exactly while an URGENT job waits for capacity, and a pass changes nothing
 * when the cluster already holds what the queue wants.
 */
class ProvisioningRequestsTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
    static final String CHECK = KubeNames.PROVISIONING_CLASS_CHECK_CAPACITY;

    final CrudMockServer server = new CrudMockServer();
    final KubernetesClient client = server.client();
    final AtomicInteger manifestsBuilt = new AtomicInteger();

    @AfterEach
    void stop() {
        server.close();
    }

    static QueuedJob waiting(String jobId, String team, Priority priority, int gpus, Reason reason) {
        JobSpec spec = new JobSpec(team, jobId + "-run", "llm", "llm", priority, 1000, "H100", gpus, 4, 64, Map.of(), false, null, null, 0,
                0, null, null, null);
        return QueuedJob.submitted(jobId, spec, T0).waiting(reason, "No free H100 (0/8 free).", T0);
    }

    /** The Job admission would create, as JobQueue.plannedJob builds it: GPUs requested, the template's node selector and toleration. */
    Job planned(QueuedJob job) {
        manifestsBuilt.incrementAndGet();
        Map<String, Quantity> gpus = Map.of(KubeNames.GPU_RESOURCE, new Quantity(Integer.toString(job.gpuCount())),
                "cpu", new Quantity("8"));
        return new JobBuilder().withNewMetadata().withNamespace(job.team()).withName(job.kubeName()).endMetadata()
                .withNewSpec().withNewTemplate().withNewMetadata().withLabels(Map.of(KubeNames.LABEL_JOB_ID, job.jobId())).endMetadata()
                .withNewSpec().withRestartPolicy("Never").withPriorityClassName("trainops-urgent")
                .withNodeSelector(Map.of("pool", "gpu"))
                .addNewToleration().withKey(KubeNames.GPU_RESOURCE).withOperator("Exists").withEffect("NoSchedule").endToleration()
                .addNewContainer().withName("train").withImage("trainer:1").withNewResources().withRequests(gpus)
                .withLimits(Map.of(KubeNames.GPU_RESOURCE, gpus.get(KubeNames.GPU_RESOURCE))).endResources().endContainer()
                .endSpec().endTemplate().endSpec().build();
    }

    ProvisioningRequests requests(String provisioningClass) {
        return new ProvisioningRequests(client, provisioningClass, this::planned);
    }

    List<GenericKubernetesResource> provisioningRequests() {
        return client.genericKubernetesResources(ProvisioningRequests.API).inAnyNamespace().list().getItems();
    }

    List<PodTemplate> podTemplates() {
        return client.resources(PodTemplate.class).inAnyNamespace().list().getItems();
    }

    @Test
    void anUrgentJobThatDoesNotFitGetsAProvisioningRequestForThePodItsJobWouldRun() {
        QueuedJob urgent = waiting("tj-000000000001", "team-b", Priority.URGENT, 4, Reason.NO_CAPACITY);

        ProvisioningRequests.Result r = requests(CHECK).reconcile(List.of(urgent));

        assertThat(r.created()).containsExactly("team-b/tj-000000000001");
        GenericKubernetesResource pr = client.genericKubernetesResources(ProvisioningRequests.API).inNamespace("team-b")
                .withName("tj-000000000001").get();
        assertThat(pr.getApiVersion()).isEqualTo("autoscaling.x-k8s.io/v1");
        assertThat(pr.getKind()).isEqualTo("ProvisioningRequest");
        assertThat(pr.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "trainops")
                .containsEntry("trainops.dev/job-id", "tj-000000000001");
        assertThat((String) pr.get("spec", "provisioningClassName")).isEqualTo("check-capacity.autoscaling.x-k8s.io");
        assertThat((List<?>) pr.get("spec", "podSets")).singleElement()
                .isEqualTo(Map.of("podTemplateRef", Map.of("name", "tj-000000000001"), "count", 1));

        PodTemplate template = client.resources(PodTemplate.class).inNamespace("team-b").withName("tj-000000000001").get();
        assertThat(template.getMetadata().getLabels()).containsEntry("app.kubernetes.io/managed-by", "trainops")
                .containsEntry("trainops.dev/job-id", "tj-000000000001");
        var pod = template.getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("4"));
        assertThat(pod.getNodeSelector()).containsExactlyEntriesOf(Map.of("pool", "gpu"));
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).containsExactly("nvidia.com/gpu");
        assertThat(pod.getPriorityClassName()).isEqualTo("trainops-urgent");
    }

    @Test
    void normalAndBackgroundJobsAndJobsWaitingForSomethingElseGetNone() {
        ProvisioningRequests.Result r = requests(CHECK).reconcile(List.of(
                waiting("tj-000000000002", "team-a", Priority.NORMAL, 2, Reason.NO_CAPACITY),
                waiting("tj-000000000003", "team-a", Priority.BACKGROUND, 2, Reason.NO_CAPACITY),
                waiting("tj-000000000004", "team-a", Priority.URGENT, 2, Reason.QUOTA_EXCEEDED),
                waiting("tj-000000000005", "team-a", Priority.URGENT, 2, Reason.BUDGET_EXCEEDED)));

        assertThat(r.created()).isEmpty();
        assertThat(provisioningRequests()).isEmpty();
        assertThat(podTemplates()).isEmpty();
    }

    @Test
    void theRequestAndItsPodTemplateAreDeletedWhenTheJobIsAdmitted() {
        QueuedJob urgent = waiting("tj-000000000006", "team-b", Priority.URGENT, 4, Reason.NO_CAPACITY);
        ProvisioningRequests requests = requests(CHECK);
        requests.reconcile(List.of(urgent));
        assertThat(provisioningRequests()).hasSize(1);

        ProvisioningRequests.Result r = requests.reconcile(List.of(urgent.admittedTo("h100-new", T0.plusSeconds(60))));

        assertThat(r.deleted()).containsExactly("team-b/tj-000000000006");
        assertThat(provisioningRequests()).isEmpty();
        assertThat(podTemplates()).isEmpty();
    }

    @Test
    void theRequestAndItsPodTemplateAreDeletedWhenTheJobIsCancelled() {
        QueuedJob urgent = waiting("tj-000000000007", "team-b", Priority.URGENT, 4, Reason.NO_CAPACITY);
        QueuedJob other = waiting("tj-000000000008", "team-c", Priority.URGENT, 2, Reason.NO_CAPACITY);
        ProvisioningRequests requests = requests(CHECK);
        requests.reconcile(List.of(urgent, other));
        assertThat(provisioningRequests()).hasSize(2);

        QueuedJob cancelled = urgent.ended(JobState.CANCELLED, Reason.CANCELLED_BY_USER, "Cancelled.", null, T0.plusSeconds(30));
        ProvisioningRequests.Result r = requests.reconcile(List.of(cancelled, other));

        assertThat(r.deleted()).containsExactly("team-b/tj-000000000007");
        assertThat(provisioningRequests()).extracting(p -> p.getMetadata().getName()).containsExactly("tj-000000000008");
        assertThat(podTemplates()).extracting(p -> p.getMetadata().getName()).containsExactly("tj-000000000008");
    }

    /** A restart (or a new leader) lists what is there by label: a second pass creates nothing again and rebuilds no manifest. */
    @Test
    void aSecondPassOrAFreshInstanceChangesNothing() {
        QueuedJob urgent = waiting("tj-000000000009", "team-b", Priority.URGENT, 4, Reason.NO_CAPACITY);
        requests(CHECK).reconcile(List.of(urgent));
        int built = manifestsBuilt.get();

        ProvisioningRequests.Result again = requests(CHECK).reconcile(List.of(urgent));

        assertThat(again.created()).isEmpty();
        assertThat(again.deleted()).isEmpty();
        assertThat(manifestsBuilt.get()).isEqualTo(built);
        assertThat(provisioningRequests()).hasSize(1);
        assertThat(podTemplates()).hasSize(1);
    }

    /** Left behind by a process that died with its job cancelled meanwhile: deleted on the next pass; other objects are left alone. */
    @Test
    void leftoversOfJobsNoLongerWaitingAreDeletedAndObjectsTrainopsDidNotMakeAreLeftAlone() {
        QueuedJob gone = waiting("tj-00000000000a", "team-a", Priority.URGENT, 1, Reason.NO_CAPACITY);
        client.genericKubernetesResources(ProvisioningRequests.API).resource(ProvisioningRequests.provisioningRequest(gone, CHECK))
                .create();
        client.resource(ProvisioningRequests.podTemplate(gone, planned(gone))).create();
        GenericKubernetesResource theirs = ProvisioningRequests.provisioningRequest(gone, CHECK);
        theirs.getMetadata().setName("someone-elses");
        theirs.getMetadata().setLabels(Map.of("app.kubernetes.io/managed-by", "someone"));
        client.genericKubernetesResources(ProvisioningRequests.API).resource(theirs).create();

        ProvisioningRequests.Result r = requests(CHECK).reconcile(List.of());

        assertThat(r.deleted()).containsExactly("team-a/tj-00000000000a");
        assertThat(provisioningRequests()).extracting(p -> p.getMetadata().getName()).containsExactly("someone-elses");
        assertThat(podTemplates()).isEmpty();
    }

    /** The spec is immutable: a request of the class configured before is made again with the one configured now. */
    @Test
    void aRequestOfAnotherClassIsMadeAgainWithTheConfiguredOne() {
        QueuedJob urgent = waiting("tj-00000000000b", "team-b", Priority.URGENT, 4, Reason.NO_CAPACITY);
        requests(CHECK).reconcile(List.of(urgent));

        ProvisioningRequests.Result r = requests(KubeNames.PROVISIONING_CLASS_BEST_EFFORT_ATOMIC).reconcile(List.of(urgent));

        assertThat(r.deleted()).containsExactly("team-b/tj-00000000000b");
        assertThat(r.created()).containsExactly("team-b/tj-00000000000b");
        assertThat(provisioningRequests()).singleElement().satisfies(p -> assertThat((String) p.get("spec", "provisioningClassName"))
                .isEqualTo("best-effort-atomic-scale-up.autoscaling.x-k8s.io"));
    }

    @Test
    void aClassTheAutoscalerDoesNotKnowIsRefused() {
        assertThatThrownBy(() -> requests("atomic-scale-up.kubernetes.io")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("provisioning class must be one of [check-capacity.autoscaling.x-k8s.io, "
                        + "best-effort-atomic-scale-up.autoscaling.x-k8s.io], was 'atomic-scale-up.kubernetes.io'");
    }
}

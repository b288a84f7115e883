package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.scaleup.ProvisioningRequests;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodTemplate;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Scale-up", with the real queue on the CRUD mock: what an admission pass tells observers
 * carries the reason it gave each waiting job (the gauge counts NO_CAPACITY from it), and an URGENT
 * job that does not fit gets a ProvisioningRequest for the pod its Job would run, until it is admitted.
 */
class ScaleUpQueueTest {
    static final ResourceDefinitionContext PROVISIONING_REQUESTS = new ResourceDefinitionContext.Builder()
            .withGroup("autoscaling.x-k8s.io").withVersion("v1").withKind("ProvisioningRequest").withPlural("provisioningrequests")
            .withNamespaced(true).build();

    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(Store.sqlite(dir)).quota("team-a", 16).quota("team-b", 8);
        q = cluster.q;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    /** Both H100 nodes full with NORMAL work, which an URGENT job does not preempt: the URGENT job waits for capacity. */
    QueueAnswer urgentThatDoesNotFit() {
        q.service.submit(request("team-a", "normal-1", "llm", 8, Priority.NORMAL));
        q.service.submit(request("team-a", "normal-2", "llm", 8, Priority.NORMAL));
        q.startPods();
        return q.service.submit(request("team-b", "urgent", "llm", 4, Priority.URGENT));
    }

    @Test
    void theJobsAPassLeavesWaitingCarryTheReasonThatPassGaveThem() {
        QueueAnswer urgent = urgentThatDoesNotFit();

        // the pass right after the submission: the job was stored without a reason, and this pass gave it one
        List<QueuedJob> waiting = q.waitingAfterPass.get(q.waitingAfterPass.size() - 1);
        assertThat(waiting).singleElement().satisfies(j -> {
            assertThat(j.jobId()).isEqualTo(urgent.jobId());
            assertThat(j.reason()).isEqualTo(Reason.NO_CAPACITY);
            assertThat(j.reasonDetail()).isEqualTo(q.job(urgent.jobId()).reasonDetail());
        });
    }

    @Test
    void anUrgentJobThatDoesNotFitHasAProvisioningRequestForItsPodUntilItIsAdmitted() {
        QueueAnswer urgent = urgentThatDoesNotFit();
        ProvisioningRequests requests = new ProvisioningRequests(q.client, "best-effort-atomic-scale-up.autoscaling.x-k8s.io",
                q.dryRun::manifest);

        requests.reconcile(queued());

        GenericKubernetesResource pr = q.client.genericKubernetesResources(PROVISIONING_REQUESTS).inNamespace("team-b")
                .withName(urgent.jobId()).get();
        assertThat(pr).isNotNull();
        assertThat((String) pr.get("spec", "provisioningClassName")).isEqualTo("best-effort-atomic-scale-up.autoscaling.x-k8s.io");
        PodTemplate template = q.client.resources(PodTemplate.class).inNamespace("team-b").withName(urgent.jobId()).get();
        PodSpec pod = template.getTemplate().getSpec();
        // the pod the queue would create, from config/jobs.yaml's template: its GPUs, its toleration of GPU nodes' taint, no node pin
        PodSpec job = q.dryRun.manifest(q.job(urgent.jobId())).getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getResources().getRequests()).containsEntry("nvidia.com/gpu", new Quantity("4"))
                .isEqualTo(job.getContainers().get(0).getResources().getRequests());
        assertThat(pod.getTolerations()).extracting(Toleration::getKey).contains("nvidia.com/gpu");
        assertThat(pod.getPriorityClassName()).isEqualTo(job.getPriorityClassName());
        assertThat(pod.getNodeSelector() == null ? java.util.Map.of() : pod.getNodeSelector()).doesNotContainKey("kubernetes.io/hostname");

        // a NORMAL job ends: the next pass admits the URGENT one, and its request goes
        q.finish(q.queue.read(c -> q.queue.latestByRunName(c, "normal-1")).orElseThrow().jobId());
        q.scheduler.pass();
        assertThat(q.job(urgent.jobId()).state()).isEqualTo(JobState.SCHEDULED);
        ProvisioningRequests.Result r = requests.reconcile(queued());

        assertThat(r.deleted()).containsExactly("team-b/" + urgent.jobId());
        assertThat(q.client.genericKubernetesResources(PROVISIONING_REQUESTS).inAnyNamespace().list().getItems()).isEmpty();
        assertThat(q.client.resources(PodTemplate.class).inAnyNamespace().list().getItems()).isEmpty();
    }

    private List<QueuedJob> queued() {
        return q.queue.read(c -> q.queue.inStates(c, JobState.QUEUED));
    }
}

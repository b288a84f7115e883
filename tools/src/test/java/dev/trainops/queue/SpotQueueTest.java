package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.SpotInterruptions;
import dev.trainops.kube.KubeNames;
import dev.trainops.kube.SpotNodes;
import dev.trainops.report.CostReport;
import dev.trainops.report.CostReportRequest;
import dev.trainops.report.CostReports;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Spot for real, through the queue on a mock API server: a spot job is placed on the spot node with
 * the spot tolerations, an on-demand job on the on-demand node; a reclaimed spot node's pod sends its
 * job back to the queue as PREEMPTED (spot interruption), it resumes as the next attempt, and the
 * work lost since its last checkpoint is recorded and reported as wasted cost (cost rule 4).
 */
class SpotQueueTest {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    KubernetesClient client;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        cluster = new MockQueueCluster(Store.sqlite(dir), List.of(MockQueueCluster.h100("h100-od"), gpuNode("l4-od", "NVIDIA-L4", 23034, 4),
                new NodeBuilder(MockQueueCluster.h100("h100-spot")).editMetadata().addToLabels("karpenter.sh/capacity-type", "spot")
                        .endMetadata().build())).quota("team-a", 16);
        q = cluster.q;
        client = q.client;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aSpotJobIsPlacedOnTheSpotNodeWithItsTolerationsAndAnOnDemandJobOnTheOnDemandNode() {
        QueueAnswer spot = q.service.submit(request("spot-run", true));
        QueueAnswer onDemand = q.service.submit(request("od-run", false));
        assertThat(q.job(spot.jobId()).node()).isEqualTo("h100-spot");
        assertThat(q.job(onDemand.jobId()).node()).isEqualTo("h100-od");
        assertThat(kubeJob(spot.jobId()).getSpec().getTemplate().getSpec().getTolerations())
                .containsAll(SpotNodes.DEFAULTS.tolerations());
        assertThat(kubeJob(onDemand.jobId()).getSpec().getTemplate().getSpec().getTolerations()).doesNotContainAnyElementsOf(
                SpotNodes.DEFAULTS.tolerations());
    }

    @Test
    void costRule4_anInterruptedSpotJobIsRequeuedAsPreemptedResumesAndItsWastedCostIsReported() {
        Instant t0 = q.clock.instant();
        QueueAnswer a = q.service.submit(request("spot-run", true));
        q.startPods();
        q.scheduler.pass();
        assertThat(q.job(a.jobId()).state()).isEqualTo(JobState.RUNNING);

        // 30 minutes in, the node is reclaimed; the trainer last checkpointed at 20 minutes
        q.clock.advance(Duration.ofMinutes(30));
        interrupt(a.jobId(), t0.plus(Duration.ofMinutes(20)));
        q.scheduler.pass();

        QueuedJob preempted = q.job(a.jobId());
        assertThat(preempted.state()).isEqualTo(JobState.PREEMPTED);
        assertThat(preempted.reason()).isEqualTo(Reason.PREEMPTED);
        assertThat(preempted.reasonDetail()).startsWith("Spot interruption: node h100-spot was reclaimed")
                .contains("the 600 s since its last checkpoint ($0.3702 wasted)").contains("resumes from its checkpoint as attempt 2");
        // 1 H100 + 8 cores + 64 GiB (the per-GPU defaults) at pricing.yaml's peak rates:
        // 6.88 + 8 x 0.031611 + 64 x 0.004237 = 7.404056 $/h; spot at 30% = 2.2212168 $/h;
        // 600 s lost = 2.2212168 / 6 = 0.3702028 -> $0.370203
        List<SpotInterruptions.Interruption> lost = SpotInterruptions.between(q.store, t0, t0.plus(Duration.ofDays(1)), null);
        assertThat(lost).singleElement().satisfies(i -> {
            assertThat(i.wasted().amount()).isEqualByComparingTo("0.370203");
            assertThat(i.lostSeconds()).isEqualTo(600);
            assertThat(i.queueJobId()).isEqualTo(a.jobId());
            assertThat(i.attempt()).isEqualTo(1);
        });
        CostReport report = new CostReports(new Ledger(q.store, q.prices, q.clock), q.prices.currency())
                .report(new CostReportRequest("2026-12-01", "2026-12-02", null, null));
        assertThat(report.spotWaste().interruptions()).isEqualTo(1);
        assertThat(report.spotWaste().wastedCost()).isEqualByComparingTo("0.370203");
        assertThat(report.spotWaste().items()).singleElement().satisfies(i -> assertThat(i.jobId()).isEqualTo(a.jobId()));

        // the Job was deleted; once its pod is gone the job is back in the queue as attempt 2 and resumes
        q.collectOrphans();
        q.scheduler.pass();
        q.scheduler.pass();
        QueuedJob again = q.job(a.jobId());
        assertThat(again.attempt()).isEqualTo(2);
        assertThat(again.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(again.node()).isEqualTo("h100-spot");
        assertThat(kubeJob(a.jobId()).getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--resume");
    }

    @Test
    void aFailedPodOnAnOnDemandNodeIsAFailureNotASpotInterruption() {
        QueueAnswer a = q.service.submit(request("od-run", false));
        q.startPods();
        q.scheduler.pass();
        interrupt(a.jobId(), null);
        q.scheduler.pass();
        assertThat(q.job(a.jobId()).state()).isEqualTo(JobState.FAILED);
        assertThat(SpotInterruptions.between(q.store, Instant.EPOCH, q.clock.instant().plusSeconds(1), null)).isEmpty();
    }

    @Test
    void queueRule5_aSpotJobOfATypeWithNoSpotNodeIsRefusedAtSubmitNotLeftWaiting() {
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("llm", "spot-l4", "team-a", 2, 64, Priority.NORMAL, 1, "L4", null, true,
                null, null, null))).isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("No spot node in the cluster has L4 GPUs.");
                    assertThat(e.hint()).contains("without spot");
                });
        assertThat(q.all()).isEmpty();
    }

    private static QueueRequest request(String run, boolean spot) {
        return new QueueRequest("llm", run, "team-a", 2, 64, Priority.NORMAL, 1, "H100", null, spot, null, null, null);
    }

    private Job kubeJob(String jobId) {
        QueuedJob j = q.job(jobId);
        return client.batch().v1().jobs().inNamespace(j.team()).withName(j.kubeName()).get();
    }

    /** What a reclaimed node does to its pod: Failed, DisruptionTarget, terminated now; the Job fails with it. */
    private void interrupt(String jobId, Instant lastCheckpoint) {
        QueuedJob j = q.job(jobId);
        String now = q.clock.instant().toString();
        Pod pod = client.pods().inNamespace(j.team()).withName(j.kubeName() + "-pod").get();
        PodBuilder failed = new PodBuilder(pod).editStatus().withPhase(KubeNames.PHASE_FAILED).withReason("Terminated")
                .addNewCondition().withType(KubeNames.CONDITION_DISRUPTION_TARGET).withStatus("True").withReason("TerminationByKubelet")
                .endCondition()
                .addNewContainerStatus().withName("train").withNewState().withNewTerminated().withExitCode(143).withStartedAt(pod.getStatus()
                        .getStartTime()).withFinishedAt(now).endTerminated().endState().endContainerStatus().endStatus();
        if (lastCheckpoint != null) {
            failed.editMetadata().addToAnnotations(KubeNames.ANNOTATION_LAST_CHECKPOINT, lastCheckpoint.toString()).endMetadata();
        }
        Pod updated = client.resource(failed.build()).update();
        client.resource(new PodBuilder(updated).withStatus(failed.build().getStatus()).build()).updateStatus();
        Job kube = kubeJob(jobId);
        client.resource(new JobBuilder(kube).editOrNewStatus().addNewCondition().withType("Failed").withStatus("True")
                .withLastTransitionTime(now).endCondition().endStatus().build()).updateStatus();
        q.awaitIndex();
    }
}

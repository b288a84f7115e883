package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static dev.trainops.testing.ClusterFixtures.timeSlicedNode;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ErrorCode;
import dev.trainops.catalog.ToolException;
import dev.trainops.kube.KubeNames;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/queue.md "Queue, quota and priority rules", each a test, against the fabric8 mock API server in
 * CRUD mode with an injected clock, on SQLite ({@link SqliteQueueRulesTest}) and PostgreSQL
 * ({@link PostgresQueueRulesTest}); rule 12 and rule 4 under concurrency are in {@link QueueConcurrencyContract}.
 */
abstract class QueueRulesContract {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;
    KubernetesClient client;

    abstract Store store(Path dir) throws Exception;

    @BeforeEach
    void cluster() throws Exception {
        // spot capacity: only spot jobs go there (docs/queue.md, "Spot and on-demand"), so the rules below are on demand
        cluster = MockQueueCluster.twoH100s(store(dir), timeSlicedNode("t4-shared", "Tesla-T4", 2, 4),
                        new io.fabric8.kubernetes.api.model.NodeBuilder(MockQueueCluster.h100("h100-spot"))
                                .editMetadata().addToLabels("karpenter.sh/capacity-type", "spot").endMetadata().build())
                .quota("team-a", 16).quota("team-b", 16);
        q = cluster.q;
        client = q.client;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    QueuedJob running(String team, String run, int gpus, Priority priority) {
        QueueAnswer a = q.service.submit(request(team, run, "llm", gpus, priority));
        assertThat(a.state()).as(run).isEqualTo(JobState.SCHEDULED);
        q.startPods();
        q.scheduler.pass();
        assertThat(q.job(a.jobId()).state()).isEqualTo(JobState.RUNNING);
        return q.job(a.jobId());
    }

    @Test
    void queueRule1_admissionOrderIsPriorityThenSubmitTimeThenJobId() {
        QueuedJob base = q.service.prepare(request("team-a", "x", "llm", 1, Priority.NORMAL), null, null, null);
        QueuedJob urgentLate = copy(base, "tj-000000000003", Priority.URGENT, 1_000_000, q.clock.instant().plusSeconds(60));
        QueuedJob normalEarly = copy(base, "tj-000000000002", Priority.NORMAL, 1000, q.clock.instant());
        QueuedJob normalEarlySameTime = copy(base, "tj-000000000001", Priority.NORMAL, 1000, q.clock.instant());
        QueuedJob background = copy(base, "tj-000000000000", Priority.BACKGROUND, 100, q.clock.instant().minusSeconds(600));
        List<QueuedJob> jobs = new ArrayList<>(List.of(background, normalEarly, urgentLate, normalEarlySameTime));
        jobs.sort(AdmissionOrder.ORDER);
        assertThat(jobs).extracting(QueuedJob::jobId).containsExactly("tj-000000000003", "tj-000000000001", "tj-000000000002",
                "tj-000000000000");
    }

    static QueuedJob copy(QueuedJob b, String id, Priority p, int value, Instant submitted) {
        return QueuedJob.submitted(id, b.spec().withPriority(p, value), submitted);
    }

    @Test
    void queueRule2_anUrgentJobThatFitsIsAdmittedBeforeEveryPendingNormalOrBackgroundJob() {
        running("team-a", "filler-a", 8, Priority.NORMAL);
        running("team-a", "filler-b", 4, Priority.NORMAL);
        // 4 H100 free on h100-b; three 4-GPU jobs line up, the URGENT one last
        QueuedJob normal = q.enqueue(request("team-a", "normal", "mnist", 4, Priority.NORMAL));
        q.clock.advance(Duration.ofSeconds(1));
        QueuedJob background = q.enqueue(request("team-b", "background", "validation", 4, Priority.BACKGROUND));
        q.clock.advance(Duration.ofSeconds(1));
        QueuedJob urgent = q.enqueue(request("team-b", "urgent", "llm", 4, Priority.URGENT));
        Scheduler.PassResult pass = q.scheduler.pass();
        assertThat(pass.admitted()).containsExactly(urgent.jobId());
        assertThat(q.job(normal.jobId()).reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(q.scheduler.lastPlan().waits().get(normal.jobId()).position()).isEqualTo(2);
        assertThat(q.scheduler.lastPlan().waits().get(background.jobId()).position()).isEqualTo(3);
        // the Job the URGENT job got carries its PriorityClass, the node, GPU limit = request, and the labels
        Job kube = client.batch().v1().jobs().inNamespace("team-b").withName(q.job(urgent.jobId()).kubeName()).get();
        var spec = kube.getSpec().getTemplate().getSpec();
        assertThat(spec.getPriorityClassName()).isEqualTo("trainops-urgent");
        assertThat(spec.getNodeSelector()).containsEntry(KubeNames.LABEL_HOSTNAME, "h100-b");
        var resources = spec.getContainers().get(0).getResources();
        assertThat(resources.getLimits().get("nvidia.com/gpu")).isEqualTo(resources.getRequests().get("nvidia.com/gpu"));
        assertThat(kube.getMetadata().getLabels()).containsEntry(KubeNames.LABEL_JOB_ID, urgent.jobId())
                .containsEntry(KubeNames.LABEL_RUN_NAME, "urgent").containsEntry(KubeNames.LABEL_TEAM, "team-b")
                .containsEntry(KubeNames.LABEL_EXPERIMENT, "llm");
    }

    @Test
    void queueRule3_anUrgentJobPreemptsOnlyBackgroundJobsTheSmallestSetMostRecentlyStartedFirst() {
        // h100-a: BACKGROUND 4 (oldest), 2, 2 (newest) -> freeing 4 takes two jobs
        QueuedJob a4 = running("team-a", "bg-a4", 4, Priority.BACKGROUND);
        q.clock.advance(Duration.ofMinutes(1));
        QueuedJob a2 = running("team-a", "bg-a2", 2, Priority.BACKGROUND);
        q.clock.advance(Duration.ofMinutes(1));
        QueuedJob a2b = running("team-a", "bg-a2b", 2, Priority.BACKGROUND);
        // h100-b: NORMAL 4 (never a victim), BACKGROUND 4 started last -> one job frees 4
        q.clock.advance(Duration.ofMinutes(1));
        QueuedJob n4 = running("team-b", "normal-b4", 4, Priority.NORMAL);
        q.clock.advance(Duration.ofMinutes(1));
        QueuedJob b4 = running("team-b", "bg-b4", 4, Priority.BACKGROUND);
        assertThat(List.of(a4, a2, a2b).stream().map(QueuedJob::node).distinct().toList()).hasSize(1);
        assertThat(b4.node()).isEqualTo(n4.node()).isNotEqualTo(a4.node());

        QueueAnswer urgent = q.service.submit(request("team-b", "urgent", "llm", 4, Priority.URGENT));
        assertThat(urgent.state()).isEqualTo(JobState.QUEUED);
        assertThat(urgent.reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
        assertThat(q.ids(JobState.PREEMPTED)).containsExactly(b4.jobId());
        assertThat(q.job(n4.jobId()).state()).isEqualTo(JobState.RUNNING);

        assertThat(q.job(a2b.jobId()).state()).isEqualTo(JobState.RUNNING);
        assertThat(q.job(a2.jobId()).state()).isEqualTo(JobState.RUNNING);
    }

    @Test
    void queueRule3_anUrgentJobThatFitsNowhereEvenAfterEvictionEvictsNothing() {
        running("team-a", "normal-a", 6, Priority.NORMAL);
        running("team-a", "bg-a", 2, Priority.BACKGROUND);
        running("team-b", "normal-b", 6, Priority.NORMAL);
        running("team-b", "bg-b", 2, Priority.BACKGROUND);
        QueueAnswer urgent = q.service.submit(request("team-a", "urgent", "llm", 4, Priority.URGENT));
        assertThat(urgent.reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(q.ids(JobState.PREEMPTED)).isEmpty();
    }

    @Test
    void queueRule4_preemptionNeverPushesATeamOverItsQuota() {
        q.quota("team-c", 4);
        running("team-c", "own-normal", 4, Priority.NORMAL); // team-c at its quota
        running("team-a", "bg-1", 8, Priority.BACKGROUND);
        running("team-a", "bg-2", 4, Priority.BACKGROUND);
        QueueAnswer urgent = q.service.submit(request("team-c", "urgent", "llm", 4, Priority.URGENT));
        assertThat(urgent.reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(urgent.reasonDetail()).contains("holds 4 of its 4 GPU quota");
        assertThat(q.ids(JobState.PREEMPTED)).isEmpty();
    }

    @Test
    void queueRule5_aRequestThatCanNeverFitIsRejectedAtSubmitAndNothingIsStored() {
        assertThatThrownBy(() -> q.service.submit(request("team-a", "too-big", "llm", 9, Priority.NORMAL)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                    assertThat(e.getMessage()).contains("No node can ever hold 9 H100: the largest has 8");
                });
        q.quota("team-c", 2);
        assertThatThrownBy(() -> q.service.submit(request("team-c", "over-quota", "llm", 3, Priority.NORMAL)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.QUOTA_EXCEEDED);
                    assertThat(e.getMessage()).contains("quota is 2; this job asks for 3");
                });
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("llm", "r", "team-a", 2, 64, null, 1, "A100-80GB", null, null, null,
                null, null))).isInstanceOfSatisfying(ToolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY));
        assertThat(q.all()).isEmpty();
    }

    @Test
    void queueRule6_aJobWaitsWithBudgetExceededWhenSpentPlusCommittedPlusItsProjectionIsOverTheBudget() {
        // a 4-GPU H100 job for 2 epochs (1,200 s) is estimated at 4 x 6.88 / 3 = $9.173333; a 1-GPU one at $2.293333
        q.budgetLimit.put("team-a", new BigDecimal("20.00"));
        q.spent.put("team-a", new BigDecimal("1.00"));
        QueuedJob first = q.enqueue(request("team-a", "first", "llm", 4, Priority.NORMAL));
        q.clock.advance(Duration.ofSeconds(1));
        QueuedJob second = q.enqueue(request("team-a", "second", "llm", 4, Priority.NORMAL));
        q.clock.advance(Duration.ofSeconds(1));
        QueuedJob third = q.enqueue(request("team-a", "third", "llm", 1, Priority.NORMAL));
        assertThat(first.estimatedCostMicros()).isEqualTo(9_173_333L);
        q.scheduler.pass();
        // $1 spent + $9.17 + $9.17 committed = $19.35 <= $20: both admitted; the third would take it to $21.64
        assertThat(q.job(first.jobId()).state()).isEqualTo(JobState.SCHEDULED);
        assertThat(q.job(second.jobId()).state()).isEqualTo(JobState.SCHEDULED);
        QueuedJob waiting = q.job(third.jobId());
        assertThat(waiting.state()).isEqualTo(JobState.QUEUED);
        assertThat(waiting.reason()).isEqualTo(Reason.BUDGET_EXCEEDED);
        assertThat(waiting.reasonDetail()).contains("of its monthly budget of $20.00").contains("would take it to $21.64");
        // a submission whose own estimate is above what is left is refused, and nothing is stored
        int before = q.all().size();
        assertThatThrownBy(() -> q.service.submit(request("team-a", "fourth", "llm", 2, Priority.NORMAL)))
                .isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
                    assertThat(e.getMessage()).contains("above what is left of team team-a's monthly budget: $0.6533 of $20.00");
                    assertThat(e.details()).containsKey("options");
                });
        assertThat(q.all()).hasSize(before);
        // once the first job has run and billed less than committed, the third fits
        q.startPods();
        q.clock.advance(Duration.ofMinutes(10));
        q.scheduler.pass();
        q.finish(first.jobId());
        q.spent.put("team-a", new BigDecimal("5.00"));
        q.scheduler.pass();
        assertThat(q.job(third.jobId()).state()).as(q.job(third.jobId()).reasonDetail()).isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void maxCostIsEnforcedAtSubmissionWithCheaperOptionsAndWhileRunning() {
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("llm", "capped", "team-a", 10, 64, Priority.NORMAL, 1, "H100", null, null,
                null, "5.00", null))).isInstanceOfSatisfying(ToolException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BUDGET_EXCEEDED);
                    assertThat(e.getMessage()).contains("$11.47, is above its max_cost of $5.00");
                    @SuppressWarnings("unchecked")
                    List<java.util.Map<String, Object>> options = (List<java.util.Map<String, Object>>) e.details().get("options");
                    assertThat(options).isNotEmpty().allSatisfy(o -> assertThat(new BigDecimal((String) o.get("estimated_cost")))
                            .isLessThanOrEqualTo(new BigDecimal("5.00")));
                    assertThat(options).anySatisfy(o -> assertThat((java.util.Map<String, Object>) o.get("arguments")).containsEntry("spot", true));
                });
        assertThat(q.all()).isEmpty();
        // admitted under its cap; it runs longer than estimated and is stopped when it reaches it
        QueueAnswer a = q.service.submit(new QueueRequest("llm", "capped", "team-a", 4, 64, Priority.NORMAL, 1, "H100", null, null, null,
                "5.00", null));
        assertThat(a.state()).isEqualTo(JobState.SCHEDULED);
        q.startPods();
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(40)); // 40 min x $7.404056/h (H100 $6.88 + the llm template's 8 cores and 64 GiB) = $4.94
        q.scheduler.pass();
        assertThat(q.job(a.jobId()).state()).isEqualTo(JobState.RUNNING);
        q.clock.advance(Duration.ofMinutes(1)); // $5.06
        q.scheduler.pass();
        QueuedJob stopped = q.job(a.jobId());
        assertThat(stopped.state()).isEqualTo(JobState.FAILED);
        assertThat(stopped.reason()).isEqualTo(Reason.MAX_COST_REACHED);
        assertThat(stopped.reasonDetail()).contains("its max_cost is $5.00");
        assertThat(client.batch().v1().jobs().inNamespace("team-a").withName(stopped.kubeName()).get()).isNull();
    }

    @Test
    void queueRule7_theEightyPercentQuotaWarningFiresOnceWhenCrossingAndReArmsBelow() {
        q.quota("team-c", 10);
        QueueAnswer seven = q.service.submit(request("team-c", "seven", "llm", 7, Priority.NORMAL));
        assertThat(seven.warnings()).isEmpty();
        QueueAnswer one = q.service.submit(request("team-c", "one", "llm", 1, Priority.NORMAL)); // 8 of 10: crosses 80%
        assertThat(one.warnings()).anyMatch(w -> w.contains("now holds 8 of its 10 GPU quota (80%"));
        QueueAnswer again = q.service.submit(request("team-c", "again", "llm", 1, Priority.NORMAL)); // 9 of 10: still above
        assertThat(again.warnings()).noneMatch(w -> w.contains("GPU quota"));
        q.service.cancel(new CancelRequest(seven.jobId(), "make room"));
        q.collectOrphans();
        assertThat(q.service.quotaWarning("team-c")).isEmpty(); // 2 of 10: re-armed
        QueueAnswer back = q.service.submit(request("team-c", "back", "llm", 6, Priority.NORMAL)); // 8 of 10 again
        assertThat(back.warnings()).anyMatch(w -> w.contains("now holds 8 of its 10 GPU quota"));
    }

    @Test
    void queueRule8_aLargeJobPassedOverBySmallerOnesIsAdmittedWithinABoundedTime() {
        QueuedJob blockerA = running("team-a", "blocker-a", 4, Priority.NORMAL);
        QueuedJob blockerB = running("team-a", "blocker-b", 6, Priority.NORMAL);
        assertThat(blockerA.node()).isNotEqualTo(blockerB.node());
        QueueAnswer big = q.service.submit(request("team-b", "big", "llm", 8, Priority.NORMAL));
        assertThat(big.reason()).isEqualTo(Reason.NO_CAPACITY);
        // smaller jobs arrive and take what is free while the big one waits
        for (int i = 0; i < 3; i++) {
            q.clock.advance(Duration.ofMinutes(5));
            assertThat(q.service.submit(request("team-a", "small-" + i, "mnist", 2, Priority.NORMAL)).state()).isEqualTo(JobState.SCHEDULED);
        }
        // past 30 minutes of waiting, the big job holds its GPU type: nothing behind it starts on an H100
        q.clock.advance(Duration.ofMinutes(20));
        q.startPods();
        q.scheduler.pass();
        q.finish(q.all().stream().filter(j -> j.runName().equals("small-0")).findFirst().orElseThrow().jobId());
        QueueAnswer late = q.service.submit(request("team-a", "small-late", "mnist", 2, Priority.NORMAL));
        assertThat(late.state()).isEqualTo(JobState.QUEUED);
        assertThat(late.reasonDetail()).contains("held for a job that has waited longer");
        // so as the jobs on one node end, the big job gets that node
        String node = blockerA.node();
        for (QueuedJob j : q.all()) {
            if (j.state() == JobState.RUNNING && node.equals(j.node())) {
                q.finish(j.jobId());
            }
        }
        q.scheduler.pass();
        assertThat(q.job(big.jobId()).state()).isEqualTo(JobState.SCHEDULED);
        assertThat(q.job(big.jobId()).node()).isEqualTo(node);
    }

    @Test
    void queueRule9_aPreemptedJobReturnsWithItsSubmitTimeAndAReasonNamingThePreemptorAndHoldsQuotaUntilItsPodsEnd() {
        q.quota("team-c", 8);
        QueuedJob victim = running("team-c", "bg", 8, Priority.BACKGROUND);
        running("team-a", "normal", 8, Priority.NORMAL);
        QueueAnswer urgent = q.service.submit(request("team-a", "urgent", "llm", 8, Priority.URGENT));
        assertThat(urgent.reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
        assertThat(q.job(victim.jobId()).state()).isEqualTo(JobState.PREEMPTED);
        assertThat(q.job(victim.jobId()).preemptedBy()).isEqualTo(urgent.jobId());
        // its Job is deleted, but its pod is still terminating: its quota and GPUs stay held
        q.awaitIndex();
        assertThat(client.batch().v1().jobs().inNamespace("team-c").withName(victim.kubeName()).get()).isNull();
        QueueAnswer other = q.service.submit(request("team-c", "other", "mnist", 1, Priority.URGENT));
        assertThat(other.reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(q.job(urgent.jobId()).reason()).isEqualTo(Reason.WAITING_FOR_PREEMPTION);
        assertThat(q.job(victim.jobId()).state()).isEqualTo(JobState.PREEMPTED);
        q.service.cancel(new CancelRequest(other.jobId(), "not needed"));
        // the pod goes (the garbage collector), and the victim is back in the queue
        q.collectOrphans();
        q.scheduler.pass();
        QueuedJob back = q.job(victim.jobId());
        assertThat(back.state()).isEqualTo(JobState.QUEUED);
        assertThat(back.reason()).isEqualTo(Reason.PREEMPTED);
        assertThat(back.reasonDetail()).contains("Preempted by URGENT job " + urgent.jobId()).contains("last checkpoint");
        assertThat(back.submitted()).isEqualTo(victim.submitted());
        assertThat(back.attempt()).isEqualTo(2);
        assertThat(q.job(urgent.jobId()).state()).isEqualTo(JobState.SCHEDULED);
        // the restart resumes from its checkpoint
        q.finish(q.job(urgent.jobId()).jobId());
        q.scheduler.pass();
        QueuedJob restarted = q.job(victim.jobId());
        assertThat(restarted.state()).isEqualTo(JobState.SCHEDULED);
        Job again = client.batch().v1().jobs().inNamespace("team-c").withName(restarted.kubeName()).get();
        assertThat(again.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).contains("--resume");
    }

    @Test
    void anOffPeakJobWaitsForTheWindowAndStartsInIt() {
        QueueAnswer night = q.service.submit(new QueueRequest("mnist", "nightly", "team-a", 2, 64, Priority.NORMAL, 1, "H100", null, null,
                "off_peak", null, null));
        assertThat(night.state()).isEqualTo(JobState.QUEUED);
        assertThat(night.reason()).isEqualTo(Reason.OFF_PEAK_WAIT);
        assertThat(night.eta()).isEqualTo(Instant.parse("2026-12-01T22:00:00Z"));
        assertThat(night.notBefore()).isEqualTo(Instant.parse("2026-12-01T22:00:00Z"));
        q.clock.set(Instant.parse("2026-12-01T21:59:59Z"));
        q.scheduler.pass();
        assertThat(q.job(night.jobId()).state()).isEqualTo(JobState.QUEUED);
        q.clock.set(Instant.parse("2026-12-01T22:00:00Z"));
        q.scheduler.pass();
        assertThat(q.job(night.jobId()).state()).isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void queueRule11_noNewJobGoesOnABusySharedGpuUnlessItIsUrgent() {
        q.utilization.put("t4-shared", 72.0);
        QueueAnswer normal = q.service.submit(new QueueRequest("mnist", "shared", "team-a", 2, 32, Priority.NORMAL, 1, "T4", null, null,
                null, null, null));
        assertThat(normal.reason()).isEqualTo(Reason.UTILIZATION_GATE);
        assertThat(normal.reasonDetail()).contains("72% busy, above the 50% gate");
        QueueAnswer urgent = q.service.submit(new QueueRequest("llm", "shared-urgent", "team-a", 2, 32, Priority.URGENT, 1, "T4", null,
                null, null, null, null));
        assertThat(urgent.state()).isEqualTo(JobState.SCHEDULED);
        // exclusive GPUs are never gated, however busy
        q.utilization.put("h100-a", 99.0);
        q.utilization.put("h100-b", 99.0);
        assertThat(q.service.submit(request("team-a", "exclusive", "mnist", 1, Priority.NORMAL)).state()).isEqualTo(JobState.SCHEDULED);
        // unknown utilisation: the gate is open
        q.utilization.remove("t4-shared");
        q.scheduler.pass();
        assertThat(q.job(normal.jobId()).state()).isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void queueRule13_aJobBiggerThanOneNodeRunsOnWholeNodesOfOneTypeAsAnIndexedJobAdmittedAllOrNothing() {
        QueuedJob small = running("team-b", "small", 2, Priority.NORMAL);
        // 16 H100 on 8-GPU nodes: two whole nodes, and one of them holds the small job -> it waits, nothing partial
        QueueAnswer big = q.service.submit(request("team-a", "big", "llm", 16, Priority.NORMAL));
        assertThat(big.state()).isEqualTo(JobState.QUEUED);
        assertThat(big.reason()).isEqualTo(Reason.NO_CAPACITY);
        assertThat(big.reasonDetail()).contains("Needs 2 whole free H100 nodes (8 GPUs each, 16 in all; all or nothing), 1 free (");
        assertThat(client.batch().v1().jobs().inNamespace("team-a").list().getItems()).isEmpty();
        // the spot node is H100 too, but of another kind: never one of its nodes
        q.clock.advance(Duration.ofMinutes(1));
        q.finish(small.jobId());
        q.scheduler.pass();
        QueuedJob admitted = q.job(big.jobId());
        assertThat(admitted.state()).isEqualTo(JobState.SCHEDULED);
        assertThat(admitted.nodes()).containsExactly("h100-a", "h100-b");
        Job kube = client.batch().v1().jobs().inNamespace("team-a").withName(admitted.kubeName()).get();
        assertThat(kube.getSpec().getCompletionMode()).isEqualTo("Indexed");
        assertThat(kube.getSpec().getCompletions()).isEqualTo(2);
        assertThat(kube.getSpec().getParallelism()).isEqualTo(2);
        var pod = kube.getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getResources().getRequests().get("nvidia.com/gpu").getAmount()).isEqualTo("8");
        assertThat(pod.getNodeSelector()).doesNotContainKey(KubeNames.LABEL_HOSTNAME);
        assertThat(pod.getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().getNodeSelectorTerms().get(0)
                .getMatchExpressions()).anySatisfy(e -> {
                    assertThat(e.getKey()).isEqualTo(KubeNames.LABEL_HOSTNAME);
                    assertThat(e.getValues()).containsExactly("h100-a", "h100-b");
                });
        assertThat(pod.getAffinity().getPodAntiAffinity().getRequiredDuringSchedulingIgnoredDuringExecution().get(0).getLabelSelector()
                .getMatchLabels()).containsEntry(KubeNames.LABEL_JOB_ID, admitted.jobId());
        assertThat(pod.getContainers().get(0).getEnv()).extracting(e -> e.getName() + "=" + e.getValue())
                .contains("NNODES=2", "GPUS_PER_NODE=8", "WORLD_SIZE=16");
        q.startPods();
        q.scheduler.pass();
        assertThat(q.job(big.jobId()).state()).isEqualTo(JobState.RUNNING);
        // quota counts all 16 GPUs: team-a holds its 16
        QueueAnswer more = q.service.submit(request("team-a", "one-more", "mnist", 1, Priority.NORMAL));
        assertThat(more.reason()).isEqualTo(Reason.QUOTA_EXCEEDED);
        assertThat(more.reasonDetail()).contains("holds 16 of its 16 GPU quota");
    }

    @Test
    void queueRule13_aGpuCountAboveOneNodeMustBeWholeNodesOfWholeGpusOrItIsRefusedNamingTheValidValues() {
        for (int gpus : new int[] {12, 24}) {
            assertThatThrownBy(() -> q.service.submit(request("team-a", "odd-" + gpus, "llm", gpus, Priority.NORMAL)))
                    .isInstanceOfSatisfying(ToolException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NO_CAPACITY);
                        assertThat(e.getMessage()).contains("No node can ever hold " + gpus + " H100: the largest has 8")
                                .contains("gpu_count runs on whole H100 nodes of 8 GPUs (queue rule 13), and the cluster has 2 such nodes");
                        assertThat(e.hint()).isEqualTo("Ask for gpu_count at most 8 on one node, or 16 on whole nodes.");
                        assertThat(e.details()).containsEntry("argument", "gpu_count");
                    });
        }
        // one spot H100 node: 16 spot GPUs cannot be two of them
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("llm", "spot-16", "team-a", 2, 64, Priority.NORMAL, 16, "H100", null,
                true, null, null, null))).isInstanceOfSatisfying(ToolException.class, e ->
                assertThat(e.getMessage()).contains("whole spot H100 nodes of 8 GPUs (queue rule 13), and the cluster has 1 such node."));
        // time-sliced GPUs never span nodes
        assertThatThrownBy(() -> q.service.submit(new QueueRequest("mnist", "shared-16", "team-a", 2, 32, Priority.NORMAL, 16, "T4", null,
                null, null, null, null))).isInstanceOfSatisfying(ToolException.class, e ->
                assertThat(e.getMessage()).contains("its GPUs are shared (time-sliced), and only whole GPUs span nodes"));
        assertThat(q.all()).isEmpty();
        // validate_job_resources says the same: 16 is two whole nodes, 12 is no count of them
        PlanningService planning = new PlanningService(PriorityConfig.defaults(), QuotaConfig.defaults(), q.queue, q.scheduler, q.index,
                q::budgetStatus, q.prices, q.clock, q::estimate, q.footprints(), q.dryRun);
        Validation sixteen = planning.validate(new ValidateRequest("llm", 2, 64, 16, "H100", "team-a"));
        assertThat(sixteen.feasible()).isTrue();
        assertThat(sixteen.fitsOn()).containsExactlyInAnyOrder("h100-a", "h100-b");
        assertThat(sixteen.checks()).anySatisfy(c -> assertThat(c.detail()).isEqualTo("16 H100 run on 2 whole nodes of 8 (queue rule 13); "
                + "2 such node(s), 2 whole and free now."));
        Validation twelve = planning.validate(new ValidateRequest("llm", 2, 64, 12, "H100", "team-a"));
        assertThat(twelve.feasible()).isFalse();
        assertThat(twelve.checks()).anySatisfy(c -> assertThat(c.detail()).contains("the largest has 8; above one node, gpu_count must be "
                + "a whole multiple of a node's GPUs (queue rule 13)."));
    }
}

package dev.trainops.operator;

import static dev.trainops.operator.OperatorHarness.trainingJob;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.access.Principal;
import dev.trainops.access.Role;
import dev.trainops.audit.AuditEntry;
import dev.trainops.catalog.CallContext;
import dev.trainops.queue.JobState;
import dev.trainops.queue.Owner;
import dev.trainops.queue.QueueAnswer;
import dev.trainops.queue.QueueRequest;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingJob;
import dev.trainops.resource.TrainingJobStatus;
import dev.trainops.testing.StatusLockingDispatcher;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "Done when", on the CRUD mock: a TrainingJob applied directly is queued, admitted, run and completed with its
 * status following along; one over its maxCost or the budget is REJECTED with the numbers; deleting one cancels it; an
 * MCP-queued job appears as a TrainingJob. DESIGN.md, "Kubernetes API".
 */
class TrainingJobControllerTest {
    @TempDir
    Path dir;
    private OperatorHarness h;

    @AfterEach
    void stop() {
        if (h != null) {
            h.close();
        }
    }

    private OperatorHarness harness() throws Exception {
        h = new OperatorHarness(dir);
        return h;
    }

    private static String state(TrainingJob tj) {
        return tj == null || tj.getStatus() == null ? null : tj.getStatus().getState();
    }

    private static Condition condition(TrainingJob tj, String type) {
        return tj.getStatus().getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    private List<Event> events(String namespace, String name) {
        return h.client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> e.getInvolvedObject().getName().equals(name)).toList();
    }

    @Test
    void aTrainingJobAppliedDirectlyIsQueuedAdmittedRunAndCompletedWithItsStatusFollowing() throws Exception {
        harness();
        TrainingJob applied = h.client.resource(trainingJob("team-a", "mnist-1", 1)).create();

        h.reconcileUntil(() -> state(h.get("team-a", "mnist-1")) != null);
        TrainingJobStatus s = h.get("team-a", "mnist-1").getStatus();
        assertThat(s.getState()).as("free H100s: admitted at submission").isEqualTo("SCHEDULED");
        QueuedJob job = h.job(s.getJobId());
        assertThat(job.team()).isEqualTo("team-a");
        assertThat(job.runName()).as("runName defaults to the object's name").isEqualTo("mnist-1");
        assertThat(job.idempotencyKey()).isEqualTo(applied.getMetadata().getUid());
        assertThat(job.spec().submittedBy()).isEqualTo("trainops-controller");
        assertThat(s.getEstimatedCost()).isEqualTo(h.estimate("mnist", 1, 64, "H100", 1, false, OperatorHarness.T0).orElseThrow()
                .cost().amount().setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString());
        assertThat(s.getCurrency()).isEqualTo("USD");
        assertThat(condition(h.get("team-a", "mnist-1"), "Accepted").getStatus()).isEqualTo("True");

        Job kube = h.client.batch().v1().jobs().inNamespace("team-a").withName(job.kubeName()).get();
        assertThat(kube.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
            assertThat(ref.getKind()).isEqualTo("TrainingJob");
            assertThat(ref.getApiVersion()).isEqualTo("trainops.dev/v1alpha1");
            assertThat(ref.getName()).isEqualTo("mnist-1");
            assertThat(ref.getUid()).isEqualTo(applied.getMetadata().getUid());
            assertThat(ref.getController()).isTrue();
            assertThat(ref.getBlockOwnerDeletion()).isFalse();
        });

        h.startPods();
        h.queue.pass();
        h.reconcileUntil(() -> "RUNNING".equals(state(h.get("team-a", "mnist-1"))));
        h.clock.advance(Duration.ofMinutes(5));
        h.reconcileUntil(() -> h.get("team-a", "mnist-1").getStatus().getCostSoFar() != null
                && new BigDecimal(h.get("team-a", "mnist-1").getStatus().getCostSoFar()).signum() > 0);
        assertThat(h.get("team-a", "mnist-1").getStatus().getEta()).as("a running job's expected end").isNotNull();

        h.clock.advance(Duration.ofMinutes(5));
        h.finish(job.jobId());
        h.queue.pass();
        h.reconcileUntil(() -> "SUCCEEDED".equals(state(h.get("team-a", "mnist-1"))));
        TrainingJobStatus done = h.get("team-a", "mnist-1").getStatus();
        assertThat(new BigDecimal(done.getCostSoFar())).as("what it cost in all: 10 minutes of an H100").isPositive();
        assertThat(done.getPosition()).isNull();
        assertThat(events("team-a", "mnist-1")).extracting(Event::getReason).contains("Queued", "Succeeded");
        assertThat(h.jobs()).as("one job, however many resyncs").hasSize(1);
        assertThat(h.audit.list(Instant.EPOCH, "team-a", "trainops-controller", "queue_training_job", 10))
                .singleElement().satisfies(e -> assertThat(e.outcome()).isEqualTo(AuditEntry.OK));
    }

    @Test
    void aTrainingJobWaitingForGpusShowsItsPositionReasonAndEta() throws Exception {
        harness();
        TrainingJob big = trainingJob("team-a", "big-1", 1);
        big.getSpec().setGpuCount(8);
        h.client.resource(big).create();
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "big-1"))));
        TrainingJob more = trainingJob("team-a", "more", 1);
        more.getSpec().setGpuCount(2);
        h.client.resource(more).create();
        h.reconcileUntil(() -> "QUEUED".equals(state(h.get("team-a", "more"))) && h.get("team-a", "more").getStatus().getPosition() != null);
        TrainingJobStatus s = h.get("team-a", "more").getStatus();
        assertThat(s.getReason()).as("team-a's quota is 8 GPUs, all held").isEqualTo("QUOTA_EXCEEDED");
        assertThat(s.getReasonDetail()).contains("8");
        assertThat(s.getPosition()).isEqualTo(1);
    }

    @Test
    void aTrainingJobOverItsMaxCostIsRejectedWithTheNumbersAndAWarningEvent() throws Exception {
        harness();
        TrainingJob tj = trainingJob("team-a", "capped", 3);
        tj.getSpec().setMaxCost("2.00");
        h.client.resource(tj).create();

        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "capped"))));
        TrainingJobStatus s = h.get("team-a", "capped").getStatus();
        String estimate = h.estimate("mnist", 3, 64, "H100", 1, false, OperatorHarness.T0).orElseThrow().cost().display();
        String oneEpoch = h.estimate("mnist", 1, 64, "H100", 1, false, OperatorHarness.T0).orElseThrow().cost().amount()
                .setScale(2, java.math.RoundingMode.HALF_EVEN).toPlainString();
        assertThat(s.getReason()).isEqualTo("BUDGET_EXCEEDED");
        assertThat(s.getReasonDetail()).isEqualTo("This job's estimated cost, " + estimate + ", is above its max_cost of $2.00. Cheaper "
                + "options: Train 1 epochs instead of 3. (estimated " + oneEpoch + "). Change the spec accordingly and apply it again.");
        assertThat(s.getJobId()).isNull();
        assertThat(condition(h.get("team-a", "capped"), "Accepted").getStatus()).isEqualTo("False");
        assertThat(events("team-a", "capped")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("Rejected");
            assertThat(e.getMessage()).isEqualTo(s.getReasonDetail());
            assertThat(e.getSource().getComponent()).isEqualTo("trainops");
        });
        h.reconcileUntil(() -> true);
        assertThat(events("team-a", "capped")).as("a resync does not say it again").hasSize(1);
        assertThat(h.jobs()).isEmpty();
        assertThat(h.audit.list(Instant.EPOCH, "team-a", "trainops-controller", "queue_training_job", 10))
                .extracting(AuditEntry::outcome).containsOnly("BUDGET_EXCEEDED");
    }

    @Test
    void aRejectedTrainingJobIsTriedAgainOnceItsSpecIsFixed() throws Exception {
        harness();
        TrainingJob tj = trainingJob("team-a", "fixme", 1);
        tj.getSpec().setMaxCost("0.10");
        h.client.resource(tj).create();
        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "fixme"))));

        h.client.resources(TrainingJob.class).inNamespace("team-a").withName("fixme").edit(t -> {
            t.getSpec().setMaxCost("50");
            return t;
        });
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "fixme"))));
        assertThat(condition(h.get("team-a", "fixme"), "Accepted").getStatus()).isEqualTo("True");
    }

    @Test
    void aTrainingJobOverWhatIsLeftOfTheBudgetIsRejectedWithTheNumbers() throws Exception {
        harness();
        h.budgetLimit.put("team-a", new BigDecimal("0.20"));
        h.client.resource(trainingJob("team-a", "pricey", 1)).create();

        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "pricey"))));
        TrainingJobStatus s = h.get("team-a", "pricey").getStatus();
        assertThat(s.getReason()).isEqualTo("BUDGET_EXCEEDED");
        assertThat(s.getReasonDetail()).contains("above what is left of team team-a's monthly budget: $0.2000 of $0.2000");
        assertThat(events("team-a", "pricey")).extracting(Event::getType).containsExactly("Warning");
    }

    @Test
    void aSpecTeamOtherThanTheNamespaceIsRejected() throws Exception {
        harness();
        TrainingJob tj = trainingJob("team-a", "elsewhere", 1);
        tj.getSpec().setTeam("team-b");
        h.client.resource(tj).create();

        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "elsewhere"))));
        TrainingJobStatus s = h.get("team-a", "elsewhere").getStatus();
        assertThat(s.getReason()).isEqualTo("INVALID_ARGUMENT");
        assertThat(s.getReasonDetail()).isEqualTo("spec.team is 'team-b' but the TrainingJob is in namespace 'team-a': the team is the "
                + "namespace. Apply it in namespace team-b, or drop spec.team (or set it to team-a).");
        assertThat(h.jobs()).isEmpty();
    }

    @Test
    void anOutOfBoundsFieldIsRejectedNamingItsSpecField() throws Exception {
        harness();
        TrainingJob tj = trainingJob("team-a", "zero", 1);
        tj.getSpec().setBatchSize(0); // the mock does not validate against the CRD's schema; a real API server refuses it first
        h.client.resource(tj).create();
        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "zero"))));
        assertThat(h.get("team-a", "zero").getStatus().getReasonDetail()).startsWith("Argument 'batch_size' (spec.batchSize) is 0");
    }

    @Test
    void deletingATrainingJobCancelsItsJob() throws Exception {
        harness();
        TrainingJob tj = h.client.resource(trainingJob("team-a", "doomed", 1)).create();
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "doomed"))));
        String jobId = h.get("team-a", "doomed").getStatus().getJobId();

        h.client.resource(tj).delete();
        h.reconcileUntil(() -> h.job(jobId).state() == JobState.CANCELLED);
        assertThat(h.job(jobId).reasonDetail()).contains("TrainingJob team-a/doomed was deleted");
        assertThat(h.client.batch().v1().jobs().inNamespace("team-a").withName(h.job(jobId).kubeName()).get()).isNull();
        assertThat(h.audit.list(Instant.EPOCH, "team-a", "trainops-controller", "cancel_training_job", 10)).hasSize(1);
    }

    @Test
    void theJobOfATrainingJobDeletedWhileNoControllerWatchedIsCancelledAtTheNextResync() throws Exception {
        harness();
        QueueAnswer orphan = h.queue.submit(new QueueRequest("mnist", "orphan", "team-a", 1, 64, null, 1, "H100", null, null, null, null,
                "gone-uid"), CallContext.of(TrainingJobController.PRINCIPAL), new Owner("trainops.dev/v1alpha1", "TrainingJob", "orphan",
                "gone-uid"));
        QueueAnswer batchItem = h.queue.submit(new QueueRequest("mnist", "item", "team-a", 1, 64, null, 1, "H100", null, null, null, null,
                "batch-uid"), CallContext.of(TrainingJobController.PRINCIPAL), new Owner("trainops.dev/v1alpha1", "TrainingBatch", "b",
                "batch-uid"));

        h.reconcileUntil(() -> h.job(orphan.jobId()).state() == JobState.CANCELLED);
        assertThat(h.job(orphan.jobId()).reasonDetail()).contains("TrainingJob team-a/orphan was deleted");
        assertThat(h.job(batchItem.jobId()).state()).as("a TrainingBatch's job is its controller's").isEqualTo(JobState.SCHEDULED);
        assertThat(h.client.resources(TrainingJob.class).inAnyNamespace().list().getItems()).as("owned jobs are not mirrored").isEmpty();
    }

    @Test
    void aJobQueuedThroughMcpAppearsAsATrainingJobThatFollowsItAndIsNeverSubmittedAgain() throws Exception {
        harness();
        Principal alice = new Principal("alice@example.com", Set.of("team-a"), Role.MEMBER);
        QueueAnswer a = h.queue.submit(new QueueRequest("mnist", "from-mcp", "team-a", 2, 128, null, 1, "H100", Map.of("lr", "0.1"), null,
                null, "9.50", null), CallContext.of(alice), null);

        h.reconcileUntil(() -> state(h.get("team-a", a.jobId())) != null);
        TrainingJob mirror = h.get("team-a", a.jobId());
        assertThat(mirror.getMetadata().getLabels()).containsEntry("trainops.dev/job-id", a.jobId());
        assertThat(mirror.getMetadata().getAnnotations()).containsEntry("trainops.dev/source", "mcp")
                .containsEntry("trainops.dev/submitted-by", "alice@example.com");
        assertThat(mirror.getSpec().getModel()).isEqualTo("mnist");
        assertThat(mirror.getSpec().getRunName()).isEqualTo("from-mcp");
        assertThat(mirror.getSpec().getEpochs()).isEqualTo(2);
        assertThat(mirror.getSpec().getBatchSize()).isEqualTo(128);
        assertThat(mirror.getSpec().getMaxCost()).isEqualTo("9.5");
        assertThat(mirror.getSpec().getParams()).isEqualTo(Map.of("lr", "0.1"));
        assertThat(mirror.getStatus().getState()).isEqualTo("SCHEDULED");
        assertThat(mirror.getStatus().getJobId()).isEqualTo(a.jobId());

        h.reconcileUntil(() -> true);
        assertThat(h.jobs()).as("a mirror is never submitted").hasSize(1);
        assertThat(h.client.resources(TrainingJob.class).inAnyNamespace().list().getItems()).hasSize(1);

        h.client.resource(mirror).delete();
        h.reconcileUntil(() -> h.job(a.jobId()).state() == JobState.CANCELLED);
        assertThat(h.job(a.jobId()).reasonDetail()).contains("TrainingJob team-a/" + a.jobId() + " was deleted");
    }

    @Test
    void aMirrorLeavesOnceGetJobQueueStatusNoLongerShowsItsJob() throws Exception {
        harness();
        QueueAnswer a = h.queue.submit(new QueueRequest("mnist", "short", "team-a", 1, 64, null, 1, "H100", null, null, null, null, null),
                CallContext.NONE, null);
        h.reconcileUntil(() -> h.get("team-a", a.jobId()) != null);
        h.queue.cancel(new dev.trainops.queue.CancelRequest(a.jobId(), "test"), CallContext.NONE);
        h.reconcileUntil(() -> "CANCELLED".equals(state(h.get("team-a", a.jobId()))));

        h.clock.advance(Duration.ofHours(25));
        h.reconcileUntil(() -> h.get("team-a", a.jobId()) == null);
        assertThat(h.job(a.jobId()).state()).isEqualTo(JobState.CANCELLED);
    }

    @Test
    void aLabelNamingAnotherTeamsJobMakesNoMirror() throws Exception {
        harness();
        QueueAnswer b = h.queue.submit(new QueueRequest("mnist", "theirs", "team-b", 1, 64, null, 1, "H100", null, null, null, null, null),
                CallContext.NONE, null);
        TrainingJob forged = trainingJob("team-a", "forged", 1);
        forged.getMetadata().setLabels(Map.of("trainops.dev/job-id", b.jobId()));
        TrainingJob created = h.client.resource(forged).create();

        h.reconcileUntil(() -> "REJECTED".equals(state(h.get("team-a", "forged"))));
        assertThat(h.get("team-a", "forged").getStatus().getReasonDetail()).contains("no job queued through MCP in namespace team-a");
        h.client.resource(created).delete();
        h.reconcileUntil(() -> h.controller.cached().stream().noneMatch(t -> t.getMetadata().getName().equals("forged")));
        assertThat(h.job(b.jobId()).state()).as("deleting it cancels nothing").isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void aSpecChangedAfterSubmissionIsNotSubmittedAgainAndSaysSo() throws Exception {
        harness();
        h.client.resource(trainingJob("team-a", "edited", 1)).create();
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "edited"))));
        String jobId = h.get("team-a", "edited").getStatus().getJobId();

        h.client.resources(TrainingJob.class).inNamespace("team-a").withName("edited").edit(t -> {
            t.getSpec().setEpochs(3);
            return t;
        });
        h.reconcileUntil(() -> "False".equals(condition(h.get("team-a", "edited"), "SpecApplied").getStatus()));
        Condition c = condition(h.get("team-a", "edited"), "SpecApplied");
        assertThat(c.getReason()).isEqualTo("SpecChangedAfterSubmission");
        assertThat(c.getMessage()).contains("a submitted job is not submitted again").contains("delete this TrainingJob");
        assertThat(h.get("team-a", "edited").getStatus().getJobId()).isEqualTo(jobId);
        assertThat(h.jobs()).hasSize(1);
        assertThat(h.job(jobId).epochs()).isEqualTo(1);
    }

    @Test
    void aStatusWriteThatConflictsIsMadeAgainOnTheLatestObject() throws Exception {
        StatusLockingDispatcher api = new StatusLockingDispatcher();
        h = new OperatorHarness(dir, api, true);
        h.client.resource(trainingJob("team-a", "busy", 1)).create();
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "busy"))));
        TrainingJob stale = h.get("team-a", "busy");
        h.client.resources(TrainingJob.class).inNamespace("team-a").withName("busy").edit(t -> {
            t.getMetadata().setLabels(Map.of("touched", "yes"));
            return t;
        });
        OperatorHarness.await(() -> h.controller.latest(stale).getMetadata().getLabels() != null);
        h.startPods();
        h.queue.pass();
        h.controller.resync();

        new TrainingJobReconciler(h.queue, new StatusWriter(h.client), new EventRecorder(h.client, h.clock), h.audit, h.clock,
                () -> QueueView.read(h.queue, TrainingJobController.PRINCIPAL, h.clock.instant()), h.controller::latest).reconcile(stale);

        assertThat(api.conflicts()).isEqualTo(1);
        TrainingJob now = h.get("team-a", "busy");
        assertThat(now.getStatus().getState()).isEqualTo("RUNNING");
        assertThat(now.getMetadata().getLabels()).containsEntry("touched", "yes");
    }

    @Test
    void withoutTheCrdTheControllerStaysOffAndLooksAgainEveryMinute() throws Exception {
        h = new OperatorHarness(dir, new io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher(), false);
        assertThat(TrainingJobController.crdInstalled(h.client)).isFalse();
        h.controller.pass();
        assertThat(h.controller.running()).isFalse();

        dev.trainops.testing.Crds.install(h.client);
        assertThat(h.controller.running()).as("not looked up again within the minute").isFalse();
        h.clock.advance(TrainingJobController.CRD_CHECK_EVERY);
        assertThat(h.controller.running()).isTrue();
        h.client.resource(trainingJob("team-a", "late", 1)).create();
        h.reconcileUntil(() -> "SCHEDULED".equals(state(h.get("team-a", "late"))));
    }
}

package dev.trainops.operator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.audit.AuditEntry;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueOnMock;
import dev.trainops.queue.QueuedJob;
import dev.trainops.resource.TrainingBatch;
import dev.trainops.resource.TrainingBatchJobStatus;
import dev.trainops.resource.TrainingBatchSpec;
import dev.trainops.resource.TrainingBatchStatus;
import dev.trainops.resource.TrainingJobSpec;
import dev.trainops.store.Store;
import dev.trainops.testing.Crds;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TrainingBatch controller on the fabric8 CRUD mock with the CRDs installed, the queue as the app wires it and a
 * stand-in kubelet (DESIGN.md, "Kubernetes API"; docs/kubernetes.md, "TrainingBatch"), on each store.
 */
abstract class TrainingBatchControllerContract {
    @TempDir
    Path dir;
    QueueOnMock queue;
    KubernetesClient client;
    TrainingBatchController controller;

    abstract Store store(Path dir) throws Exception;

    @BeforeEach
    void start() throws Exception {
        queue = new QueueOnMock(store(dir)).quota("team-a", 16);
        client = queue.client();
        Crds.install(client);
        controller = new TrainingBatchController(client, queue.jobs(), queue.audit(), queue.clock()).start();
        QueueOnMock.await(controller::synced);
    }

    @AfterEach
    void stop() {
        controller.close();
        queue.close();
    }

    static TrainingJobSpec job(String run, Integer gpus) {
        TrainingJobSpec s = new TrainingJobSpec();
        s.setModel("mnist");
        s.setRunName(run);
        s.setEpochs(2);
        s.setBatchSize(64);
        s.setGpuCount(gpus);
        s.setGpuType("H100");
        return s;
    }

    TrainingBatch create(String name, Boolean parallel, TrainingJobSpec... jobs) {
        TrainingBatch b = new TrainingBatch();
        b.getMetadata().setNamespace("team-a");
        b.getMetadata().setName(name);
        TrainingBatchSpec spec = new TrainingBatchSpec();
        spec.setJobs(List.of(jobs));
        spec.setParallel(parallel);
        b.setSpec(spec);
        return client.resource(b).create();
    }

    TrainingBatch get(String name) {
        return client.resources(TrainingBatch.class).inNamespace("team-a").withName(name).get();
    }

    /** Runs controller passes until the object's status satisfies {@code ok} (10 s at most); the status then. */
    TrainingBatchStatus awaitStatus(String name, Predicate<TrainingBatchStatus> ok) {
        TrainingBatchStatus[] last = new TrainingBatchStatus[1];
        try {
            QueueOnMock.await(() -> {
                controller.pass();
                TrainingBatch b = get(name);
                last[0] = b == null ? null : b.getStatus();
                return last[0] != null && ok.test(last[0]);
            });
        } catch (AssertionError e) {
            throw new AssertionError("status of " + name + " never matched; last: " + client.getKubernetesSerialization().asJson(last[0]), e);
        }
        return last[0];
    }

    static List<String> states(TrainingBatchStatus s) {
        return s.getJobs().stream().map(TrainingBatchJobStatus::getState).toList();
    }

    static Condition condition(TrainingBatchStatus s, String type) {
        return s.getConditions().stream().filter(c -> c.getType().equals(type)).findFirst().orElseThrow();
    }

    List<Job> kubeJobs() {
        return client.batch().v1().jobs().inNamespace("team-a").list().getItems();
    }

    List<Event> events(String name) {
        return client.v1().events().inNamespace("team-a").list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName())).toList();
    }

    /** Moves the clock and runs the stand-in kubelet and an admission pass. */
    void admitAndRun(Duration later) {
        queue.startPods();
        queue.pass();
        queue.clock().advance(later);
    }

    @Test
    void aTrainingBatchOfThreeRunsOneAfterAnother() {
        TrainingBatch created = create("lr-sweep", null, job("lr-1e-3", 1), job("lr-3e-4", 1), job("lr-1e-4", 1));

        TrainingBatchStatus s = awaitStatus("lr-sweep", x -> x.getBatchId() != null);
        assertThat(s.getProgress()).isEqualTo("0/3");
        assertThat(states(s)).containsExactly("SCHEDULED", "QUEUED", "QUEUED");
        assertThat(s.getJobs().get(1).getReason()).isEqualTo("BATCH_ORDER");
        assertThat(s.getState()).isEqualTo("SCHEDULED");
        assertThat(new BigDecimal(s.getEstimatedCost())).isPositive();
        assertThat(s.getCurrency()).isEqualTo("USD");
        assertThat(s.getObservedGeneration()).isEqualTo(created.getMetadata().getGeneration());
        assertThat(condition(s, "Accepted").getStatus()).isEqualTo("True");
        assertThat(condition(s, "SpecApplied").getStatus()).isEqualTo("True");
        assertThat(kubeJobs()).as("one Job at a time").singleElement().satisfies(j -> assertThat(j.getMetadata().getOwnerReferences())
                .as("owned by the TrainingBatch").singleElement().satisfies(o -> {
                    assertThat(o.getKind()).isEqualTo("TrainingBatch");
                    assertThat(o.getApiVersion()).isEqualTo("trainops.dev/v1alpha1");
                    assertThat(o.getName()).isEqualTo("lr-sweep");
                    assertThat(o.getUid()).isEqualTo(created.getMetadata().getUid());
                    assertThat(o.getController()).isTrue();
                }));
        assertThat(events("lr-sweep")).anyMatch(e -> e.getType().equals("Normal") && e.getMessage().contains(s.getBatchId()));

        List<String> ids = s.getJobs().stream().map(TrainingBatchJobStatus::getJobId).toList();
        List<String> progress = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String id = ids.get(i);
            admitAndRun(Duration.ofMinutes(20));
            int ended = i;
            TrainingBatchStatus running = awaitStatus("lr-sweep", x -> x.getJobs().get(ended).getState().equals("RUNNING"));
            assertThat(running.getState()).isEqualTo("RUNNING");
            assertThat(running.getProgress()).isEqualTo(i + "/3");
            progress.add(running.getProgress());
            assertThat(kubeJobs().stream().filter(j -> j.getStatus() == null || j.getStatus().getCompletionTime() == null))
                    .as("only job %d runs", i + 1).hasSize(1);
            queue.finish(id);
            queue.pass();
            TrainingBatchStatus after = awaitStatus("lr-sweep", x -> x.getJobs().get(ended).getState().equals("SUCCEEDED"));
            assertThat(new BigDecimal(after.getJobs().get(i).getCostSoFar())).as("job %d ran 20 minutes", i + 1).isPositive();
            if (i < 2) {
                QueuedJob next = queue.job(ids.get(i + 1));
                assertThat(next.state()).isIn(JobState.SCHEDULED, JobState.QUEUED);
                Instant endedAt = queue.job(id).ended();
                assertThat(next.admitted() == null || !next.admitted().isBefore(endedAt)).as("job %d starts only after job %d ended", i + 2,
                        i + 1).isTrue();
            }
        }
        TrainingBatchStatus done = awaitStatus("lr-sweep", x -> x.getState().equals("SUCCEEDED"));
        progress.add(done.getProgress());
        assertThat(progress).containsExactly("0/3", "1/3", "2/3", "3/3");
        assertThat(states(done)).containsOnly("SUCCEEDED");
        BigDecimal exact = ids.stream().map(queue::job).map(j -> queue.jobs().costSoFar(j, j.ended()).amount())
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertThat(done.getCostSoFar()).as("the exact sum, to the cent").isEqualTo(exact.setScale(2, java.math.RoundingMode.HALF_EVEN)
                .toPlainString());
        assertThat(queue.audit().list(Instant.EPOCH, "team-a", "trainops-controller", "submit_batch_training", 10))
                .as("submitted once, audited as the controller").hasSize(1).allMatch(e -> e.outcome().equals(AuditEntry.OK));
    }

    @Test
    void aParallelTrainingBatchRunsItsJobsAtOnce() {
        create("parallel", true, job("a", 4), job("b", 4), job("c", 4));
        TrainingBatchStatus s = awaitStatus("parallel", x -> x.getBatchId() != null);
        assertThat(states(s)).containsOnly("SCHEDULED");
        assertThat(kubeJobs()).hasSize(3);
        admitAndRun(Duration.ofMinutes(5));
        s = awaitStatus("parallel", x -> x.getState().equals("RUNNING") && states(x).stream().allMatch("RUNNING"::equals));
        assertThat(s.getProgress()).isEqualTo("0/3");
    }

    @Test
    void aBatchOverTheBudgetIsRejectedWithTheNumbersAndAWarningEvent() {
        queue.budget("team-a", "10", "9.90");
        create("too-dear", null, job("big", 8), job("bigger", 8));
        TrainingBatchStatus s = awaitStatus("too-dear", x -> x.getState() != null);
        assertThat(s.getState()).isEqualTo("REJECTED");
        assertThat(s.getReason()).isEqualTo("BUDGET_EXCEEDED");
        assertThat(s.getReasonDetail()).contains("jobs[0]").containsPattern("\\$\\d+\\.\\d\\d");
        assertThat(s.getBatchId()).isNull();
        assertThat(condition(s, "Accepted").getStatus()).isEqualTo("False");
        assertThat(events("too-dear")).singleElement().satisfies(e -> {
            assertThat(e.getType()).isEqualTo("Warning");
            assertThat(e.getReason()).isEqualTo("Rejected");
            assertThat(e.getMessage()).contains("BUDGET_EXCEEDED");
        });
        assertThat(kubeJobs()).isEmpty();
        // passes later change nothing: no second submission, no second Event
        String version = get("too-dear").getMetadata().getResourceVersion();
        controller.pass();
        controller.pass();
        assertThat(get("too-dear").getMetadata().getResourceVersion()).isEqualTo(version);
        assertThat(events("too-dear")).hasSize(1);
    }

    @Test
    void aTeamOtherThanTheNamespaceIsRejected() {
        TrainingJobSpec other = job("x", 1);
        other.setTeam("team-b");
        create("wrong-team", null, job("ok", 1), other);
        TrainingBatchStatus s = awaitStatus("wrong-team", x -> x.getState() != null);
        assertThat(s.getState()).isEqualTo("REJECTED");
        assertThat(s.getReasonDetail()).isEqualTo("spec.jobs[1].team is team-b but the object is in namespace team-a: the team is the "
                + "namespace. Remove spec.jobs[1].team or create the TrainingBatch in namespace team-b.");
        List<QueuedJob> stored = queue.jobs().store().read(c -> queue.jobs().store().inStates(c, JobState.values()));
        assertThat(stored).as("nothing queued").isEmpty();
    }

    @Test
    void deletingATrainingBatchCancelsItsJobsThatHaveNotEnded() {
        create("doomed", null, job("one", 1), job("two", 1), job("three", 1));
        TrainingBatchStatus s = awaitStatus("doomed", x -> x.getBatchId() != null);
        admitAndRun(Duration.ofMinutes(5));
        String first = s.getJobs().get(0).getJobId();
        QueueOnMock.await(() -> queue.job(first).state() == JobState.RUNNING);
        client.resource(get("doomed")).delete();
        QueueOnMock.await(() -> {
            controller.pass();
            return s.getJobs().stream().allMatch(j -> queue.job(j.getJobId()).state() == JobState.CANCELLED);
        });
        assertThat(kubeJobs()).as("the running job's Job is deleted").isEmpty();
        assertThat(queue.job(first).reasonDetail()).contains("TrainingBatch team-a/doomed was deleted");
        assertThat(queue.audit().list(Instant.EPOCH, "team-a", "trainops-controller", "cancel_training_job", 10)).hasSize(3);
    }

    @Test
    void aTrainingBatchDeletedWhileNoControllerRanHasItsJobsCancelledByTheNextOne() {
        create("orphan", true, job("one", 1), job("two", 1));
        TrainingBatchStatus s = awaitStatus("orphan", x -> x.getBatchId() != null);
        controller.close();
        client.resource(get("orphan")).delete();
        controller = new TrainingBatchController(client, queue.jobs(), queue.audit(), queue.clock()).start();
        QueueOnMock.await(controller::synced);
        controller.pass();
        assertThat(s.getJobs()).allSatisfy(j -> assertThat(queue.job(j.getJobId()).state()).isEqualTo(JobState.CANCELLED));
    }

    @Test
    void aSpecChangedAfterSubmissionIsNotAppliedAndSaysSo() {
        create("changed", null, job("one", 1));
        TrainingBatchStatus s = awaitStatus("changed", x -> x.getBatchId() != null);
        TrainingBatch b = get("changed");
        b.getSpec().getJobs().get(0).setEpochs(5);
        client.resource(b).update();
        TrainingBatchStatus after = awaitStatus("changed", x -> condition(x, "SpecApplied").getStatus().equals("False"));
        assertThat(condition(after, "SpecApplied").getMessage()).contains("Delete this TrainingBatch and create it again");
        assertThat(after.getBatchId()).isEqualTo(s.getBatchId());
        assertThat(queue.job(s.getJobs().get(0).getJobId()).epochs()).as("the queued job is unchanged").isEqualTo(2);
    }
}

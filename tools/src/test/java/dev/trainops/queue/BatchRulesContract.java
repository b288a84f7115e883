package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.trainops.catalog.ToolException;
import dev.trainops.store.Store;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docs/queue.md rule 10 and the batch tools, on the fabric8 CRUD mock, with each store ({@link SqliteBatchRulesTest}, {@link PostgresBatchRulesTest}). */
abstract class BatchRulesContract {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;
    BatchService batches;
    KubernetesClient client;


    abstract Store store(Path dir) throws Exception;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(store(dir)).quota("team-a", 16);
        q = cluster.q;
        client = q.client;
        batches = new BatchService(q.queue, q.service, q.scheduler, q.prices, q.clock);
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    static BatchRequest.Item item(String run, int gpus) {
        return new BatchRequest.Item("mnist", run, "team-a", 2, 64, Priority.NORMAL, gpus, "H100", null, null, null, null);
    }

    static BatchRequest sweep(Boolean parallel, String key) {
        return new BatchRequest(List.of(item("lr-1e-3", 1), item("lr-3e-4", 1), item("lr-1e-4", 1)), parallel, "lr sweep", key);
    }

    int kubeJobs() {
        return client.batch().v1().jobs().inNamespace("team-a").list().getItems().size();
    }

    @Test
    void queueRule10_aSequentialBatchResumesExactlyOnceAfterACrash() {
        BatchStatus first = batches.submit(sweep(null, "sweep-2026-12-01"));
        assertThat(first.parallel()).isFalse();
        assertThat(first.items()).extracting(QueueAnswer::state).containsExactly(JobState.SCHEDULED, JobState.QUEUED, JobState.QUEUED);
        assertThat(first.items().get(1).reason()).isEqualTo(Reason.BATCH_ORDER);
        assertThat(first.items().get(1).reasonDetail()).contains("starts after item 1");
        assertThat(kubeJobs()).isEqualTo(1);

        // the client retries the same submission: the stored batch comes back, nothing new is queued
        BatchStatus retried = batches.submit(sweep(null, "sweep-2026-12-01"));
        assertThat(retried.batchId()).isEqualTo(first.batchId());
        assertThat(retried.warnings()).anyMatch(w -> w.contains("Already submitted"));
        assertThat(q.all()).hasSize(3);

        // a crash: a new process (scheduler, services) over the same store and cluster; item 1 is running
        q.startPods();
        q.scheduler.pass();
        QueueHarness.Replica restarted = q.replica(Scheduler.Settings.defaults());
        BatchService afterCrash = new BatchService(q.queue, restarted.service(), restarted.scheduler(), q.prices, q.clock);
        restarted.scheduler().pass();
        restarted.scheduler().pass();
        BatchStatus resumed = afterCrash.status(new BatchStatusRequest(first.batchId()));
        assertThat(resumed.items()).extracting(QueueAnswer::state).containsExactly(JobState.RUNNING, JobState.QUEUED, JobState.QUEUED);
        assertThat(resumed.resume()).contains("item 1 keep running").contains("item 2, item 3 start in order");
        assertThat(kubeJobs()).isEqualTo(1);

        // items run one after another, each exactly once
        List<String> order = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            QueueAnswer current = afterCrash.status(new BatchStatusRequest(first.batchId())).items().get(i);
            assertThat(current.state()).isIn(JobState.SCHEDULED, JobState.RUNNING);
            order.add(current.jobId());
            q.startPods();
            q.clock.advance(Duration.ofMinutes(20));
            q.finish(current.jobId());
            restarted.scheduler().pass();
        }
        BatchStatus done = afterCrash.status(new BatchStatusRequest(first.batchId()));
        assertThat(done.done()).isTrue();
        assertThat(done.items()).extracting(QueueAnswer::state).containsOnly(JobState.SUCCEEDED);
        assertThat(done.items()).extracting(QueueAnswer::jobId).containsExactlyElementsOf(order);
        assertThat(kubeJobs()).isEqualTo(3);
        assertThat(done.resume()).contains("nothing is left to resume");
    }

    @Test
    void aJobAdmittedButNotLaunchedBeforeACrashIsLaunchedOnceUnderTheSameName() {
        BatchStatus b = batches.submit(new BatchRequest(List.of(item("a", 1), item("b", 1)), true, null, null));
        assertThat(b.items()).extracting(QueueAnswer::state).containsOnly(JobState.SCHEDULED);
        // simulate the crash window: the admission committed, the Job creation never happened
        QueuedJob a = q.job(b.items().get(0).jobId());
        client.batch().v1().jobs().inNamespace("team-a").withName(a.kubeName()).delete();
        q.store.inTransaction(0, c -> {
            q.queue.update(c, new QueuedJob(a.jobId(), a.spec(), a.status().withLaunched(false)));
            return null;
        });
        QueueHarness.Replica restarted = q.replica(Scheduler.Settings.defaults());
        restarted.scheduler().pass();
        restarted.scheduler().pass();
        assertThat(client.batch().v1().jobs().inNamespace("team-a").withName(a.kubeName()).get()).isNotNull();
        assertThat(kubeJobs()).isEqualTo(2);
        assertThat(q.job(a.jobId()).launched()).isTrue();
    }

    @Test
    void aBadItemNamesItsPlaceAndNothingOfTheBatchIsStored() {
        BatchRequest bad = new BatchRequest(List.of(item("ok", 1), new BatchRequest.Item("mnist", "x", "team-zz", 2, 64, null, 1, "H100",
                null, null, null, null)), null, null, null);
        assertThatThrownBy(() -> batches.submit(bad)).isInstanceOfSatisfying(ToolException.class, e -> {
            assertThat(e.getMessage()).startsWith("jobs[1]: Unknown team 'team-zz'");
            assertThat(e.details()).containsEntry("argument", "jobs[1].team");
            assertThat(e.hint()).contains("Nothing of the batch was stored");
        });
        assertThat(q.all()).isEmpty();
        assertThatThrownBy(() -> batches.status(new BatchStatusRequest("tb-000000000000"))).hasMessageContaining("No batch");
    }

    @Test
    void eachItemIsReportedCheckedAndPricedInOrderBeforeTheBatchIsStored() {
        // what the store holds at each report: nothing, because the batch is stored in one commit after the last
        List<String> reports = new ArrayList<>();
        BatchStatus stored = batches.submit(sweep(true, null), (done, total, message) ->
                reports.add(done + "/" + total + " stored=" + q.all().size() + " " + message));

        assertThat(reports).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(reports.get(i)).startsWith((i + 1) + "/3 stored=0 item " + (i + 1) + " of 3: " + stored.items().get(i).jobId()
                    + " (" + stored.items().get(i).runName() + ") checked, estimated $");
        }
        assertThat(q.all()).hasSize(3);

        // an item that fails its check stops the reports there, with nothing stored
        List<Integer> partial = new ArrayList<>();
        BatchRequest bad = new BatchRequest(List.of(item("ok-1", 1), item("ok-2", 1), new BatchRequest.Item("mnist", "x", "team-zz", 2, 64,
                null, 1, "H100", null, null, null, null)), null, null, null);
        assertThatThrownBy(() -> batches.submit(bad, (done, total, message) -> partial.add(done))).isInstanceOf(ToolException.class);
        assertThat(partial).containsExactly(1, 2);
        assertThat(q.all()).hasSize(3);
    }
}

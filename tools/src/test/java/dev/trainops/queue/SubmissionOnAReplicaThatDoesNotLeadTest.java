package dev.trainops.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/architecture.md, "Roles of a process": admission runs on the leader only, including the
 * pass right after a submission. A replica that does not lead stores the job and answers QUEUED;
 * the leader's next pass admits it.
 */
class SubmissionOnAReplicaThatDoesNotLeadTest {
    @TempDir
    Path dir;
    CrudMockServer mock;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        mock = new CrudMockServer();
        mock.client().resource(MockQueueCluster.h100("h100-a")).create();
        q = new QueueHarness(mock.client(), Store.sqlite(dir), Scheduler.Settings.defaults());
        q.quota("team-a", 16);
    }

    @AfterEach
    void close() {
        q.close();
        mock.close();
    }

    /** A scheduler that passes only while {@code leads} (another replica's, when false). */
    Scheduler follower(AtomicBoolean leads) {
        return new Scheduler(q.queue, q.index, new JobLauncher(q.client, PriorityConfig.defaults(), q.templates), QuotaConfig.defaults(),
                team -> Optional.empty(), node -> OptionalDouble.empty(), q.prices, q.clock, Scheduler.Settings.defaults(), QueueEvents.NONE,
                leads::get);
    }

    QueueService service(Scheduler scheduler) {
        PriorityConfig priorities = PriorityConfig.defaults();
        Estimator estimates = (model, epochs, batch, type, gpus, spot, at) -> q.estimate(model, epochs, batch, type, gpus, spot, at);
        return new QueueService(q.queue, scheduler, priorities, QuotaConfig.defaults(), estimates, team -> Optional.empty(),
                q.prices, q.clock, new DryRun(new JobManifest(priorities, q.templates), scheduler, q.clock));
    }

    @Test
    void aSubmissionOnAReplicaThatDoesNotLeadIsStoredQueuedAndAdmittedByTheLeadersPass() {
        AtomicBoolean leads = new AtomicBoolean(false);
        Scheduler follower = follower(leads);
        QueueService service = service(follower);

        QueueAnswer queued = service.submit(QueueHarness.request("team-a", "run-1", "llm", 1, Priority.NORMAL));

        assertThat(queued.state()).as("no pass on a replica that does not lead").isEqualTo(JobState.QUEUED);
        assertThat(q.client.batch().v1().jobs().inNamespace("team-a").list().getItems()).isEmpty();

        q.scheduler.pass();

        assertThat(q.job(queued.jobId()).state()).as("the leader's next pass").isEqualTo(JobState.SCHEDULED);
        assertThat(q.client.batch().v1().jobs().inNamespace("team-a").list().getItems()).hasSize(1);

        leads.set(true);
        QueueAnswer second = service.submit(QueueHarness.request("team-a", "run-2", "llm", 1, Priority.NORMAL));
        assertThat(second.state()).as("once it leads, its submission gets its own pass").isEqualTo(JobState.SCHEDULED);
    }

    @Test
    void aReplicaThatDoesNotLeadShowsAWaitingJobsPositionOnceItReplansWithoutWritingAnything() {
        AtomicBoolean leads = new AtomicBoolean(false);
        Scheduler follower = follower(leads);
        QueueService service = service(follower);
        // team-a's quota of 4 GPUs: the first job takes them, the second waits
        q.quota("team-a", 4);
        service.submit(QueueHarness.request("team-a", "run-1", "llm", 4, Priority.NORMAL));
        // submitted later, so it is second in admission order (at one instant the order is the random job id's)
        q.clock.advance(java.time.Duration.ofSeconds(1));
        QueueAnswer waiting = service.submit(QueueHarness.request("team-a", "run-2", "llm", 4, Priority.NORMAL));
        q.scheduler.pass();
        assertThat(q.job(waiting.jobId()).state()).isEqualTo(JobState.QUEUED);
        QueueStatusRequest byId = new QueueStatusRequest(null, waiting.jobId());
        assertThat(service.status(byId).jobs().get(0).position()).as("no pass has run on this replica").isNull();
        long jobsBefore = q.client.batch().v1().jobs().inNamespace("team-a").list().getItems().size();

        follower.replan();

        assertThat(service.status(byId).jobs().get(0).position()).isEqualTo(1);
        assertThat(q.client.batch().v1().jobs().inNamespace("team-a").list().getItems()).hasSize((int) jobsBefore);
        assertThat(q.job(waiting.jobId()).state()).isEqualTo(JobState.QUEUED);
    }
}

package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job events the queue tells observers (docs/architecture.md, "Events"): one per change a user
 * waits on, in the order they happened, each told only after its change was committed (the
 * recorder reads the job back from the store in a new transaction when it is told).
 */
class JobEventsTest {
    @TempDir
    Path dir;
    MockQueueCluster cluster;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        cluster = MockQueueCluster.twoH100s(Store.sqlite(dir)).quota("team-a", 16).quota("team-b", 16);
        q = cluster.q;
    }

    @AfterEach
    void close() {
        cluster.close();
    }

    @Test
    void aJobsLifeIsToldInOrderAndEachEventAfterItsChangeWasCommitted() {
        QueueAnswer a = q.service.submit(request("team-a", "life", "llm", 2, Priority.NORMAL));
        q.startPods();
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(10));
        q.finish(a.jobId());
        q.scheduler.pass();
        q.scheduler.pass(); // nothing new: nothing told twice
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.SUCCEEDED, JobState.SUCCEEDED));
        JobEvent admitted = q.told(a.jobId()).get(0).event();
        assertThat(admitted.team()).isEqualTo("team-a");
        assertThat(admitted.runName()).isEqualTo("life");
        assertThat(admitted.at()).isEqualTo(QueueHarness.T0);
        assertThat(admitted.message()).startsWith("job " + a.jobId() + " (life, team-a) ADMITTED: Admitted to h100-");
        assertThat(q.told(a.jobId()).get(2).event().at()).isEqualTo(QueueHarness.T0.plus(Duration.ofMinutes(10)));
    }

    @Test
    void aPreemptionACancellationAFailureAndAStopAtMaxCostAreToldToo() {
        QueueAnswer bg = q.service.submit(request("team-b", "bg", "validation", 8, Priority.BACKGROUND));
        QueueAnswer normal = q.service.submit(request("team-a", "normal", "llm", 8, Priority.NORMAL));
        q.startPods();
        q.scheduler.pass();
        QueueAnswer urgent = q.service.submit(request("team-a", "urgent", "llm", 8, Priority.URGENT));
        assertThat(q.told(bg.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.PREEMPTED, JobState.PREEMPTED));
        assertThat(q.told(bg.jobId()).get(2).event().detail()).contains("Preempted by URGENT job " + urgent.jobId());

        q.service.cancel(new CancelRequest(urgent.jobId(), "not needed after all"));
        q.service.cancel(new CancelRequest(urgent.jobId(), "twice")); // already ended: nothing new to tell
        assertThat(q.told(urgent.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.CANCELLED, JobState.CANCELLED));
        assertThat(q.told(urgent.jobId()).get(0).event().detail()).contains("not needed after all");

        q.fail(normal.jobId());
        q.scheduler.pass();
        assertThat(q.told(normal.jobId())).extracting(t -> t.event().kind()).containsExactly(JobEvent.Kind.ADMITTED, JobEvent.Kind.STARTED,
                JobEvent.Kind.FAILED);

        QueueAnswer capped = q.service.submit(new QueueRequest("llm", "capped", "team-a", 4, 64, Priority.NORMAL, 1, "H100", null, null,
                null, "5.00", null));
        q.startPods();
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(44)); // 44 min x $6.88/h = $5.05, past its max_cost
        q.scheduler.pass();
        assertThat(q.told(capped.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                org.assertj.core.groups.Tuple.tuple(JobEvent.Kind.MAX_COST_REACHED, JobState.FAILED));
        assertThat(q.told(capped.jobId()).get(2).event().detail()).contains("its max_cost is $5.00");
    }
}

package dev.trainops.queue;

import static dev.trainops.queue.QueueHarness.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.Money;
import dev.trainops.store.Store;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Currency;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job events the queue tells observers (docs/architecture.md, "Events"): one per change a user
 * waits on, in the order they happened, each told only after its change was committed (the
 * recorder reads the job back from the store in a new transaction when it is told); and the watch on
 * a running job's max_cost (docs/monitoring.md): from exactly 80% a warning told once, with its cost
 * so far in its status; at 100% the stop with its cost so far and how to continue under a new cap.
 */
class JobEventsTest {
    static final Currency USD = Currency.getInstance("USD");

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
                Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                Tuple.tuple(JobEvent.Kind.SUCCEEDED, JobState.SUCCEEDED));
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
                Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                Tuple.tuple(JobEvent.Kind.PREEMPTED, JobState.PREEMPTED));
        // rule 1: the event goes to team-b's sessions, so it does not name team-a's job; the store keeps the name (admins read it)
        assertThat(q.told(bg.jobId()).get(2).event().detail()).startsWith("Preempted by an URGENT job of another team at ")
                .doesNotContain(urgent.jobId()).doesNotContain("(urgent)");
        assertThat(q.job(bg.jobId()).reasonDetail()).contains("Preempted by URGENT job " + urgent.jobId() + " (urgent)");

        q.service.cancel(new CancelRequest(urgent.jobId(), "not needed after all"));
        q.service.cancel(new CancelRequest(urgent.jobId(), "twice")); // already ended: nothing new to tell
        assertThat(q.told(urgent.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                Tuple.tuple(JobEvent.Kind.CANCELLED, JobState.CANCELLED));
        assertThat(q.told(urgent.jobId()).get(0).event().detail()).contains("not needed after all");

        q.fail(normal.jobId());
        q.scheduler.pass();
        assertThat(q.told(normal.jobId())).extracting(t -> t.event().kind()).containsExactly(JobEvent.Kind.ADMITTED, JobEvent.Kind.STARTED,
                JobEvent.Kind.FAILED);

        QueueAnswer capped = q.service.submit(new QueueRequest("llm", "capped", "team-a", 4, 64, Priority.NORMAL, 1, "H100", null, null,
                null, "5.00", null));
        q.startPods();
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(44)); // 44 min x $7.404056/h (H100 $6.88 + the llm template's 8 cores and 64 GiB) = $5.43, past its max_cost
        q.scheduler.pass();
        assertThat(q.told(capped.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED),
                Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                Tuple.tuple(JobEvent.Kind.MAX_COST_REACHED, JobState.FAILED));
        assertThat(q.told(capped.jobId()).get(2).event().detail()).contains("its max_cost is $5.00");
    }

    /**
     * The event log's side (docs/architecture.md, "Events"): every event told after a commit was
     * first written in the transaction of its change, with the change already made in it, so the two
     * commit together; and nothing is written that is not told.
     */
    @Test
    void eachEventIsWrittenInTheTransactionOfItsChangeBeforeItIsTold() {
        QueueAnswer bg = q.service.submit(request("team-b", "bg", "validation", 8, Priority.BACKGROUND));
        QueueAnswer normal = q.service.submit(request("team-a", "normal", "llm", 8, Priority.NORMAL));
        q.startPods();
        q.scheduler.pass();
        QueueAnswer urgent = q.service.submit(request("team-a", "urgent", "llm", 8, Priority.URGENT));
        q.scheduler.pass();
        q.service.cancel(new CancelRequest(urgent.jobId(), "not needed after all"));
        q.service.cancel(new CancelRequest(urgent.jobId(), "twice"));
        q.fail(normal.jobId());
        q.scheduler.pass();

        assertThat(q.told).extracting(t -> t.event().kind()).contains(JobEvent.Kind.ADMITTED, JobEvent.Kind.STARTED, JobEvent.Kind.PREEMPTED,
                JobEvent.Kind.CANCELLED, JobEvent.Kind.FAILED);
        assertThat(q.told(bg.jobId())).isNotEmpty();
        assertThat(q.written).as("the same events, in the same order, each with its change made in its transaction")
                .containsExactlyElementsOf(q.told);
    }

    @Test
    void theLevelsAreExactInMicroUnits() {
        assertThat(CapWatch.level(Money.micros(3_999_999, USD), 5_000_000)).isEqualTo(CapWatch.Level.BELOW);
        assertThat(CapWatch.level(Money.micros(4_000_000, USD), 5_000_000)).isEqualTo(CapWatch.Level.NEAR);
        assertThat(CapWatch.level(Money.micros(4_999_999, USD), 5_000_000)).isEqualTo(CapWatch.Level.NEAR);
        assertThat(CapWatch.level(Money.micros(5_000_000, USD), 5_000_000)).isEqualTo(CapWatch.Level.REACHED);
    }

    @Test
    void aRunningJobIsWarnedOnceFromEightyPercentAndStoppedAtItsCapWithHowToContinue() {
        QueueAnswer a = q.service.submit(new QueueRequest("llm", "capped", "team-a", 4, 64, Priority.NORMAL, 1, "H100", null, null, null,
                "5.00", null));
        q.startPods();
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(32)); // 32 min x $7.404056/h (H100 $6.88 + the llm template's 8 cores and 64 GiB) = $3.95: 79%
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind()).doesNotContain(JobEvent.Kind.NEAR_MAX_COST);
        QueueAnswer below = status(a.jobId());
        assertThat(below.costSoFar()).isEqualByComparingTo("3.948830");
        assertThat(below.warnings()).isEmpty();

        q.clock.advance(Duration.ofMinutes(1)); // $4.07: 81%
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(1)); // $4.20: still above, not told again
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED), Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                Tuple.tuple(JobEvent.Kind.NEAR_MAX_COST, JobState.RUNNING));
        assertThat(q.told(a.jobId()).get(2).event().detail()).startsWith("It has cost $4.07 of its max_cost $5.00 (81%) and is stopped at 100%");
        QueueAnswer near = status(a.jobId());
        assertThat(near.state()).isEqualTo(JobState.RUNNING);
        assertThat(near.costSoFar()).isEqualByComparingTo("4.195632");
        assertThat(near.warnings()).singleElement().asString().startsWith("It has cost $4.20 of its max_cost $5.00 (83%)")
                .contains("forecast_training_cost job_name=" + a.jobId());

        q.clock.advance(Duration.ofMinutes(7)); // 41 min: $5.06
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind()).containsExactly(JobEvent.Kind.ADMITTED, JobEvent.Kind.STARTED,
                JobEvent.Kind.NEAR_MAX_COST, JobEvent.Kind.MAX_COST_REACHED);
        QueueAnswer stopped = status(a.jobId());
        assertThat(stopped.state()).isEqualTo(JobState.FAILED);
        assertThat(stopped.reason()).isEqualTo(Reason.MAX_COST_REACHED);
        assertThat(stopped.costSoFar()).isNull();
        assertThat(stopped.reasonDetail()).contains("it had cost $5.06, its max_cost is $5.00. To continue, queue it again with a larger "
                + "max_cost, e.g. queue_training_job model=llm run_name=capped team=team-a epochs=4 batch_size=64 gpu_type=H100 gpu_count=1 "
                + "max_cost=10.00");
    }

    private QueueAnswer status(String jobId) {
        return q.service.status(new QueueStatusRequest(null, jobId)).jobs().get(0);
    }
}

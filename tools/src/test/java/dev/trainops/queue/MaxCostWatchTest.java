package dev.trainops.queue;

import static dev.trainops.testing.ClusterFixtures.gpuNode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.cost.Money;
import dev.trainops.store.Store;
import dev.trainops.testing.CrudMockServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Currency;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cap is watched (docs/monitoring.md): from exactly 80% of its max_cost a running job is warned
 * once (event NEAR_MAX_COST, a warning and its cost so far in its status), at 100% it is stopped
 * with MAX_COST_REACHED, its cost so far and the call that continues it under a new cap.
 */
class MaxCostWatchTest {
    static final Currency USD = Currency.getInstance("USD");

    @TempDir
    Path dir;
    CrudMockServer mock;
    KubernetesClient client;
    QueueHarness q;

    @BeforeEach
    void cluster() throws Exception {
        mock = new CrudMockServer();
        client = mock.client();
        client.resource(gpuNode("h100-a", "NVIDIA-H100-80GB-HBM3", 81559, 8)).create();
        q = new QueueHarness(client, Store.sqlite(dir), Scheduler.Settings.defaults());
        q.quota("team-a", 16);
    }

    @AfterEach
    void stop() {
        q.close();
        mock.close();
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
        q.clock.advance(Duration.ofMinutes(34)); // 34 min x $6.88/h = $3.90: 77%
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind()).doesNotContain(JobEvent.Kind.NEAR_MAX_COST);
        QueueAnswer below = status(a.jobId());
        assertThat(below.costSoFar()).isEqualByComparingTo("3.898667");
        assertThat(below.warnings()).isEmpty();

        q.clock.advance(Duration.ofMinutes(1)); // $4.01: 80%
        q.scheduler.pass();
        q.clock.advance(Duration.ofMinutes(1)); // $4.13: still above, not told again
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind(), QueueHarness.Told::stored).containsExactly(
                Tuple.tuple(JobEvent.Kind.ADMITTED, JobState.SCHEDULED), Tuple.tuple(JobEvent.Kind.STARTED, JobState.RUNNING),
                Tuple.tuple(JobEvent.Kind.NEAR_MAX_COST, JobState.RUNNING));
        assertThat(q.told(a.jobId()).get(2).event().detail()).startsWith("It has cost $4.01 of its max_cost $5.00 (80%) and is stopped at 100%");
        QueueAnswer near = status(a.jobId());
        assertThat(near.state()).isEqualTo(JobState.RUNNING);
        assertThat(near.costSoFar()).isEqualByComparingTo("4.128000");
        assertThat(near.warnings()).singleElement().asString().startsWith("It has cost $4.13 of its max_cost $5.00 (82%)")
                .contains("forecast_training_cost job_name=" + a.jobId());

        q.clock.advance(Duration.ofMinutes(8)); // 44 min: $5.05
        q.scheduler.pass();
        assertThat(q.told(a.jobId())).extracting(t -> t.event().kind()).containsExactly(JobEvent.Kind.ADMITTED, JobEvent.Kind.STARTED,
                JobEvent.Kind.NEAR_MAX_COST, JobEvent.Kind.MAX_COST_REACHED);
        QueueAnswer stopped = status(a.jobId());
        assertThat(stopped.state()).isEqualTo(JobState.FAILED);
        assertThat(stopped.reason()).isEqualTo(Reason.MAX_COST_REACHED);
        assertThat(stopped.costSoFar()).isNull();
        assertThat(stopped.reasonDetail()).contains("it had cost $5.05, its max_cost is $5.00. To continue, queue it again with a larger "
                + "max_cost, e.g. queue_training_job model=llm run_name=capped team=team-a epochs=4 batch_size=64 gpu_type=H100 gpu_count=1 "
                + "max_cost=10.00");
    }

    private QueueAnswer status(String jobId) {
        return q.service.status(new QueueStatusRequest(null, jobId)).jobs().get(0);
    }
}

package dev.trainops.monitor;

import static dev.trainops.monitor.MetricsTest.value;
import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.queue.JobSpec;
import dev.trainops.queue.Priority;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.Reason;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * {@code trainops_queue_unschedulable_gpus{gpu_type}} (issue 16, "Scale-up"): after each pass, the
 * GPUs of jobs waiting with NO_CAPACITY per GPU type, all priorities; jobs waiting for anything else
 * do not count; a type nothing waits for any more reads 0; only the leader exports it.
 */
class UnschedulableGpusTest {
    static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");

    static QueuedJob waiting(String id, Priority priority, String gpuType, int gpus, Reason reason) {
        JobSpec spec = new JobSpec("team-a", id, "llm", "llm", priority, 1000, gpuType, gpus, 4, 64, Map.of(), false, null, null, 0, 0,
                null, null, null);
        return QueuedJob.submitted(id, spec, T0).waiting(reason, "waits", T0);
    }

    @Test
    void theGpusOfJobsWaitingForCapacityAreCountedPerGpuTypeAfterEachPass() {
        Metrics metrics = MetricsTest.fresh();
        QueueMetrics queue = new QueueMetrics(metrics);
        assertThat(value(metrics.scrape(), "trainops_queue_unschedulable_gpus", "gpu_type=\"none\"")).isZero();

        queue.afterPass(T0, List.of(), List.of(), List.of(), List.of(
                waiting("tj-1", Priority.URGENT, "H100", 4, Reason.NO_CAPACITY),
                waiting("tj-2", Priority.BACKGROUND, "H100", 2, Reason.NO_CAPACITY),
                waiting("tj-3", Priority.NORMAL, "A100-80GB", 1, Reason.NO_CAPACITY),
                waiting("tj-4", Priority.URGENT, "H100", 8, Reason.QUOTA_EXCEEDED),
                waiting("tj-5", Priority.NORMAL, "L4", 1, Reason.OFF_PEAK_WAIT)), 3);
        String text = metrics.scrape();
        assertThat(value(text, "trainops_queue_unschedulable_gpus", "gpu_type=\"H100\"")).isEqualTo(6);
        assertThat(value(text, "trainops_queue_unschedulable_gpus", "gpu_type=\"A100-80GB\"")).isEqualTo(1);
        assertThat(text).doesNotContain("gpu_type=\"L4\"");

        queue.afterPass(T0.plusSeconds(2), List.of(), List.of(), List.of(), List.of(
                waiting("tj-3", Priority.NORMAL, "A100-80GB", 1, Reason.NO_CAPACITY)), 4);
        text = metrics.scrape();
        assertThat(value(text, "trainops_queue_unschedulable_gpus", "gpu_type=\"H100\"")).as("nothing waits for an H100: 0, not absent")
                .isZero();
        assertThat(value(text, "trainops_queue_unschedulable_gpus", "gpu_type=\"A100-80GB\"")).isEqualTo(1);
    }

    @Test
    void onlyTheLeaderExportsIt() {
        Metrics metrics = MetricsTest.fresh();
        AtomicBoolean leading = new AtomicBoolean(false);
        metrics.leader(leading::get);
        metrics.unschedulableGpus(Map.of("H100", 4));

        assertThat(metrics.scrape()).doesNotContain("trainops_queue_unschedulable_gpus");
        leading.set(true);
        assertThat(value(metrics.scrape(), "trainops_queue_unschedulable_gpus", "gpu_type=\"H100\"")).isEqualTo(4);
    }
}

package dev.trainops.monitor;

import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueuedJob;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue's side of the metrics: admissions with their wait, preemptions, ended jobs with their
 * run time, and after every pass the depth and oldest wait of the queue per priority and the GPUs
 * waiting for capacity per GPU type. (What ended jobs cost against their estimate comes from the
 * ledger, in {@link MonitorCollector}.)
 */
public final class QueueMetrics implements QueueEvents {
    private final Metrics metrics;

    public QueueMetrics(Metrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void afterPass(Instant now, List<QueuedJob> admitted, List<QueuedJob> preempted, List<QueuedJob> ended, List<QueuedJob> waiting,
                          int active) {
        for (QueuedJob j : admitted) {
            metrics.jobAdmitted(j.team(), j.priority().name(), Duration.between(j.submitted(), j.admitted() == null ? now : j.admitted()));
        }
        for (QueuedJob j : preempted) {
            metrics.jobPreempted(j.team());
        }
        for (QueuedJob j : ended) {
            Instant start = j.started() == null ? j.ended() : j.started();
            Instant end = j.ended() == null ? now : j.ended();
            metrics.jobEnded(j.team(), j.state().name(), Duration.between(start == null ? end : start, end));
        }
        Map<String, Long> depth = new HashMap<>();
        Map<String, Duration> oldest = new HashMap<>();
        for (QueuedJob j : waiting) {
            String p = j.priority().name();
            depth.merge(p, 1L, Long::sum);
            Duration age = Duration.between(j.submitted(), now);
            oldest.merge(p, age, (a, b) -> a.compareTo(b) >= 0 ? a : b);
        }
        metrics.queue(depth, oldest, active);
        metrics.unschedulableGpus(UnschedulableGpus.byType(waiting));
    }
}

package dev.trainops.monitor;

import dev.trainops.cost.PriceBook;
import dev.trainops.cost.UsageSegment;
import dev.trainops.queue.QueueEvents;
import dev.trainops.queue.QueuedJob;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue's side of the metrics: admissions with their wait, preemptions, ended jobs with their
 * run time and what they cost against their estimate (GPU time priced by the same price book the
 * estimate used), and the depth and oldest wait of the queue per priority after every pass.
 */
public final class QueueMetrics implements QueueEvents {
    private final Metrics metrics;
    private final PriceBook prices;

    public QueueMetrics(Metrics metrics, PriceBook prices) {
        this.metrics = metrics;
        this.prices = prices;
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
            if (start != null && !end.isBefore(start) && j.gpuType() != null) {
                BigDecimal actual = prices.cost(new UsageSegment(j.jobId(), start, end, j.gpuType(), BigDecimal.valueOf(j.gpuCount()),
                        BigDecimal.ZERO, BigDecimal.ZERO, j.spot())).amount();
                metrics.forecastVsActual(j.team(), j.estimatedCostMicros() / 1_000_000.0, actual.doubleValue());
            }
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
    }
}

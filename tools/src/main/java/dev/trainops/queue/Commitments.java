package dev.trainops.queue;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Predicate;

/**
 * Budget committed by the queue: admitted work not yet billed. A SCHEDULED job commits its whole
 * estimate; a RUNNING one the share of its estimate still ahead of it (the ledger bills the rest as
 * it runs). Queued jobs commit nothing until they are admitted.
 */
final class Commitments {
    private Commitments() {
    }

    public static long committedMicros(List<QueuedJob> active, Predicate<QueuedJob> scope, Instant now) {
        long sum = 0;
        for (QueuedJob j : active) {
            if (!scope.test(j)) {
                continue;
            }
            if (j.state() == JobState.SCHEDULED) {
                sum += j.estimatedCostMicros();
            } else if (j.state() == JobState.RUNNING && j.estimatedSeconds() > 0) {
                long elapsed = j.started() == null ? 0 : Math.max(0, Duration.between(j.started(), now).toSeconds());
                long left = Math.max(0, j.estimatedSeconds() - elapsed);
                sum += BigDecimal.valueOf(j.estimatedCostMicros()).multiply(BigDecimal.valueOf(left))
                        .divide(BigDecimal.valueOf(j.estimatedSeconds()), 0, RoundingMode.HALF_EVEN).longValue();
            }
        }
        return sum;
    }
}

package dev.trainops.cost;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * Expected duration and cost of running on spot capacity, in closed form. Interruptions arrive at
 * {@code λ} per hour of wall time; each one loses, on average, half a checkpoint interval of work
 * plus the restart overhead. The wall time W therefore satisfies W = T + λ·W·(c/2 + r), so
 * W = T / (1 - λ(c/2 + r)); the part W - T is wasted and priced separately (cost rule 4).
 */
public final class SpotModel {
    private static final MathContext MC = new MathContext(20, RoundingMode.HALF_EVEN);
    private static final BigDecimal SECONDS_PER_HOUR = new BigDecimal(3600);

    private SpotModel() {
    }

    /**
     * @param work              the compute time the job needs without interruptions
     * @param onDemandHourly    the on-demand peak rate of its resources per hour
     * @param prices            the price list (spot discount and interruption rate)
     * @param checkpointEvery   how often the job checkpoints
     * @param restartOverhead   time from an interruption back to training (rescheduling, loading)
     */
    public static Estimate estimate(Duration work, BigDecimal onDemandHourly, PriceList prices, Duration checkpointEvery,
                                    Duration restartOverhead) {
        Objects.requireNonNull(work, "work must not be null");
        if (work.isNegative() || checkpointEvery.isNegative() || checkpointEvery.isZero() || restartOverhead.isNegative()) {
            throw new IllegalArgumentException("work and restart overhead must not be negative; the checkpoint interval must be positive");
        }
        BigDecimal lambda = prices.spotInterruptionsPerHour();
        BigDecimal lossPerInterruptionHours = hours(checkpointEvery).divide(BigDecimal.valueOf(2), MC).add(hours(restartOverhead));
        BigDecimal lostShare = lambda.multiply(lossPerInterruptionHours, MC);
        if (lostShare.compareTo(BigDecimal.ONE) >= 0) {
            return new Estimate(false, null, null, null, null, null,
                    "At " + lambda + " interruptions per hour a job that checkpoints every " + checkpointEvery.toMinutes()
                            + " min loses more work than it makes; checkpoint more often or run on demand.");
        }
        BigDecimal workHours = hours(work);
        BigDecimal wallHours = workHours.divide(BigDecimal.ONE.subtract(lostShare), MC);
        BigDecimal spotHourly = onDemandHourly.multiply(prices.spotMultiplier(), MC);
        Money expected = new Money(spotHourly.multiply(wallHours, MC), prices.currency());
        Money wasted = new Money(spotHourly.multiply(wallHours.subtract(workHours), MC), prices.currency());
        Money onDemand = new Money(onDemandHourly.multiply(workHours, MC), prices.currency());
        Duration wall = Duration.ofMillis(wallHours.multiply(SECONDS_PER_HOUR).multiply(BigDecimal.valueOf(1000)).setScale(0, RoundingMode.HALF_UP).longValueExact());
        return new Estimate(true, wall, lambda.multiply(wallHours, MC).setScale(4, RoundingMode.HALF_EVEN), expected, wasted, onDemand,
                null);
    }

    /** The cost of the work an interruption threw away: from the last checkpoint to the interruption. */
    public static Money wastedAtInterruption(PriceBook book, UsageSegment spotSegment, Instant lastCheckpoint) {
        if (!spotSegment.spot()) {
            throw new IllegalArgumentException("only a spot segment can be interrupted");
        }
        Instant from = lastCheckpoint.isBefore(spotSegment.start()) ? spotSegment.start() : lastCheckpoint;
        if (!from.isBefore(spotSegment.end())) {
            return Money.zero(book.currency());
        }
        return book.cost(new UsageSegment(spotSegment.jobId(), from, spotSegment.end(), spotSegment.gpuType(), spotSegment.gpus(),
                spotSegment.cpuCores(), spotSegment.memoryGib(), true));
    }

    private static BigDecimal hours(Duration d) {
        return BigDecimal.valueOf(d.toMillis()).divide(BigDecimal.valueOf(3_600_000L), MC);
    }

    /**
     * @param feasible              false when interruptions would eat all progress
     * @param expectedWall          expected wall time including lost work and restarts
     * @param expectedInterruptions expected number of interruptions
     * @param expectedCost          expected spot cost, interruptions included
     * @param wastedCost            the part of it spent redoing lost work and restarting
     * @param onDemandCost          the same work on demand at peak rates
     * @param reason                why it is not feasible, or null
     */
    public record Estimate(boolean feasible, Duration expectedWall, BigDecimal expectedInterruptions, Money expectedCost,
                           Money wastedCost, Money onDemandCost, String reason) {
        public boolean cheaperThanOnDemand() {
            return feasible && expectedCost.compareTo(onDemandCost) < 0;
        }
    }
}

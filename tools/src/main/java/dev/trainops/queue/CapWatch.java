package dev.trainops.queue;

import dev.trainops.cost.Money;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Currency;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The watch on a running job's max_cost (docs/monitoring.md, "The cap is watched"): from 80% a
 * warning, told once per attempt; at 100% the stop, with reason MAX_COST_REACHED, the cost so far
 * and how to continue under a new cap. Which attempts were warned is kept in memory: after a restart
 * a job still above 80% is warned once more.
 */
final class CapWatch {
    /** The share of max_cost at which a running job is warned. */
    static final BigDecimal WARN_AT = new BigDecimal("0.80");

    /** Where a job's cost so far stands against its cap. */
    enum Level { BELOW, NEAR, REACHED }

    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    /** BELOW under 80% of the cap, NEAR from exactly 80%, REACHED from exactly 100% (compared in micro-units, exactly). */
    static Level level(Money accrued, long capMicros) {
        long spent = accrued.toMicros();
        if (spent >= capMicros) {
            return Level.REACHED;
        }
        return BigDecimal.valueOf(spent).compareTo(WARN_AT.multiply(BigDecimal.valueOf(capMicros))) >= 0 ? Level.NEAR : Level.BELOW;
    }

    /** True the first time this attempt of the job is warned. */
    boolean firstWarning(QueuedJob j) {
        return warned.add(key(j));
    }

    /** Forgets every attempt but those still running (ended, cancelled or preempted ones go). */
    void retain(Set<String> running) {
        warned.removeIf(k -> !running.contains(k));
    }

    static String key(QueuedJob j) {
        return j.jobId() + "#" + j.attempt();
    }

    /** The warning at 80%, for the job's status, its log notification and its resource. */
    static String warning(QueuedJob j, Money accrued, Currency currency) {
        Money cap = Money.micros(j.maxCostMicros(), currency);
        return "It has cost " + accrued.display() + " of its max_cost " + cap.display() + " (" + percent(accrued, cap) + "%) and is stopped "
                + "at 100% (MAX_COST_REACHED). forecast_training_cost job_name=" + j.jobId() + " prices what finishing costs; to finish "
                + "under a larger cap, queue it again with a larger max_cost once it stops, or cancel_training_job now.";
    }

    /** The stop at 100%: when, the cost so far, the cap, and the call that continues it under a new cap. */
    static String stopDetail(QueuedJob j, Money accrued, Instant now, Currency currency) {
        Money cap = Money.micros(j.maxCostMicros(), currency);
        String larger = cap.amount().multiply(BigDecimal.valueOf(2)).setScale(2, RoundingMode.UP).toPlainString();
        return "Stopped at " + now + ": it had cost " + accrued.display() + ", its max_cost is " + cap.display() + ". To continue, queue "
                + "it again with a larger max_cost, e.g. queue_training_job model=" + j.model() + " run_name=" + j.runName() + " team="
                + j.team() + " epochs=" + j.epochs() + " batch_size=" + j.batchSize() + " gpu_type=" + j.gpuType() + " gpu_count="
                + j.gpuCount() + " max_cost=" + larger + " (twice the old cap; forecast_training_cost prices the epochs it still needs).";
    }

    private static String percent(Money accrued, Money cap) {
        return accrued.amount().multiply(BigDecimal.valueOf(100)).divide(cap.amount(), 0, RoundingMode.DOWN).toPlainString();
    }
}

package dev.trainops.monitor;

import dev.trainops.budget.BudgetService;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Ledger;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the metrics show from the stores, on a schedule the composition root sets (every
 * 15 s): the ledger's running totals, each budget's consumption, and per running job its GPU
 * utilisation and memory (from DCGM, or the sandbox), elapsed and expected time. Each part fails
 * on its own: a store that does not answer leaves the last values and marks nothing else.
 */
public final class MonitorCollector {
    private static final Logger log = LoggerFactory.getLogger(MonitorCollector.class);

    private final Metrics metrics;
    private final Ledger ledger;
    private final BudgetService budgets;
    private final QueueStore queue;
    private final GpuUtilization utilization;
    private final Clock clock;

    /** Any of ledger, budgets, queue may be null when that part is not running. */
    public MonitorCollector(Metrics metrics, Ledger ledger, BudgetService budgets, QueueStore queue, GpuUtilization utilization, Clock clock) {
        this.metrics = metrics;
        this.ledger = ledger;
        this.budgets = budgets;
        this.queue = queue;
        this.utilization = utilization;
        this.clock = clock;
    }

    /**
     * One collection. Each part runs even when one before it failed; the first failure is then
     * thrown, so the loop that runs this counts it and the health tool can report it
     * (docs/architecture.md, "Background loops").
     */
    public void collect() {
        RuntimeException first = null;
        if (ledger != null) {
            try {
                for (Ledger.Total t : ledger.totals()) {
                    metrics.usage(t.team(), t.experiment(), t.rateClass().name(), t.gpuSeconds().doubleValue(), t.cpuCoreSeconds().doubleValue(),
                            t.cost().toMicros());
                }
            } catch (RuntimeException e) {
                first = first == null ? e : first;
                log.debug("ledger totals: {}", e.getMessage());
            }
        }
        if (budgets != null) {
            for (String scope : budgets.scopes()) {
                try {
                    budgets.peek(scope).ifPresent(b -> metrics.budget(scope, ratio(b.spent(), b), ratio(b.forecast(), b)));
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                    log.debug("budget {}: {}", scope, e.getMessage());
                }
            }
        }
        if (queue != null) {
            try {
                Instant now = clock.instant();
                List<QueuedJob> running = queue.read(c -> queue.inStates(c, JobState.RUNNING));
                Set<String> ids = new HashSet<>();
                for (QueuedJob j : running) {
                    ids.add(j.jobId());
                    // one reading: both figures from the same DCGM refresh
                    dev.trainops.gpu.NodeReading reading = j.node() == null ? dev.trainops.gpu.NodeReading.UNKNOWN : utilization.node(j.node());
                    double util = reading.percent().orElse(0) / 100.0;
                    double memory = reading.memoryRatio().orElse(0);
                    double elapsed = j.started() == null ? 0 : Duration.between(j.started(), now).toMillis() / 1000.0;
                    metrics.jobGauges(j.jobId(), j.team(), util, memory, elapsed, j.estimatedSeconds());
                }
                metrics.retainJobs(ids);
            } catch (RuntimeException e) {
                first = first == null ? e : first;
                log.debug("running jobs: {}", e.getMessage());
            }
            if (ledger != null) {
                try {
                    compareEnded(clock.instant());
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                log.debug("forecast vs actual: {}", e.getMessage());
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Ended jobs' estimates against what the ledger billed their pods, once the ledger has caught
     * up with their end (its recorder runs every 15 s), or after a few collections if it never
     * does (a pod that never started); each job once. Jobs are found by their end since the last
     * collection (an hour back at start), so a fast sandbox clock misses none.
     */
    private void compareEnded(Instant now) {
        Instant since = lastCompare == null ? now.minus(Duration.ofHours(1)) : lastCompare;
        lastCompare = now;
        for (QueuedJob j : queue.read(c -> queue.currentAndSince(c, since))) {
            if ((j.state() == JobState.SUCCEEDED || j.state() == JobState.FAILED) && j.ended() != null && !compared.contains(j.jobId())) {
                pending.putIfAbsent(j.jobId(), new Pending(j, 0));
            }
        }
        for (Pending p : List.copyOf(pending.values())) {
            QueuedJob j = p.job();
            Ledger.Billed billed = ledger.queueJobBilled(j.team(), j.jobId());
            boolean caughtUp = billed.recordedUntil() != null && !billed.recordedUntil().isBefore(j.ended().minusSeconds(1));
            if (caughtUp || p.tries() >= MAX_TRIES) {
                pending.remove(j.jobId());
                compared.add(j.jobId());
                metrics.forecastVsActual(j.team(), j.estimatedCostMicros() / 1_000_000.0, billed.cost().amount().doubleValue());
            } else {
                pending.put(j.jobId(), new Pending(j, p.tries() + 1));
            }
        }
        if (compared.size() > MAX_REMEMBERED) {
            // a job ends once; the ids only guard against the overlap of consecutive reads
            compared.clear();
        }
    }

    private record Pending(QueuedJob job, int tries) {
    }

    static final int MAX_TRIES = 8;
    static final int MAX_REMEMBERED = 100_000;
    private Instant lastCompare;
    private final java.util.Map<String, Pending> pending = new java.util.LinkedHashMap<>();
    private final Set<String> compared = new HashSet<>();

    private static double ratio(BigDecimal amount, BudgetStatus b) {
        return b.limit().signum() == 0 ? 0 : amount.divide(b.limit(), MathContext.DECIMAL64).doubleValue();
    }
}

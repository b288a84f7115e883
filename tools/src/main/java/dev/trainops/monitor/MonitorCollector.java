package dev.trainops.monitor;

import dev.trainops.budget.BudgetService;
import dev.trainops.budget.BudgetState;
import dev.trainops.budget.BudgetStatus;
import dev.trainops.cost.Ledger;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.gpu.NodeReading;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaStatus;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads what the metrics show from the stores, on a schedule the composition root sets (every
 * 15 s): the ledger's running totals, each budget's consumption, each team's quota use, and per
 * running job its GPU utilisation and memory (from DCGM, or the sandbox; absent when unknown),
 * elapsed and expected time and cost over its cap. Quota and budget crossings of the plan's lines
 * go to the warning sink. Each part fails on its own: a store that does not answer leaves the last
 * values and marks nothing else (docs/monitoring.md).
 */
public final class MonitorCollector {
    private static final Logger log = LoggerFactory.getLogger(MonitorCollector.class);

    private final Metrics metrics;
    private final Ledger ledger;
    private final BudgetService budgets;
    private final QueueStore queue;
    private final Supplier<QueueReadings> readings;
    private final GpuUtilization utilization;
    private final Consumer<TeamWarning> warnings;
    private final Clock clock;
    /** Per quota resource or budget: whether it was at or above its line at the last collection (a warning fires on the way up). */
    private final Map<String, Boolean> above = new ConcurrentHashMap<>();

    /** Any of ledger, budgets, queue may be null when that part is not running. */
    public MonitorCollector(Metrics metrics, Ledger ledger, BudgetService budgets, QueueStore queue, GpuUtilization utilization, Clock clock) {
        this(metrics, ledger, budgets, queue, () -> null, utilization, w -> { }, clock);
    }

    /**
     * @param readings the open queue's cost-so-far and quota use; null until the queue has opened
     * @param warnings told of each quota (warn_at) and budget (70%) crossing on the way up
     */
    public MonitorCollector(Metrics metrics, Ledger ledger, BudgetService budgets, QueueStore queue, Supplier<QueueReadings> readings,
                            GpuUtilization utilization, Consumer<TeamWarning> warnings, Clock clock) {
        this.metrics = metrics;
        this.ledger = ledger;
        this.budgets = budgets;
        this.queue = queue;
        this.readings = readings;
        this.utilization = utilization;
        this.warnings = warnings;
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
                    budgets.peek(scope).ifPresent(b -> budget(scope, b));
                } catch (RuntimeException e) {
                    first = first == null ? e : first;
                    log.debug("budget {}: {}", scope, e.getMessage());
                }
            }
        }
        if (queue != null) {
            try {
                runningJobs(clock.instant());
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
        QueueReadings open = readings.get();
        if (open != null) {
            try {
                quotas(open, clock.instant());
            } catch (RuntimeException e) {
                first = first == null ? e : first;
                log.debug("quota use: {}", e.getMessage());
            }
        }
        if (first != null) {
            throw first;
        }
    }

    /**
     * Per running job: utilisation and memory only where a source knows them (an unknown figure is
     * no series, never 0: docs/monitoring.md), elapsed and expected time, and for a job with a
     * max_cost its cost so far over the cap.
     */
    private void runningJobs(Instant now) {
        QueueReadings open = readings.get();
        List<QueuedJob> running = queue.read(c -> queue.inStates(c, JobState.RUNNING));
        Set<String> ids = new HashSet<>();
        for (QueuedJob j : running) {
            ids.add(j.jobId());
            // one reading: both figures from the same DCGM refresh
            NodeReading reading = j.node() == null ? NodeReading.UNKNOWN : utilization.node(j.node());
            OptionalDouble util = reading.percent().isPresent() ? OptionalDouble.of(reading.percent().getAsDouble() / 100.0)
                    : OptionalDouble.empty();
            double elapsed = j.started() == null ? 0 : Duration.between(j.started(), now).toMillis() / 1000.0;
            metrics.jobGauges(j.jobId(), j.team(), util, reading.memoryRatio(), elapsed, j.estimatedSeconds());
            if (open != null && j.maxCostMicros() != null && j.maxCostMicros() > 0 && j.started() != null) {
                metrics.jobCostToCap(j.jobId(), j.team(), open.costSoFar(j, now).toMicros() / (double) j.maxCostMicros());
            }
        }
        metrics.retainJobs(ids);
    }

    /** Each team's quota use per resource, and a warning when one reaches warn_at on the way up. */
    private void quotas(QueueReadings open, Instant now) {
        BigDecimal warnAt = open.quotaWarnAt();
        open.quotaUsage().forEach((team, usage) -> {
            for (QuotaStatus.Usage u : usage) {
                if (u.limit() == null || u.limit().signum() == 0) {
                    metrics.quotaUsage(team, u.resource(), OptionalDouble.empty());
                    continue;
                }
                BigDecimal ratio = u.used().divide(u.limit(), MathContext.DECIMAL64);
                metrics.quotaUsage(team, u.resource(), OptionalDouble.of(ratio.doubleValue()));
                if (crossed("quota|" + team + "|" + u.resource(), ratio.compareTo(warnAt) >= 0)) {
                    warnings.accept(new TeamWarning(TeamWarning.Kind.QUOTA, team, u.resource(), ratio.doubleValue(), warnAt.doubleValue(),
                            team + " uses " + plain(u.used()) + " of its " + plain(u.limit()) + " " + u.resource() + " quota. Jobs beyond it "
                                    + "wait (QUOTA_EXCEEDED): check_training_quota team=" + team + " shows what holds it.", now));
                }
            }
        });
    }

    /** A budget's ratios, and a warning when spent + committed reaches 70% on the way up (cost rule 6). */
    private void budget(String scope, BudgetStatus b) {
        BigDecimal counted = b.spent().add(b.committed());
        metrics.budget(scope, ratio(b.spent(), b), ratio(counted, b), ratio(b.forecast(), b));
        if (crossed("budget|" + scope, b.state() != BudgetState.OK)) {
            warnings.accept(new TeamWarning(TeamWarning.Kind.BUDGET, scope, "budget", ratio(counted, b), 0.7, "spent " + plain(b.spent())
                    + " + committed " + plain(b.committed()) + " " + b.currency() + " of " + plain(b.limit()) + " (" + plain(b.percentUsed())
                    + "%); at 100% new jobs wait with BUDGET_EXCEEDED. get_budget_status scope=" + scope + " shows the forecast; "
                    + "off-peak (schedule=off_peak) or spot costs less.", clock.instant()));
        }
    }

    /** True once per move from below the line to at or above it; the first look at a figure above it counts as a move. */
    private boolean crossed(String key, boolean nowAbove) {
        Boolean before = above.put(key, nowAbove);
        return nowAbove && !Boolean.TRUE.equals(before);
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
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

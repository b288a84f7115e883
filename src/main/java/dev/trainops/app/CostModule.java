package dev.trainops.app;

import dev.trainops.budget.Budget;
import dev.trainops.budget.BudgetService;
import dev.trainops.cost.ClusterUsage;
import dev.trainops.cost.Ledger;
import dev.trainops.cost.Money;
import dev.trainops.cost.PriceBook;
import dev.trainops.cost.UsageRecorder;
import dev.trainops.events.EventLog;
import dev.trainops.events.EventRelay;
import dev.trainops.monitor.AlertStore;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.monitor.Metrics;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.JobState;
import dev.trainops.queue.QueueStore;
import dev.trainops.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Money and the store: the price book (from the configuration, there at once), and, once the store
 * is open, the ledger, budgets, alerts and the durable queue's table; the usage recorder bills the
 * cluster's GPU time every 15 s on its own loop (docs/architecture.md, "Money model").
 */
final class CostModule {
    private static final Logger log = LoggerFactory.getLogger(CostModule.class);
    static final Duration RECORD_EVERY = Duration.ofSeconds(15);
    /**
     * The store opens a moment after start: on two cores, Flyway and the SQLite native library
     * would otherwise compete with the first initialize and tools/list for the CPU.
     */
    static final Duration OPEN_AFTER = Duration.ofSeconds(2);

    /** What exists once the store is open. */
    record Stack(Store store, Ledger ledger, UsageRecorder recorder, BudgetService budgets, AlertStore alerts, QueueStore queueStore,
                 dev.trainops.audit.AuditLog audit, EventLog events, EventRelay relay) {
    }

    private final TrainopsConfig config;
    private final ClusterModule cluster;
    private final BackgroundLoops loops;
    private final Metrics metrics;
    /** The wall clock, for the event log (its retention and the relay's grace are real time). */
    private final Clock wall;
    /** --read-only: the store opens read-only (never created or migrated) and no usage is recorded. */
    final boolean readOnly;
    final CompletableFuture<Stack> stack = new CompletableFuture<>();

    CostModule(TrainopsConfig config, ClusterModule cluster, BackgroundLoops loops, Metrics metrics, Clock wall, boolean readOnly) {
        this.wall = wall;
        this.readOnly = readOnly;
        this.config = config;
        this.cluster = cluster;
        this.loops = loops;
        this.metrics = metrics;
    }

    PriceBook prices() {
        return config.prices();
    }

    /** Opens the store in the background; tools that need it wait (bounded) through {@link #await()}. */
    void open() {
        loops.executor("store-open").schedule(this::openNow, OPEN_AFTER.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void openNow() {
        if (loops.closed()) {
            return;
        }
        try {
            Clock clock = cluster.clock;
            Store store = !readOnly ? config.store().open(config.dataDir()) : config.store().url() == null
                    ? Store.sqliteReadOnly(config.dataDir()) : Store.openReadOnly(config.store().url(), config.store().user(), config.store().password());
            PriceBook prices = config.prices();
            Ledger ledger = new Ledger(store, prices, clock);
            ClusterUsage usage = new ClusterUsage(cluster.index, prices.spotNodes());
            UsageRecorder recorder = new UsageRecorder(usage, ledger, prices, clock);
            QueueStore queueStore = new QueueStore(store, clock);
            BudgetService budgets = new BudgetService(config.budgets(), ledger, prices, usage,
                    (b, p) -> Money.micros(JobQueue.committedMicros(queueStore.read(c -> queueStore.inStates(c, JobState.SCHEDULED,
                            JobState.RUNNING)), j -> b.kind() == Budget.Kind.TEAM ? j.team().equals(b.scope()) : j.experiment().equals(b.scope()),
                            clock.instant()), prices.currency()), store, clock);
            EventLog events = new EventLog(store, wall);
            // the relay's starting point is taken here, before the queue (which opens on this stack) can write an event
            EventRelay relay = events.relayFromNow(EventsModule.GRACE);
            stack.complete(new Stack(store, ledger, recorder, budgets, new AlertStore(store, clock), queueStore,
                    new dev.trainops.audit.AuditLog(store), events, relay));
            if (readOnly) {
                log.info("read-only: the store is read as it is; no usage is recorded");
                return;
            }
            loops.control("usage-recorder", RECORD_EVERY, () -> {
                if (cluster.index.synced()) {
                    recorder.recordOnce();
                    recorder.unpriced().forEach(u -> metrics.unpricedGpuSeconds(u.gpuType(), u.gpuSeconds().doubleValue()));
                }
            }).start(Duration.ZERO);
        } catch (Exception e) {
            stack.completeExceptionally(e);
            loops.openFailed(log, "the store (" + config.store() + ")", e);
        }
    }

    /** The stack when it is open, else null (opening, or it could not be opened). */
    Stack ifOpen() {
        return stack.isDone() && !stack.isCompletedExceptionally() ? stack.join() : null;
    }

    /** The audit log, once the store is open: a call that must be audited waits for it (bounded), like any tool needing the store. */
    dev.trainops.audit.AuditTrail auditTrail() {
        return new dev.trainops.audit.AuditTrail() {
            @Override
            public void append(java.sql.Connection c, dev.trainops.audit.AuditEntry entry) throws java.sql.SQLException {
                await().audit().append(c, entry);
            }

            @Override
            public void append(dev.trainops.audit.AuditEntry entry) {
                await().audit().append(entry);
            }
        };
    }

    Stack await() {
        return Trainops.await(stack, "the store");
    }

    /** GPU types used without a price (empty until the store is open). */
    List<HealthStatus.UnpricedUsage> unpriced() {
        Stack s = ifOpen();
        if (s == null) {
            return List.of();
        }
        return s.recorder().unpriced().stream()
                .map(u -> new HealthStatus.UnpricedUsage(u.gpuType(), u.gpuSeconds().doubleValue(), u.pods(), u.since())).toList();
    }

    HealthStatus.Backend health() {
        boolean up = stack.isDone() && !stack.isCompletedExceptionally();
        return new HealthStatus.Backend("store", up, false, up ? "open" : stack.isDone() ? "could not be opened" : "opening");
    }

    /** Closes the event relay's listener and the store's connection pool, once the loops that use them have stopped. */
    void close() {
        Stack s = ifOpen();
        if (s != null) {
            s.relay().close();
            try {
                s.store().close();
            } catch (RuntimeException e) {
                log.warn("closing the store: {}", e.getMessage());
            }
        }
    }
}

package dev.trainops.app;

import dev.trainops.cost.Money;
import dev.trainops.monitor.AlertStore;
import dev.trainops.monitor.HealthService;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.monitor.Metrics;
import dev.trainops.monitor.MonitorCollector;
import dev.trainops.monitor.QueueReadings;
import dev.trainops.queue.JobQueue;
import dev.trainops.queue.QueuedJob;
import dev.trainops.queue.QuotaStatus;
import dev.trainops.monitor.TrainingPoller;
import dev.trainops.monitor.UtilizationReports;
import dev.trainops.server.MonitoringEndpoints;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Monitoring: the Prometheus metrics and their loops (the collector every 15 s, the training
 * poller every 60 s, the DCGM refresh every 15 s, each on its own executor), the health tool over
 * every backend and loop, the utilisation reports, and the /metrics and /alerts/webhook endpoints
 * (docs/architecture.md, "Background loops").
 */
final class MonitoringModule {
    static final Duration COLLECT_EVERY = Duration.ofSeconds(15);
    static final Duration POLL_TRAINING_EVERY = Duration.ofSeconds(60);
    static final Duration DCGM_EVERY = Duration.ofSeconds(15);

    private final ClusterModule cluster;
    private final HistoryModule history;
    private final CostModule cost;
    private final QueueModule queue;
    private final BackgroundLoops loops;
    final Metrics metrics;
    /** Where the collector's quota and budget warnings go: the event log, for every replica's sessions. */
    private final EventsModule events;

    MonitoringModule(ClusterModule cluster, HistoryModule history, CostModule cost, QueueModule queue, BackgroundLoops loops,
                     Metrics metrics, EventsModule events) {
        this.events = events;
        this.cluster = cluster;
        this.history = history;
        this.cost = cost;
        this.queue = queue;
        this.loops = loops;
        this.metrics = metrics;
        for (String backend : Metrics.BACKENDS) {
            metrics.backend(backend, () -> backends().stream().anyMatch(x -> x.name().equals(backend) && x.up()),
                    () -> backends().stream().anyMatch(x -> x.name().equals(backend) && x.stale()));
        }
        if (history.mlflow != null) {
            history.mlflow.onRead(hit -> metrics.cacheRequest("mlflow", hit));
        }
        cluster.inventory.onRead(hit -> metrics.cacheRequest("kubernetes", hit));
    }

    /** Starts the loops: DCGM at once, the collector and the poller once the store (and the queue's table) is open. */
    void start() {
        if (cluster.dcgm != null) {
            loops.loop("dcgm-refresh", DCGM_EVERY, cluster.dcgm::refresh).start(Duration.ZERO);
        }
        cost.stack.thenAccept(money -> {
            if (loops.closed()) {
                return;
            }
            MonitorCollector collector = new MonitorCollector(metrics, money.ledger(), money.budgets(), money.queueStore(),
                    this::queueReadings, cluster.utilization, events::warn, cluster.clock);
            loops.control("metrics-collector", COLLECT_EVERY, collector::collect).start(Duration.ofSeconds(1));
        });
        if (history.metrics) {
            // the sandbox's run history exists once the sandbox is seeded; MLflow's is there at once
            CompletableFuture<?> runsReady = history.mlflow == null && cluster.sandbox != null ? cluster.kube
                    : CompletableFuture.completedFuture(null);
            cost.stack.thenAcceptBoth(runsReady, (money, ready) -> {
                if (!loops.closed()) {
                    TrainingPoller poller = new TrainingPoller(metrics, money.queueStore(), history.evidence);
                    loops.control("training-poller", POLL_TRAINING_EVERY, poller::poll).start(Duration.ofSeconds(5));
                }
            });
        }
    }

    /** The open queue's cost-so-far and quota use for the collector; null while the queue is opening. */
    private QueueReadings queueReadings() {
        QueueModule.Stack q = queue.ifOpen();
        if (q == null) {
            return null;
        }
        JobQueue jobs = q.jobs();
        return new QueueReadings() {
            @Override
            public Money costSoFar(QueuedJob job, Instant now) {
                return jobs.costSoFar(job, now);
            }

            @Override
            public Map<String, List<QuotaStatus.Usage>> quotaUsage() {
                return jobs.quotaUsage();
            }

            @Override
            public BigDecimal quotaWarnAt() {
                return jobs.quotaWarnAt();
            }
        };
    }

    /** Each backend trainops uses, up or not, stale or not. */
    List<HealthStatus.Backend> backends() {
        List<HealthStatus.Backend> out = new ArrayList<>();
        out.add(cluster.health());
        history.health().ifPresent(out::add);
        out.add(cost.health());
        if (cluster.dcgm != null) {
            out.add(cluster.prometheusHealth());
        }
        return out;
    }

    HealthService health() {
        QueueModule.Stack q = queue.ifOpen();
        return new HealthService(cost.await().alerts(), q == null ? null : q.store(), cluster.utilization, this::backends,
                loops::failing, cost::unpriced, cluster.clock);
    }

    UtilizationReports utilizationReports() {
        return new UtilizationReports(cost.await().ledger(), cluster.prometheus, history.metrics ? history.evidence : null, cluster.clock);
    }

    /** {@code GET /metrics} and {@code POST /alerts/webhook} for the HTTP transport or --metrics-port. */
    MonitoringEndpoints endpoints() {
        return new MonitoringEndpoints(metrics::scrape, body -> {
            if (cost.readOnly) {
                // --read-only stores nothing; Alertmanager gets an answer, not an error to retry
                return "{\"status\":\"ignored\",\"reason\":\"trainops runs --read-only and stores no alerts\"}";
            }
            AlertStore.Received r = cost.await().alerts().receive(body);
            return "{\"status\":\"ok\",\"alerts\":" + r.alerts() + ",\"firing\":" + r.firing() + ",\"resolved\":" + r.resolved()
                    + ",\"ignored\":" + r.ignored() + "}";
        });
    }
}

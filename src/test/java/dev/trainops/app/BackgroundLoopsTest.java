package dev.trainops.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.trainops.catalog.ToolCatalog;
import dev.trainops.catalog.ToolOutcome;
import dev.trainops.gpu.GpuUtilization;
import dev.trainops.monitor.AlertStore;
import dev.trainops.monitor.HealthService;
import dev.trainops.monitor.HealthStatus;
import dev.trainops.monitor.Metrics;
import dev.trainops.store.Store;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures of a background loop show: counted on /metrics, and in get_training_health_status after two periods. */
class BackgroundLoopsTest {
    static final Duration PERIOD = Duration.ofSeconds(15);

    @TempDir
    Path dir;

    final TestClock clock = new TestClock(Instant.parse("2026-11-29T10:00:00Z"));
    Metrics metrics;
    BackgroundLoops loops;
    ToolCatalog catalog;

    @BeforeEach
    void wire() throws Exception {
        metrics = new Metrics(List.of(), List.of("team-a"), "USD");
        loops = new BackgroundLoops(clock, metrics);
        AlertStore alerts = new AlertStore(Store.sqlite(dir), clock);
        HealthService health = new HealthService(alerts, null, GpuUtilization.UNKNOWN,
                () -> List.of(new HealthStatus.Backend("kubernetes", true, false, "watching")), loops::failing, List::of, clock);
        catalog = new ToolCatalog(List.of(HealthService.tool(() -> health)));
    }

    @AfterEach
    void stop() {
        loops.close();
    }

    @Test
    void aLoopFailingForLongerThanTwoPeriodsIsReportedByTheHealthToolAndCountedOnMetrics() {
        BackgroundLoops.Loop loop = loops.loop("usage-recorder", PERIOD, () -> {
            throw new IllegalStateException(new java.sql.SQLException("database is locked"));
        });

        loop.runOnce();
        clock.advance(PERIOD.multipliedBy(2));
        loop.runOnce();
        // failing for exactly two periods: not yet reported
        assertThat(status().get("status")).isEqualTo("HEALTHY");
        clock.advance(Duration.ofSeconds(1));
        loop.runOnce();

        ToolOutcome.Success health = call();
        assertThat(health.structured().get("status")).isEqualTo("DEGRADED");
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> failing = (List<Map<String, Object>>) health.structured().get("failing_loops");
        assertThat(failing).hasSize(1);
        assertThat(failing.get(0)).containsEntry("loop", "usage-recorder").containsEntry("last_error", "database is locked");
        assertThat(((Number) failing.get(0).get("period_seconds")).longValue()).isEqualTo(15);
        assertThat(String.valueOf(failing.get(0).get("failing_since"))).isEqualTo("2026-11-29T10:00:00Z");
        assertThat(health.text()).contains("background loop usage-recorder failing since 2026-11-29T10:00:00Z (database is locked)")
                .doesNotContain("Exception");
        String scrape = metrics.scrape();
        assertThat(sample(scrape, "trainops_background_loop_failures_total", "loop=\"usage-recorder\"")).isEqualTo(3.0);
        assertThat(sample(scrape, "trainops_background_loop_last_success_timestamp_seconds", "loop=\"usage-recorder\"")).isEqualTo(0.0);
    }

    @Test
    void aLoopThatWorksAgainIsNoLongerReportedAndRecordsItsLastSuccess() {
        AtomicBoolean broken = new AtomicBoolean(true);
        BackgroundLoops.Loop loop = loops.loop("metrics-collector", PERIOD, () -> {
            if (broken.get()) {
                throw new IllegalStateException("Prometheus did not answer");
            }
        });
        loop.runOnce();
        clock.advance(Duration.ofMinutes(5));
        loop.runOnce();
        assertThat(loops.failing()).extracting(HealthStatus.FailingLoop::loop).containsExactly("metrics-collector");

        broken.set(false);
        loop.runOnce();

        assertThat(loops.failing()).isEmpty();
        assertThat(status().get("status")).isEqualTo("HEALTHY");
        String scrape = metrics.scrape();
        assertThat(sample(scrape, "trainops_background_loop_failures_total", "loop=\"metrics-collector\"")).isEqualTo(2.0);
        assertThat(sample(scrape, "trainops_background_loop_last_success_timestamp_seconds", "loop=\"metrics-collector\""))
                .isEqualTo(clock.instant().getEpochSecond());
    }

    @Test
    void aControlLoopPassesOnlyWhileThisProcessLeadsAndASkippedPassIsNeitherSuccessNorFailure() {
        AtomicBoolean leading = new AtomicBoolean(false);
        BackgroundLoops follower = new BackgroundLoops(clock, metrics, leading::get);
        java.util.concurrent.atomic.AtomicInteger controlPasses = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger cachePasses = new java.util.concurrent.atomic.AtomicInteger();
        BackgroundLoops.Loop admission = follower.control("admission", PERIOD, controlPasses::incrementAndGet);
        BackgroundLoops.Loop dcgm = follower.loop("dcgm-refresh", PERIOD, cachePasses::incrementAndGet);
        try {
            admission.runOnce();
            dcgm.runOnce();
            assertThat(controlPasses).as("a control loop of a replica that does not lead").hasValue(0);
            assertThat(cachePasses).as("a read cache runs on every replica").hasValue(1);
            String scrape = metrics.scrape();
            assertThat(sample(scrape, "trainops_background_loop_last_success_timestamp_seconds", "loop=\"admission\"")).isZero();
            assertThat(sample(scrape, "trainops_background_loop_failures_total", "loop=\"admission\"")).isZero();

            leading.set(true);
            admission.runOnce();
            assertThat(controlPasses).as("once it leads").hasValue(1);
            assertThat(sample(metrics.scrape(), "trainops_background_loop_last_success_timestamp_seconds", "loop=\"admission\""))
                    .isEqualTo(clock.instant().getEpochSecond());
        } finally {
            follower.close();
        }
    }

    @Test
    void aControlLoopThatFailedWhileLeadingIsNotReportedFailingOnceItNoLongerLeads() {
        AtomicBoolean leading = new AtomicBoolean(true);
        BackgroundLoops replica = new BackgroundLoops(clock, metrics, leading::get);
        BackgroundLoops.Loop recorder = replica.control("usage-recorder", PERIOD, () -> {
            throw new IllegalStateException("database is locked");
        });
        try {
            recorder.runOnce();
            clock.advance(Duration.ofMinutes(5));
            recorder.runOnce();
            assertThat(replica.failing()).extracting(HealthStatus.FailingLoop::loop).containsExactly("usage-recorder");

            leading.set(false);
            recorder.runOnce();

            assertThat(replica.failing()).as("a loop that does not run here is not failing here").isEmpty();
            assertThat(sample(metrics.scrape(), "trainops_background_loop_failures_total", "loop=\"usage-recorder\"")).isEqualTo(2.0);
        } finally {
            replica.close();
        }
    }

    @Test
    void everyLoopHasItsFailureSeriesAtZeroFromTheStart() {
        String scrape = metrics.scrape();
        for (String loop : Metrics.BACKGROUND_LOOPS) {
            assertThat(sample(scrape, "trainops_background_loop_failures_total", "loop=\"" + loop + "\"")).isZero();
        }
    }

    /** The event relay's loop waits for news itself (up to a second), so it runs again as soon as its task returns; its wait is its period for health. */
    @Test
    void aWaitingLoopRunsBackToBackAndCountsItsWaitAsItsPeriod() throws Exception {
        java.util.concurrent.CountDownLatch runs = new java.util.concurrent.CountDownLatch(3);
        AtomicBoolean broken = new AtomicBoolean(false);
        loops.waiting("event-relay", Duration.ofHours(1), () -> {
            runs.countDown();
            if (broken.get()) {
                throw new IllegalStateException("the store did not answer");
            }
        }).start(Duration.ZERO);
        // three runs without any wait of the loop's own: the executor does not sleep an hour between them
        assertThat(runs.await(1, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        loops.close();

        BackgroundLoops other = new BackgroundLoops(clock, metrics);
        try {
            BackgroundLoops.Loop relay = other.waiting("event-relay", Duration.ofSeconds(1), () -> {
                throw new IllegalStateException("the store did not answer");
            });
            relay.runOnce();
            clock.advance(Duration.ofSeconds(2));
            relay.runOnce();
            assertThat(other.failing()).as("failing for two of its waits: not yet reported").isEmpty();
            clock.advance(Duration.ofMillis(1));
            assertThat(other.failing()).extracting(HealthStatus.FailingLoop::loop).containsExactly("event-relay");
        } finally {
            other.close();
        }
    }

    @Test
    void aFailureMessageNamesNoJavaClass() {
        assertThat(BackgroundLoops.message(new RuntimeException(new java.io.IOException("connection refused"))))
                .isEqualTo("connection refused");
        assertThat(BackgroundLoops.message(new NullPointerException())).isEqualTo("failed without a message");
    }

    @Test
    void closingStopsTheLoopsAndRefusesNewWork() {
        loops.loop("admission", PERIOD, () -> { }).start(Duration.ofHours(1));
        loops.close();
        assertThat(loops.closed()).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> loops.executor("store-open"))
                .hasMessage("trainops is stopping");
    }

    private Map<String, Object> status() {
        return call().structured();
    }

    private ToolOutcome.Success call() {
        ToolOutcome outcome = catalog.invoke("get_training_health_status", Map.of());
        assertThat(outcome).isInstanceOf(ToolOutcome.Success.class);
        return (ToolOutcome.Success) outcome;
    }

    static double sample(String scrape, String name, String label) {
        Matcher m = Pattern.compile("^" + name + "\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(scrape);
        while (m.find()) {
            if (m.group(1).contains(label)) {
                return Double.parseDouble(m.group(2));
            }
        }
        throw new AssertionError("no " + name + " with " + label + " in\n" + scrape);
    }

    /** A clock the test moves. */
    static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
